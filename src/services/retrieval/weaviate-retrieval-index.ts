import weaviate, { ApiKey, Filters, generateUuid5, type Collection, type FilterValue, type WeaviateClient } from 'weaviate-client';
import { defaultGrpcUrl } from '../../config';
import type { IndexedDocument, RetrievalIndex, Retriever } from './types';
import { NOTHING_INGESTED, WeaviateRetriever, weaviateTenantName, type ChunkProperties } from './weaviate-retriever';

// Weaviate's gRPC import takes a few hundred objects per message comfortably; 100 keeps each message small enough
// that one slow batch does not hit the deadline.
const BATCH_SIZE = 100;
// A batch delete removes at most QUERY_MAXIMUM_RESULTS objects per call (10 000 by default), so a large document
// takes several rounds. The cap only stops a server that reports progress it does not make.
const MAX_DELETE_ROUNDS = 1000;
const CLASS_NAME = /^[A-Z][A-Za-z0-9_]*$/;
const TENANT_MISSING = /tenant not found/i;
const TENANT_INACTIVE = /tenant not active/i;
// A tenant or collection that was never created: there is nothing to remove, suspend or reactivate.
const NOTHING_THERE = /tenant not found|could not find class|class "?\w+"? not found|\(404\)|status code: 404/i;
const ALREADY_EXISTS = /already exists/i;

export interface WeaviateRetrievalIndexOptions {
  /** REST base URL, e.g. `http://weaviate:8080` or `https://cluster.weaviate.cloud`; a path prefix is kept. */
  url: string;
  /** gRPC address as a URL (`http://weaviate:50051`; https for TLS); by default the REST host on port 50051. */
  grpcUrl?: string;
  apiKey?: string;
  /** The one collection that holds every tenant's chunks. */
  className?: string;
  /** A vectorizer module (`text2vec-openai`…); when set, the collection is created with it and search is hybrid. */
  vectorizer?: string;
  /** Deadline of each search and schema call, and of connecting. */
  timeoutMs?: number;
  /** Deadline of each import or delete call: with a vectorizer, Weaviate embeds the chunks before it answers. */
  writeTimeoutMs?: number;
}

function endpoint(raw: string, what: string): { host: string; port: number; secure: boolean; path: string } {
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`Weaviate ${what} URL must be http(s): ${raw}`);
  const secure = url.protocol === 'https:';
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 443 : 80,
    secure,
    path: url.pathname.replace(/\/+$/, ''),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The Weaviate backend on weaviate-client v3: one collection with native multi-tenancy, one Weaviate tenant per
 * product tenant. Tenants are shards of their own, so a search physically cannot reach another tenant's chunks,
 * deleting a tenant drops its shard whole, and a suspended tenant's shard rests INACTIVE (unloaded, unsearchable).
 * The collection creates a tenant on its first import (auto tenant creation), and never wakes an INACTIVE one by
 * itself (no auto activation), so suspension holds.
 */
export class WeaviateRetrievalIndex implements RetrievalIndex {
  readonly name = 'weaviate';
  private readonly className: string;
  private readonly vectorizer: string | undefined;
  private readonly rest: ReturnType<typeof endpoint>;
  private readonly grpc: ReturnType<typeof endpoint>;
  // Promises rather than flags, so concurrent first calls share one connection and one schema call; a failed
  // attempt is forgotten so the next call retries it.
  private connecting: Promise<WeaviateClient> | undefined;
  private collectionReady: Promise<void> | undefined;

  constructor(private readonly options: WeaviateRetrievalIndexOptions) {
    this.rest = endpoint(options.url, 'REST');
    this.grpc = endpoint(options.grpcUrl ?? defaultGrpcUrl(options.url), 'gRPC');
    this.className = options.className ?? 'Chunk';
    // Weaviate requires a capital first letter; the client would silently capitalise a lower-case one.
    if (!CLASS_NAME.test(this.className)) throw new Error(`invalid Weaviate collection name ${this.className}`);
    this.vectorizer = options.vectorizer || undefined;
  }

  forTenant(tenantId: string): Retriever {
    const tenant = weaviateTenantName(tenantId);
    return new WeaviateRetriever(() => this.collection(tenant), tenantId, { hybrid: this.vectorizer !== undefined });
  }

  addDocument(doc: IndexedDocument): Promise<void> {
    return this.addDocuments([doc]);
  }

