import type { Collection } from 'weaviate-client';
import { contentTerms, coverage, tokenize } from '../text/analyzer';
import { coreText } from './query-terms';
import type { Passage, Retriever } from './types';

/*
 * Everything Weaviate-specific stays behind `Retriever` / `RetrievalIndex`: weaviate-client v3 searches over gRPC
 * (Weaviate's GraphQL search API, which its v2 client used, is being switched off), and manages the schema and
 * tenants over REST.
 */

/** Searched properties with their BM25 boosts: a title names the topic more reliably than body words do. */
export const SEARCH_PROPERTIES: ('heading' | 'text' | { name: 'title'; weight: number })[] = [{ name: 'title', weight: 2 }, 'heading', 'text'];
export const RETURNED_PROPERTIES = ['documentId', 'title', 'sourceUrl', 'heading', 'text'] as const;
export const HYBRID_ALPHA = 0.5;

// Weaviate tenant names allow [A-Za-z0-9_-]{1,64}; building the name from a strict alphabet keeps every tenant id
// the database can hold within it, and refuses anything else before it reaches Weaviate.
const TENANT_NAME = /^t_[0-9a-z]{1,62}$/;

/** The Weaviate tenant that holds one product tenant's chunks: `t_` + the uuid without dashes. */
export function weaviateTenantName(tenantId: string): string {
  const name = `t_${tenantId.replace(/-/g, '').toLowerCase()}`;
  if (!TENANT_NAME.test(name)) throw new Error(`tenant id ${JSON.stringify(tenantId)} cannot name a Weaviate tenant`);
  return name;
}

/** How Weaviate says that a search met no data: the collection or the tenant was never created. */
export const NOTHING_INGESTED = /tenant not found|could not find class \w+ in schema/i;

export type ChunkProperties = {
  documentId: string;
  title: string;
  heading: string;
  text: string;
  sourceUrl?: string;
  ordinal: number;
};

export interface WeaviateRetrieverOptions {
  /** Search with `hybrid` (keyword and vector, fused) rather than `bm25`; only when the collection has a vectorizer. */
  hybrid: boolean;
}

/** Search over one tenant's chunks in Weaviate. The tenant is fixed here: the collection handle carries it. */
export class WeaviateRetriever implements Retriever {
  constructor(
    /** The collection bound to this retriever's tenant (`collection.withTenant`), once the client is connected. */
    private readonly collection: () => Promise<Collection<ChunkProperties>>,
    readonly tenantId: string,
    private readonly options: WeaviateRetrieverOptions,
  ) {}

  async search(query: string, limit: number): Promise<Passage[]> {
    if (tokenize(query).length === 0 || limit <= 0) return [];
    const common = {
      limit: Math.floor(limit),
      queryProperties: SEARCH_PROPERTIES,
      returnProperties: [...RETURNED_PROPERTIES],
      returnMetadata: ['score' as const],
    };

    let objects;
    try {
      const collection = await this.collection();
      const reply = this.options.hybrid
        ? await collection.query.hybrid(query, { ...common, alpha: HYBRID_ALPHA })
        : await collection.query.bm25(query, common);
      objects = reply.objects;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (NOTHING_INGESTED.test(message)) return [];
      throw new Error(`Weaviate search failed: ${message}`, { cause: error });
    }

    const queryTerms = contentTerms(coreText(query));
    return objects.map((o) => {
      const p = o.properties as Partial<ChunkProperties>;
      const title = p.title ?? '';
      const heading = p.heading ?? '';
      const text = p.text ?? '';
      const score = Number(o.metadata?.score);
      return {
        chunkId: o.uuid,
        documentId: p.documentId ?? '',
        title,
        sourceUrl: p.sourceUrl || null,
        heading,
        text,
        score: Number.isFinite(score) ? score : 0,
        coverage: coverage(queryTerms, `${title}\n${heading}\n${text}`),
      };
    });
  }
}
