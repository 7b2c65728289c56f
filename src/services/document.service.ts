import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Document } from '../entities/document.entity';
import { BadInput, NotFound } from '../errors';
import type { Principal } from './api-key.service';
import { AuditService } from './audit.service';
import { chunkDocument, ChunkableMimeType } from './text/chunker';
import { isUuid, Page, paginate } from './pagination';
import type { IndexedDocument, RetrievalIndex } from './retrieval/types';

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
    private readonly dataSource: DataSource,
    private readonly index: RetrievalIndex,
    private readonly audit: AuditService,
  ) {}

  async add(actor: Principal | null, tenantId: string, inputs: DocumentFields[]): Promise<{ documents: Document[]; chunkCount: number; skippedDuplicates: number }> {
    if (inputs.length === 0 || inputs.length > MAX_DOCUMENTS_PER_CALL) {
      throw BadInput(`documents must hold 1 to ${MAX_DOCUMENTS_PER_CALL} documents per call.`, 'documents');
    }
    const valid = inputs.map((input, i) => validate(input, i));
    const documents: Document[] = [];
    let skippedDuplicates = 0;
    let group: ChunkedDocument[] = [];
    let groupChunks = 0;
    const flush = async () => {
      const added = await this.addGroup(tenantId, group);
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
      await this.audit.record(this.dataSource.manager, actor, 'addDocuments', { type: 'tenant', id: tenantId }, {
        added: documents.length, skippedDuplicates,
      });
    }
    return { documents, chunkCount, skippedDuplicates };
  }

  async remove(actor: Principal, id: string): Promise<boolean> {
    const doc = isUuid(id) ? await this.dataSource.getRepository(Document).findOneBy({ id }) : null;
    if (!doc) throw NotFound('Document');
    await this.index.removeDocument(doc.tenantId, doc.id);
    await this.dataSource.transaction(async (m) => {
      await m.query('DELETE FROM document WHERE id = $1 AND tenant_id = $2', [doc.id, doc.tenantId]);
      await this.audit.record(m, actor, 'removeDocument', { type: 'document', id: doc.id }, { tenantId: doc.tenantId, title: doc.title });
    });
    return true;
  }

  async list(tenantId: string, first: number, after?: string | null): Promise<Page<Document>> {
    const qb = this.dataSource.getRepository(Document).createQueryBuilder('d').where('d.tenant_id = :tenantId', { tenantId });
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt' });
  }

  /** Adds a group's new documents (rows, then index) and returns them; content already there is skipped. */
  private async addGroup(tenantId: string, group: ChunkedDocument[]): Promise<Document[]> {
    // The same content twice in one group is one document, as it would be in two calls.
    const first = new Map<string, ChunkedDocument>();
    for (const d of group) if (!first.has(d.hash)) first.set(d.hash, d);
    const unique = [...first.values()];
    // ON CONFLICT makes the duplicate check and the insert one step, so two concurrent batches can't both add one.
    const rows: { id: string; created_at: Date; content_hash: string }[] = await this.dataSource.query(
      `INSERT INTO document (tenant_id, title, source_url, mime_type, content_hash, chunk_count)
       SELECT $1, u.title, u.source_url, u.mime_type, u.content_hash, u.chunk_count
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
         AS u(title, source_url, mime_type, content_hash, chunk_count)
       ON CONFLICT (tenant_id, content_hash) DO NOTHING RETURNING id, created_at, content_hash`,
      [tenantId, unique.map((d) => d.title), unique.map((d) => d.sourceUrl), unique.map((d) => d.mimeType), unique.map((d) => d.hash), unique.map((d) => d.chunks.length)],
    );
    const inserted = new Map(rows.map((r) => [r.content_hash, r]));
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
      await this.dataSource.query('DELETE FROM document WHERE id = ANY($1::uuid[])', [indexed.slice(done).map((d) => d.documentId)]);
      throw error;
    }
    // RETURNING gave the only columns the database chose; the rest is what was inserted, so no second read.
    return fresh.map((d) => {
      const row = inserted.get(d.hash)!;
      return this.dataSource.getRepository(Document).create({
        id: row.id, tenantId, title: d.title, sourceUrl: d.sourceUrl, mimeType: d.mimeType, contentHash: d.hash,
        chunkCount: d.chunks.length, createdAt: new Date(row.created_at),
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