  /** Indexes documents of one tenant, replacing whatever the index held for them. */
  async addDocuments(docs: IndexedDocument[]): Promise<void> {
    if (docs.length === 0) return;
    const tenantId = docs[0].tenantId;
    if (docs.some((d) => d.tenantId !== tenantId)) throw new Error('addDocuments takes the documents of one tenant');
    const tenant = weaviateTenantName(tenantId);
    await this.ensureCollection();
    const collection = await this.collection(tenant);

    const objects = docs.flatMap((doc) =>
      doc.chunks.map((chunk) => ({
        // Ids derived from the chunk's identity make a retried import overwrite, never duplicate, what a first
        // attempt (timed out on our side, finished on Weaviate's) already wrote.
        id: generateUuid5(`${tenantId}/${doc.documentId}/${chunk.ordinal}`),
        properties: {
          documentId: doc.documentId,
          title: doc.title,
          heading: chunk.heading,
          text: chunk.text,
          ordinal: chunk.ordinal,
          ...(doc.sourceUrl ? { sourceUrl: doc.sourceUrl } : {}),
        } satisfies ChunkProperties,
      })),
    );

    await this.awake(tenant, async () => {
      await this.deleteDocumentObjects(collection, docs.map((d) => d.documentId));
      for (let i = 0; i < objects.length; i += BATCH_SIZE) {
        await this.importBatch(collection, tenant, objects.slice(i, i + BATCH_SIZE));
      }
    });
  }

  async removeDocument(tenantId: string, documentId: string): Promise<void> {
    const tenant = weaviateTenantName(tenantId);
    try {
      const collection = await this.collection(tenant);
      await this.awake(tenant, () => this.deleteDocumentObjects(collection, [documentId]));
    } catch (error) {
      if (!NOTHING_THERE.test(messageOf(error))) throw error;
    }
  }

  async removeTenant(tenantId: string): Promise<void> {
    await this.tenantCall(tenantId, (tenants, name) => tenants.remove(name));
  }

  async suspendTenant(tenantId: string): Promise<void> {
    await this.tenantCall(tenantId, (tenants, name) => tenants.deactivate(name));
  }

  async reactivateTenant(tenantId: string): Promise<void> {
    await this.tenantCall(tenantId, (tenants, name) => tenants.activate(name));
  }

  async ping(): Promise<void> {
    // Connecting checks gRPC health; /v1/meta then proves that REST answers and accepts the API key.
    const client = await this.client();
    await client.getMeta();
  }

  /** Closes the gRPC channel and the HTTP agent; the next call connects again. */
  async close(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = undefined;
    this.collectionReady = undefined;
    const client = await connecting?.catch(() => undefined);
    await client?.close();
  }

  private client(): Promise<WeaviateClient> {
    if (!this.connecting) {
      const timeoutS = (this.options.timeoutMs ?? 10_000) / 1000;
      const attempt = weaviate.connectToCustom({
        httpHost: this.rest.host,
        httpPort: this.rest.port,
        httpSecure: this.rest.secure,
        httpPath: this.rest.path,
        grpcHost: this.grpc.host,
        grpcPort: this.grpc.port,
        grpcSecure: this.grpc.secure,
        ...(this.options.apiKey ? { authCredentials: new ApiKey(this.options.apiKey) } : {}),
        timeout: { init: timeoutS, query: timeoutS, insert: (this.options.writeTimeoutMs ?? 60_000) / 1000 },
      });
      this.connecting = attempt;
      attempt.catch(() => this.connecting === attempt && (this.connecting = undefined));
    }
    return this.connecting;
  }

  private async collection(tenant: string): Promise<Collection<ChunkProperties>> {
    const client = await this.client();
    return client.collections.use<string, ChunkProperties>(this.className).withTenant(tenant);
  }

  /** A tenant-management call; a tenant or collection that does not exist has nothing to change. */
  private async tenantCall(
    tenantId: string,
    work: (tenants: Collection<ChunkProperties>['tenants'], name: string) => Promise<unknown>,
  ): Promise<void> {
    const name = weaviateTenantName(tenantId);
    try {
      const client = await this.client();
      await work(client.collections.use<string, ChunkProperties>(this.className).tenants, name);
    } catch (error) {
      if (!NOTHING_THERE.test(messageOf(error))) throw error;
    }
  }

