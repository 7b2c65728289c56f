import weaviate, { ApiKey, generateUuid5, type WeaviateClass, type WeaviateClient } from 'weaviate-ts-client';
import type { IndexedDocument, RetrievalIndex, Retriever } from './types';
import { WeaviateRetriever, weaviateMessage, weaviateTenantName, withDeadline } from './weaviate-retriever';

// Weaviate's import endpoint handles a few hundred objects per request comfortably; 100 keeps each request small
// enough that one slow batch does not hit the deadline.
const BATCH_SIZE = 100;
// Batch delete removes at most QUERY_MAXIMUM_RESULTS objects per call (10 000 by default); a document larger than
// that needs several rounds. The cap only stops a server that reports progress it does not make.
const MAX_DELETE_ROUNDS = 1000;
const CLASS_NAME = /^[A-Z][A-Za-z0-9_]*$/;
const TENANT_MISSING = /tenant not found/i;
// A tenant or class that was never created: there is nothing to remove.
const NOTHING_THERE = /tenant not found|class .*not found|\(404\)/i;

export interface WeaviateRetrievalIndexOptions {
  /** Base URL, e.g. `http://weaviate:8080` or `https://cluster.weaviate.cloud`; a path prefix is kept. */
  url: string;
  apiKey?: string;
  /** The one collection that holds every tenant's chunks. */
  className?: string;
  /** A vectorizer module (`text2vec-openai`…); when set, the class is created with it and search is hybrid. */
  vectorizer?: string;
  /** Deadline for each call to Weaviate. */
  timeoutMs?: number;
}

/**
 * The Weaviate backend: one class with native multi-tenancy, one Weaviate tenant per product tenant. Tenants are
 * shards of their own, so a search physically cannot reach another tenant's chunks, and deleting a tenant drops
 * its shard whole.
 */
export class WeaviateRetrievalIndex implements RetrievalIndex {
  readonly name = 'weaviate';
  private readonly client: WeaviateClient;
  private readonly className: string;
  private readonly vectorizer: string | undefined;
  private readonly timeoutMs: number;
  // Promises rather than flags, so concurrent first ingestions share one schema call; a failed attempt is
  // forgotten so the next ingestion retries it.
  private classReady: Promise<void> | undefined;
  private readonly tenantsReady = new Map<string, Promise<void>>();

  constructor(options: WeaviateRetrievalIndexOptions) {
    const url = new URL(options.url);
    const scheme = url.protocol.replace(/:$/, '');
    if (scheme !== 'http' && scheme !== 'https') throw new Error(`Weaviate URL must be http(s): ${options.url}`);
    this.className = options.className ?? 'Chunk';
    // The class name is written into GraphQL query text unescaped, and Weaviate requires a capital first letter.
    if (!CLASS_NAME.test(this.className)) throw new Error(`invalid Weaviate class name ${this.className}`);
    this.vectorizer = options.vectorizer || undefined;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.client = weaviate.client({
      scheme,
      host: `${url.host}${url.pathname.replace(/\/+$/, '')}`,
      ...(options.apiKey ? { apiKey: new ApiKey(options.apiKey) } : {}),
    });
  }

  forTenant(tenantId: string): Retriever {
    return new WeaviateRetriever(this.client, tenantId, {
      className: this.className,
      hybrid: this.vectorizer !== undefined,
      timeoutMs: this.timeoutMs,
    });
  }

  /** Indexes a document's chunks, replacing whatever the index held for that document. */
  async addDocument(doc: IndexedDocument): Promise<void> {
    const tenant = weaviateTenantName(doc.tenantId);
    await this.ensureTenant(tenant);
    try {
      await this.deleteDocumentObjects(tenant, doc.documentId);
    } catch (error) {
      if (!TENANT_MISSING.test(weaviateMessage(error))) throw error;
      // The tenant was deleted behind this process's cache (by another process, or by hand): make it again.
      this.tenantsReady.delete(tenant);
      await this.ensureTenant(tenant);
    }

    const objects = doc.chunks.map((chunk) => ({
      class: this.className,
      tenant,
      // Ids derived from the chunk's identity make a retried import overwrite, never duplicate, what a first
      // attempt (timed out on our side, finished on Weaviate's) already wrote.
      id: generateUuid5(`${doc.tenantId}/${doc.documentId}/${chunk.ordinal}`),
      properties: {
        documentId: doc.documentId,
        title: doc.title,
        heading: chunk.heading,
        text: chunk.text,
        ordinal: chunk.ordinal,
        ...(doc.sourceUrl ? { sourceUrl: doc.sourceUrl } : {}),
      },
    }));

    // objectsBatcher has no withTenant in this client: the tenant travels on each object.
    for (let i = 0; i < objects.length; i += BATCH_SIZE) {
      const batch = objects.slice(i, i + BATCH_SIZE);
      const results = await this.call(this.client.batch.objectsBatcher().withObjects(...batch).do(), 'import');
      // The import endpoint answers 200 even when objects were refused; the verdicts are per object.
      const failures = results.flatMap((r) => r.result?.errors?.error?.map((e) => e.message ?? 'unknown error') ?? []);
      if (failures.length > 0) {
        throw new Error(
          `Weaviate refused ${failures.length} of ${batch.length} chunks of document ${doc.documentId}: ${failures[0]}`,
        );
      }
    }
  }

