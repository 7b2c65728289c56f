import { createHash } from 'node:crypto';
import type { Actor } from '../caller';
import { Document } from '../entities/document.entity';
import { BadInput, NotFound } from '../errors';
import type { AuditService } from './audit.service';
import type { DataLayer } from './data/data-layer';
import type { TenantData } from './data/tenant-data';
import type { Page } from './pagination';
import type { RetrievalIndex } from './retrieval/types';
import { chunkDocument, ChunkableMimeType } from './text/chunker';

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
    private readonly data: DataLayer,
    private readonly index: RetrievalIndex,
    private readonly audit: AuditService,
  ) {}

  async add(actor: Actor | null, scope: TenantData, inputs: DocumentFields[]): Promise<{ documents: Document[]; chunkCount: number; skippedDuplicates: number }> {
    if (inputs.length === 0 || inputs.length > MAX_DOCUMENTS_PER_CALL) {
      throw BadInput(`documents must hold 1 to ${MAX_DOCUMENTS_PER_CALL} documents per call.`, 'documents');
    }
    const valid = inputs.map((input, i) => validate(input, i));
    const documents: Document[] = [];
    let chunkCount = 0;
    let skippedDuplicates = 0;
    for (const doc of valid) {
      const added = await this.addOne(scope, doc);
      if (!added) {
        skippedDuplicates++;
        continue;
      }
      documents.push(added);
      chunkCount += added.chunkCount;
    }
    if (actor) {
      await this.audit.record(this.data.operator, actor, 'addDocuments', { type: 'tenant', id: scope.tenantId }, {
        added: documents.length, skippedDuplicates,
      });
    }
    return { documents, chunkCount, skippedDuplicates };
  }

  /** The operator's removeDocument names only the document; its tenant is read from it. */
  async remove(actor: Actor, id: string): Promise<boolean> {
    const doc = await this.data.operator.document(id);
    if (!doc) throw NotFound('Document');
    await this.index.removeDocument(doc.tenantId, doc.id);
    await this.data.transaction(async (m) => {
      await this.data.forTenant(doc.tenantId).within(m).deleteDocument(doc.id);
      await this.audit.record(this.data.operator.within(m), actor, 'removeDocument', { type: 'document', id: doc.id }, { tenantId: doc.tenantId, title: doc.title });
    });
    return true;
  }

  list(scope: TenantData, first: number, after?: string | null, search?: string | null): Promise<Page<Document>> {
    return scope.documents(first, after, search);
  }

  private async addOne(scope: TenantData, doc: Required<DocumentFields> & { mimeType: ChunkableMimeType; hash: string }): Promise<Document | null> {
    const chunks = chunkDocument(doc.content, doc.mimeType);
    const row = await scope.insertDocument({ title: doc.title, sourceUrl: doc.sourceUrl, mimeType: doc.mimeType, hash: doc.hash, chunkCount: chunks.length });
    if (!row) return null;
    const { tenantId } = scope;
    try {
      await this.index.addDocument({ tenantId, documentId: row.id, title: doc.title, sourceUrl: doc.sourceUrl, chunks });
    } catch (error) {
      // Without its chunks the document could never be found: take the row back so a retry adds it again.
      await scope.deleteDocument(row.id);
      throw error;
    }
    // RETURNING gave the only columns the database chose; the rest is what was inserted, so no second read.
    return Object.assign(new Document(), {
      id: row.id, tenantId, title: doc.title, sourceUrl: doc.sourceUrl, mimeType: doc.mimeType, contentHash: doc.hash,
      chunkCount: chunks.length, createdAt: row.createdAt,
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
