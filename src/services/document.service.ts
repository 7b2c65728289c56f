import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Document } from '../entities/document.entity';
import { BadInput, NotFound } from '../errors';
import type { Principal } from './api-key.service';
import { AuditService } from './audit.service';
import { chunkDocument, ChunkableMimeType } from './text/chunker';
import { containsPattern, isUuid, Page, paginate } from './pagination';
import type { RetrievalIndex } from './retrieval/types';

export interface DocumentFields {
  title: string;
  content: string;
  sourceUrl?: string | null;
  mimeType?: string | null;
}

const MIME_TYPES: ChunkableMimeType[] = ['text/plain', 'text/markdown', 'text/html'];
export const MAX_DOCUMENT_CHARS = 2_000_000;
export const MAX_DOCUMENTS_PER_CALL = 1_000;

/**
 * Adds and removes a tenant's documents. Documents are processed one at a time (row, then chunks into the index),
 * so a batch of thousands holds one document's chunks in memory at once. The same content again is skipped.
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
    let chunkCount = 0;
    let skippedDuplicates = 0;
    for (const doc of valid) {
      const added = await this.addOne(tenantId, doc);
      if (!added) {
        skippedDuplicates++;
        continue;
      }
      documents.push(added);
      chunkCount += added.chunkCount;
    }
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

  async list(tenantId: string, first: number, after?: string | null, search?: string | null): Promise<Page<Document>> {
    const qb = this.dataSource.getRepository(Document).createQueryBuilder('d').where('d.tenant_id = :tenantId', { tenantId });
    const text = search?.trim();
    if (text) qb.andWhere('d.title ILIKE :pattern', { pattern: containsPattern(text) });
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt' });
  }

  private async addOne(tenantId: string, doc: Required<DocumentFields> & { mimeType: ChunkableMimeType; hash: string }): Promise<Document | null> {
    const chunks = chunkDocument(doc.content, doc.mimeType);
    // ON CONFLICT makes the duplicate check and the insert one step, so two concurrent batches can't both add it.
    const rows: { id: string; created_at: Date }[] = await this.dataSource.query(
      `INSERT INTO document (tenant_id, title, source_url, mime_type, content_hash, chunk_count)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, content_hash) DO NOTHING RETURNING id, created_at`,
      [tenantId, doc.title, doc.sourceUrl, doc.mimeType, doc.hash, chunks.length],
    );
    if (rows.length === 0) return null;
    const { id, created_at: createdAt } = rows[0];
    try {
      await this.index.addDocument({ tenantId, documentId: id, title: doc.title, sourceUrl: doc.sourceUrl, chunks });
    } catch (error) {
      // Without its chunks the document could never be found: take the row back so a retry adds it again.
      await this.dataSource.query('DELETE FROM document WHERE id = $1', [id]);
      throw error;
    }
    // RETURNING gave the only column the database chose; the rest is what was inserted, so no second read.
    return this.dataSource.getRepository(Document).create({
      id, tenantId, title: doc.title, sourceUrl: doc.sourceUrl, mimeType: doc.mimeType, contentHash: doc.hash,
      chunkCount: chunks.length, createdAt: new Date(createdAt),
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