  async removeDocument(tenantId: string, documentId: string): Promise<void> {
    try {
      await this.deleteDocumentObjects(weaviateTenantName(tenantId), documentId);
    } catch (error) {
      if (!NOTHING_THERE.test(weaviateMessage(error))) throw error;
    }
  }

  async removeTenant(tenantId: string): Promise<void> {
    const tenant = weaviateTenantName(tenantId);
    this.tenantsReady.delete(tenant);
    try {
      await this.call(this.client.schema.tenantsDeleter(this.className, [tenant]).do(), 'tenant deletion');
    } catch (error) {
      if (!NOTHING_THERE.test(weaviateMessage(error))) throw error;
    }
  }

  async ping(): Promise<void> {
    // /v1/meta rather than the live check: liveChecker turns every failure into `false`, and it does not prove
    // that the API key is accepted, which /v1/meta (authenticated) does.
    await this.call(this.client.misc.metaGetter().do(), 'meta');
  }

  private async deleteDocumentObjects(tenant: string, documentId: string): Promise<void> {
    for (let round = 0; round < MAX_DELETE_ROUNDS; round++) {
      const reply = await this.call(
        this.client.batch
          .objectsBatchDeleter()
          .withClassName(this.className)
          .withTenant(tenant)
          .withWhere({ path: ['documentId'], operator: 'Equal', valueText: documentId })
          .do(),
        'delete',
      );
      const { matches = 0, successful = 0, failed = 0 } = reply.results ?? {};
      if (failed > 0) throw new Error(`Weaviate failed to delete ${failed} chunks of document ${documentId}`);
      if (successful === 0 || matches <= successful) return;
    }
    throw new Error(`Weaviate kept reporting chunks of document ${documentId} after ${MAX_DELETE_ROUNDS} deletes`);
  }

  private ensureTenant(tenant: string): Promise<void> {
    const ready = this.tenantsReady.get(tenant);
    if (ready) return ready;
    const attempt = this.ensureClass().then(() => this.createTenant(tenant));
    this.tenantsReady.set(tenant, attempt);
    attempt.catch(() => this.tenantsReady.get(tenant) === attempt && this.tenantsReady.delete(tenant));
    return attempt;
  }

  private async createTenant(tenant: string): Promise<void> {
    try {
      await this.call(this.client.schema.tenantsCreator(this.className, [{ name: tenant }]).do(), 'tenant creation');
    } catch (error) {
      // Another process (or this one, before a restart) created it first; newer servers accept the repeat silently.
      if (!/already exists/i.test(weaviateMessage(error))) throw error;
    }
  }

  private ensureClass(): Promise<void> {
    if (!this.classReady) {
      const attempt = this.createClassIfAbsent();
      this.classReady = attempt;
      attempt.catch(() => this.classReady === attempt && (this.classReady = undefined));
    }
    return this.classReady;
  }

  private async createClassIfAbsent(): Promise<void> {
    const schema = await this.call(this.client.schema.getter().do(), 'schema read');
    const existing = schema.classes?.find((c) => c.class === this.className);
    if (existing) {
      // A class made by hand without multi-tenancy would accept no tenant at all; say so rather than fail per chunk.
      if (!existing.multiTenancyConfig?.enabled) {
        throw new Error(`Weaviate class ${this.className} exists without multi-tenancy; it cannot hold tenants`);
      }
      return;
    }
    try {
      await this.call(this.client.schema.classCreator().withClass(this.classDefinition()).do(), 'class creation');
    } catch (error) {
      if (!/already exists/i.test(weaviateMessage(error))) throw error;
    }
  }

  private classDefinition(): WeaviateClass {
    const v = this.vectorizer;
    // Identifiers and numbers would only add noise to an embedding, and the class name says nothing about content.
    const notVectorized = v ? { moduleConfig: { [v]: { skip: true, vectorizePropertyName: false } } } : {};
    const searchable = { dataType: ['text'], tokenization: 'word' as const, indexSearchable: true };
    return {
      class: this.className,
      description: 'Chunks of tenant documents, one Weaviate tenant per product tenant.',
      vectorizer: v ?? 'none',
      ...(v ? { moduleConfig: { [v]: { vectorizeClassName: false } } } : {}),
      multiTenancyConfig: { enabled: true },
      properties: [
        // `field` tokenization: the id is matched whole by the delete filter, never split at its dashes.
        {
          name: 'documentId', dataType: ['text'], tokenization: 'field', indexFilterable: true, indexSearchable: false,
          ...notVectorized,
        },
        { name: 'title', ...searchable },
        { name: 'heading', ...searchable },
        { name: 'text', ...searchable },
        { name: 'sourceUrl', dataType: ['text'], indexFilterable: false, indexSearchable: false, ...notVectorized },
        { name: 'ordinal', dataType: ['int'], indexFilterable: false, ...notVectorized },
      ],
    };
  }

  private call<T>(work: Promise<T>, what: string): Promise<T> {
    return withDeadline(work, this.timeoutMs, what);
  }
}
