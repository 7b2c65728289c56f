import type { Prepared } from '../data/prepared';
import type { ChunkInput } from '../text/chunker';

/**
 * The retrieval seam. Two backends implement `RetrievalIndex` (PostgreSQL lexical search by default, Weaviate when
 * WEAVIATE_URL is set). Search goes through a `Retriever` that is bound to one tenant when it is made, so no caller
 * can forget, or choose, the tenant filter.
 */

/** Minimal SQL runner: TypeORM's DataSource and EntityManager both satisfy it (`query(sql, params)` → rows). */
export interface Sql {
  query<T = any>(sql: string, params?: unknown[]): Promise<T>;
  /**
   * Where the runner has them: a statement as the named prepared statement, parsed once per connection and then
   * only bound and run (data/prepared.ts). Callers fall back to `query` without it.
   */
  prepared?: Prepared;
}

export type { ChunkInput } from '../text/chunker';

/** A document handed to an index: the row already exists in `document`; the index stores its chunks. */
export interface IndexedDocument {
  tenantId: string;
  documentId: string;
  title: string;
  sourceUrl: string | null;
  chunks: ChunkInput[];
}

/** A retrieved chunk. `text` stays on the server: it feeds the generator and never reaches a client. */
export interface Passage {
  chunkId: string;
  documentId: string;
  title: string;
  sourceUrl: string | null;
  heading: string;
  text: string;
  /** Backend relevance score, higher is better; comparable only within one result list. */
  score: number;
  /** Share (0..1) of the query's distinct content terms that occur in this passage or its title. */
  coverage: number;
  /**
   * Where the backend keeps term statistics (PostgreSQL): how strong the lexical evidence is, for GroundingPolicy.
   * `unknownTerms`: how many of the question's content terms no chunk of the tenant holds at all. When there are
   * some, `chance`: how many of the tenant's `chunks` would hold the question terms this passage shares with it if
   * words fell into chunks independently (chunk count × the product of their document-frequency shares).
   */
  evidence?: { unknownTerms: 0 } | { unknownTerms: number; chance: number; chunks: number };
}

export interface Retriever {
  /** The best passages for `query` within this retriever's tenant, best first. */
  search(query: string, limit: number): Promise<Passage[]>;
}

export interface RetrievalIndex {
  /** Human-readable backend name, shown by /readyz. */
  readonly name: string;
  forTenant(tenantId: string): Retriever;
  addDocument(doc: IndexedDocument): Promise<void>;
  /**
   * Where a backend has it: indexes several documents of one tenant at once, all of them or none, for less than the
   * same documents one at a time would cost.
   */
  addDocuments?(docs: IndexedDocument[]): Promise<void>;
  removeDocument(tenantId: string, documentId: string): Promise<void>;
  /** Erases everything the index holds for the tenant (its Weaviate tenant, its chunks). */
  removeTenant(tenantId: string): Promise<void>;
  /**
   * Where a backend keeps tenants apart (Weaviate): the tenant is suspended, so its part of the index may rest
   * (Weaviate's INACTIVE: off memory, unsearchable) until `reactivateTenant`. Nothing to do for a tenant never indexed.
   */
  suspendTenant?(tenantId: string): Promise<void>;
  reactivateTenant?(tenantId: string): Promise<void>;
  /** Throws when the backend cannot be reached; used by /readyz. */
  ping(): Promise<void>;
  /** Where a backend holds connections of its own (Weaviate's gRPC channel): lets them go, so the process can exit. */
  close?(): Promise<void>;
}
