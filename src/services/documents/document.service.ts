import { createHash } from 'node:crypto';
import type { Actor } from '../../caller';
import { Document } from '../../entities/document.entity';
import { BadInput, NotFound } from '../../errors';
import type { AuditService } from '../audit/audit.service';
import type { CuratedAnswerService } from '../curated-answers/curated-answer.service';
import type { DataLayer } from '../data/data-layer';
import type { Page } from '../pagination';
import type { IndexedDocument, RetrievalIndex } from '../retrieval/types';
import type { TenantScope } from '../tenant-scope';
import { chunkDocument, ChunkableMimeType } from '../text/chunker';
import type { DocumentOperatorStore } from './document.operator-store';
import { DocumentStore } from './document.store';

export interface DocumentFields {
  title: string;
  content: string;
  sourceUrl?: string | null;
  mimeType?: string | null;
}

const MIME_TYPES: ChunkableMimeType[] = ['text/plain', 'text/markdown', 'text/html'];
export const MAX_DOCUMENT_CHARS = 2_000_000;
export const MAX_DOCUMENTS_PER_CALL = 1_000;

// Documents are written in groups: one statement for the group's rows and one for its chunks and postings. A
// statement's fixed cost, and the dictionary update of the common terms, are then paid per group, not per document
// (one statement per document gave ~200 chunks/s on PGlite). The bounds keep one group's chunks in memory at a time.
const GROUP_DOCUMENTS = 100;
const GROUP_CHUNKS = 400;

type ValidDocument = ReturnType<typeof validate>;
type ChunkedDocument = ValidDocument & { chunks: ReturnType<typeof chunkDocument> };

/**
 * Adds and removes a tenant's documents. Documents are chunked and written a group at a time (rows, then chunks into
 * the index), so a batch of thousands holds one group's chunks in memory at once. The same content again is skipped.
 */
export class DocumentService {
  constructor(
    private readonly data: DataLayer,
    private readonly store: DocumentOperatorStore,
    private readonly index: RetrievalIndex,
    private readonly audit: AuditService,
    private readonly curated: Pick<CuratedAnswerService, 'forget'>,
  ) {}

  async add(actor: Actor | null, scope: TenantScope, inputs: DocumentFields[]): Promise<{ documents: Document[]; chunkCount: number; skippedDuplicates: number }> {
    if (inputs.length === 0 || inputs.length > MAX_DOCUMENTS_PER_CALL) {
      throw BadInput(`documents must hold 1 to ${MAX_DOCUMENTS_PER_CALL} documents per call.`, 'documents');
    }
    const valid = inputs.map((input, i) => validate(input, i));
    const documents: Document[] = [];
    let skippedDuplicates = 0;
    let group: ChunkedDocument[] = [];
    let groupChunks = 0;
    const flush = async () => {
      const added = await this.addGroup(scope, group);
      documents.push(...added);
      skippedDuplicates += group.length - added.length;
      group = [];
      groupChunks = 0;
    };
    for (const doc of valid) {
      const chunks = chunkDocument(doc.content, doc.mimeType);
      group.push({ ...doc, chunks });
      groupChunks += chunks.length;
      if (group.length >= GROUP_DOCUMENTS || groupChunks >= GROUP_CHUNKS) await flush();
    }
    if (group.length > 0) await flush();
    const chunkCount = documents.reduce((sum, d) => sum + d.chunkCount, 0);
    if (actor) {
      await this.audit.record(null, actor, 'addDocuments', { type: 'tenant', id: scope.tenantId }, {
        added: documents.length, skippedDuplicates,
      });
    }
    return { documents, chunkCount, skippedDuplicates };
  }

  /**
   * removeDocument names only the document; its tenant is read from it. `ofTenant` limits a secret key to its own
   * tenant's documents (another's: NOT_FOUND); null for the operator. `consent` refuses a caller who may not remove.
   */
  async remove(actor: Actor, id: string, ofTenant: string | null = null, consent: () => void = () => undefined): Promise<boolean> {
    const doc = await this.store.document(id);
    if (!doc || (ofTenant !== null && doc.tenantId !== ofTenant)) throw NotFound('Document');
    consent();
    await this.index.removeDocument(doc.tenantId, doc.id);
    const uncited = await this.data.transaction(async (tx) => {
      const uncited = await new DocumentStore(tx, doc.tenantId).deleteDocument(doc.id);
      await this.audit.record(tx, actor, 'removeDocument', { type: 'document', id: doc.id }, { tenantId: doc.tenantId, title: doc.title });
      return uncited;
    });
    // A curated answer cited it: this process's next ask reads the answers again, without waiting for its key cache.
    if (uncited) this.curated.forget(doc.tenantId);
    return true;
  }

