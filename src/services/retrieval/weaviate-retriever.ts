import type { WeaviateClient } from 'weaviate-ts-client';
import { contentTerms, coverage, tokenize } from '../text/analyzer';
import { coreText } from './query-terms';
import type { Passage, Retriever } from './types';

/*
 * Everything Weaviate-specific stays behind `Retriever` / `RetrievalIndex`. Weaviate deprecated the GraphQL search
 * API this client uses (October 2026; Weaviate Cloud drops it by May 2027), so a gRPC client is expected to replace
 * these two files without any caller noticing.
 */

/** Searched fields with their BM25 boosts: a title names the topic more reliably than body words do. */
export const SEARCH_PROPERTIES = ['title^2', 'heading', 'text'];
const FIELDS = 'documentId title sourceUrl heading text _additional { id score }';
const HYBRID_ALPHA = 0.5;

// Weaviate tenant names allow [A-Za-z0-9_-]{1,64}. The client writes the tenant into the GraphQL query text
// without escaping (`tenant:"…"`), so the name is built from a strict alphabet rather than trusted.
const TENANT_NAME = /^t_[0-9a-z]{1,62}$/;

/** The Weaviate tenant that holds one product tenant's chunks: `t_` + the uuid without dashes. */
export function weaviateTenantName(tenantId: string): string {
  const name = `t_${tenantId.replace(/-/g, '').toLowerCase()}`;
  if (!TENANT_NAME.test(name)) throw new Error(`tenant id ${JSON.stringify(tenantId)} cannot name a Weaviate tenant`);
  return name;
}

/**
 * The client has no request timeout and takes no AbortSignal, so a stalled Weaviate would otherwise hold a chat
 * request open indefinitely. The abandoned request is left to finish or fail on its own.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Weaviate ${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** The first error message Weaviate gave, from a REST reply or a GraphQL `errors` array, else the error's own. */
export function weaviateMessage(error: unknown): string {
  const gqlErrors = (error as { response?: { errors?: { message?: string }[] } })?.response?.errors;
  if (Array.isArray(gqlErrors) && gqlErrors[0]?.message) return gqlErrors[0].message;
  return error instanceof Error ? error.message : String(error);
}

// "tenant not found" is how Weaviate answers a search of a tenant it has never seen; "Cannot query field" is the
// GraphQL validation error when the class (on an empty server, any class) does not exist yet. Both mean that
// nothing was ever ingested, which is an empty result, not an outage.
const NOTHING_INGESTED = /tenant not found|Cannot query field "\w+" on type "(GetObjectsObj|WeaviateObj)"/i;

interface Hit {
  documentId: string;
  title: string | null;
  sourceUrl: string | null;
  heading: string | null;
  text: string | null;
  _additional: { id: string; score: string | number | null };
}

export interface WeaviateRetrieverOptions {
  className: string;
  /** Search with `hybrid` (keyword and vector, fused) rather than `bm25`; only when the class has a vectorizer. */
  hybrid: boolean;
  timeoutMs: number;
}

/** Search over one tenant's chunks in Weaviate. The tenant is fixed here and sent with every query. */
export class WeaviateRetriever implements Retriever {
  private readonly tenant: string;

  constructor(
    private readonly client: WeaviateClient,
    readonly tenantId: string,
    private readonly options: WeaviateRetrieverOptions,
  ) {
    this.tenant = weaviateTenantName(tenantId);
  }

  async search(query: string, limit: number): Promise<Passage[]> {
    if (tokenize(query).length === 0 || limit <= 0) return [];

    let get = this.client.graphql
      .get()
      .withClassName(this.options.className)
      .withTenant(this.tenant)
      .withLimit(Math.floor(limit))
      .withFields(FIELDS);
    get = this.options.hybrid
      ? get.withHybrid({ query, alpha: HYBRID_ALPHA, properties: SEARCH_PROPERTIES })
      : get.withBm25({ query, properties: SEARCH_PROPERTIES });

    let reply: { data?: { Get?: Record<string, Hit[] | null> } };
    try {
      reply = await withDeadline(get.do(), this.options.timeoutMs, 'search');
    } catch (error) {
      const message = weaviateMessage(error);
      if (NOTHING_INGESTED.test(message)) return [];
      // graphql-request's own message embeds the whole request, the user's question included; keep logs to the point.
      throw new Error(`Weaviate search failed: ${message}`, { cause: error });
    }

    const hits = reply.data?.Get?.[this.options.className] ?? [];
    const queryTerms = contentTerms(coreText(query));
    return hits.map((h) => {
      const title = h.title ?? '';
      const heading = h.heading ?? '';
      const text = h.text ?? '';
      const score = Number(h._additional.score);
      return {
        chunkId: h._additional.id,
        documentId: h.documentId,
        title,
        sourceUrl: h.sourceUrl || null,
        heading,
        text,
        score: Number.isFinite(score) ? score : 0,
        coverage: coverage(queryTerms, `${title}\n${heading}\n${text}`),
      };
    });
  }
}