  /**
   * Runs a write; when the tenant is INACTIVE (suspended), wakes it for the write and puts it back to rest after,
   * so the operator can still change a suspended tenant's documents. A reactivation that lands during that write
   * would be undone by the return to rest: reactivate again to settle it.
   */
  private async awake(tenant: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!TENANT_INACTIVE.test(messageOf(error))) throw error;
      const tenants = (await this.client()).collections.use<string, ChunkProperties>(this.className).tenants;
      await tenants.activate(tenant);
      try {
        await work();
      } finally {
        await tenants.deactivate(tenant);
      }
    }
  }

  private async importBatch(
    collection: Collection<ChunkProperties>,
    tenant: string,
    batch: { id: string; properties: ChunkProperties }[],
  ): Promise<void> {
    let reply = await collection.data.insertMany(batch);
    const first = () => Object.values(reply.errors)[0]?.message ?? '';
    // A collection made before auto tenant creation existed (or by hand without it) refuses an unknown tenant:
    // create it, as auto creation would have, and import again.
    if (reply.hasErrors && TENANT_MISSING.test(first())) {
      await (await this.client()).collections.use<string, ChunkProperties>(this.className).tenants.create({ name: tenant });
      reply = await collection.data.insertMany(batch);
    }
    // The import answers per object; a refused object is not a failed call, so the verdicts must be read.
    if (reply.hasErrors) {
      const failures = Object.keys(reply.errors).length;
      // Thrown as Weaviate words it, so `awake` can tell an INACTIVE tenant from a real refusal.
      throw new Error(`Weaviate refused ${failures} of ${batch.length} chunks: ${first()}`);
    }
  }

  private async deleteDocumentObjects(collection: Collection<ChunkProperties>, documentIds: string[]): Promise<void> {
    const byDocument = documentIds.map((id) => collection.filter.byProperty('documentId').equal(id));
    const where: FilterValue = byDocument.length === 1 ? byDocument[0] : Filters.or(...byDocument);
    for (let round = 0; round < MAX_DELETE_ROUNDS; round++) {
      let reply;
      try {
        reply = await collection.data.deleteMany(where);
      } catch (error) {
        // A tenant's first import: auto creation makes it with the import, so there is nothing to replace yet.
        if (TENANT_MISSING.test(messageOf(error))) return;
        throw error;
      }
      const { matches, successful, failed } = reply;
      if (failed > 0) throw new Error(`Weaviate failed to delete ${failed} chunks of documents ${documentIds.join(', ')}`);
      if (successful === 0 || matches <= successful) return;
    }
    throw new Error(`Weaviate kept reporting chunks of documents ${documentIds.join(', ')} after ${MAX_DELETE_ROUNDS} deletes`);
  }

  private ensureCollection(): Promise<void> {
    if (!this.collectionReady) {
      const attempt = this.createCollection();
      this.collectionReady = attempt;
      attempt.catch(() => this.collectionReady === attempt && (this.collectionReady = undefined));
    }
    return this.collectionReady;
  }

  private async createCollection(): Promise<void> {
    const client = await this.client();
    try {
      await client.collections.createFromSchema(this.collectionDefinition());
    } catch (error) {
      // Another process (or this one, before a restart) created it first.
      if (!ALREADY_EXISTS.test(messageOf(error))) throw error;
    }
  }

  /** Weaviate's own schema form, so any vectorizer module can be named by configuration alone. */
  private collectionDefinition(): Parameters<WeaviateClient['collections']['createFromSchema']>[0] {
    const v = this.vectorizer;
    // Identifiers and numbers would only add noise to an embedding, and the collection name says nothing about content.
    const notVectorized = v ? { moduleConfig: { [v]: { skip: true, vectorizePropertyName: false } } } : {};
    const searchable = { dataType: ['text'], tokenization: 'word' as const, indexSearchable: true };
    return {
      class: this.className,
      description: 'Chunks of tenant documents, one Weaviate tenant per product tenant.',
      vectorizer: v ?? 'none',
      ...(v ? { moduleConfig: { [v]: { vectorizeClassName: false } } } : {}),
      multiTenancyConfig: { enabled: true, autoTenantCreation: true, autoTenantActivation: false },
      properties: [
        // `field` tokenization: the id is matched whole by the delete filter, never split at its dashes.
        { name: 'documentId', dataType: ['text'], tokenization: 'field', indexFilterable: true, indexSearchable: false, ...notVectorized },
        { name: 'title', ...searchable },
        { name: 'heading', ...searchable },
        { name: 'text', ...searchable },
        { name: 'sourceUrl', dataType: ['text'], indexFilterable: false, indexSearchable: false, ...notVectorized },
        { name: 'ordinal', dataType: ['int'], indexFilterable: false, ...notVectorized },
      ],
    };
  }
}