  list(scope: TenantScope, first: number, after?: string | null, search?: string | null): Promise<Page<Document>> {
    return scope.documents.documents(first, after, search);
  }

  /** How many documents each tenant holds (for Tenant.documentCount, batched). */
  counts(tenantIds: readonly string[]): Promise<Map<string, number>> {
    return this.store.documentCounts(tenantIds);
  }

  /** Adds a group's new documents (rows, then index) and returns them; content already there is skipped. */
  private async addGroup(scope: TenantScope, group: ChunkedDocument[]): Promise<Document[]> {
    const { tenantId } = scope;
    // The same content twice in one group is one document, as it would be in two calls.
    const first = new Map<string, ChunkedDocument>();
    for (const d of group) if (!first.has(d.hash)) first.set(d.hash, d);
    const unique = [...first.values()];
    const rows = await scope.documents.insertDocuments(unique.map((d) => ({ title: d.title, sourceUrl: d.sourceUrl, mimeType: d.mimeType, hash: d.hash, chunkCount: d.chunks.length })));
    const inserted = new Map(rows.map((r) => [r.hash, r]));
    const fresh = unique.filter((d) => inserted.has(d.hash));
    const indexed: IndexedDocument[] = fresh.map((d) => ({
      tenantId, documentId: inserted.get(d.hash)!.id, title: d.title, sourceUrl: d.sourceUrl, chunks: d.chunks,
    }));
    let done = 0;
    try {
      if (this.index.addDocuments) {
        await this.index.addDocuments(indexed);
      } else {
        for (const doc of indexed) {
          await this.index.addDocument(doc);
          done++;
        }
      }
    } catch (error) {
      // Without their chunks the documents could never be found: take back the rows not indexed, so a retry adds them.
      await scope.documents.deleteDocuments(indexed.slice(done).map((d) => d.documentId));
      throw error;
    }
    // RETURNING gave the only columns the database chose; the rest is what was inserted, so no second read.
    return fresh.map((d) => {
      const row = inserted.get(d.hash)!;
      return Object.assign(new Document(), {
        id: row.id, tenantId, title: d.title, sourceUrl: d.sourceUrl, mimeType: d.mimeType, contentHash: d.hash,
        chunkCount: d.chunks.length, createdAt: row.createdAt,
      });
    });
  }
}

function validate(input: DocumentFields, i: number) {
  const field = (name: string) => `documents[${i}].${name}`;
  const title = (input.title ?? '').trim();
  if (title.length === 0 || title.length > 500) throw BadInput('A document title must be 1 to 500 characters.', field('title'));
  const content = input.content ?? '';
  if (content.trim().length === 0) throw BadInput('A document needs some content.', field('content'));
  if (content.length > MAX_DOCUMENT_CHARS) throw BadInput(`A document holds at most ${MAX_DOCUMENT_CHARS} characters.`, field('content'));
  const mimeType = (input.mimeType ?? 'text/plain').toLowerCase() as ChunkableMimeType;
  if (!MIME_TYPES.includes(mimeType)) throw BadInput(`mimeType must be one of ${MIME_TYPES.join(', ')}.`, field('mimeType'));
  const sourceUrl = input.sourceUrl?.trim() || null;
  if (sourceUrl) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(sourceUrl).protocol) && sourceUrl.length <= 2000;
    } catch {
      ok = false;
    }
    if (!ok) throw BadInput('sourceUrl must be an http(s) URL.', field('sourceUrl'));
  }
  // Whitespace differences don't make a new document.
  const hash = createHash('sha256').update(content.replace(/\s+/g, ' ').trim()).digest('hex');
  return { title, content, sourceUrl, mimeType, hash };
}
