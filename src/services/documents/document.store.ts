import { Document } from '../../entities/document.entity';
import type { Db } from '../data/db';
import { containsPattern, isUuid, Page, paginate } from '../pagination';

/** One tenant's document rows (their chunks are the retrieval index's): every statement carries the tenant condition. */
export class DocumentStore {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
  ) {}

  async document(id: string): Promise<Document | null> {
    return isUuid(id) ? this.db.getRepository(Document).findOneBy({ id, tenantId: this.tenantId }) : null;
  }

  /** The tenant's documents, oldest first, optionally those whose title contains `search`. */
  documents(first: number, after?: string | null, search?: string | null): Promise<Page<Document>> {
    const qb = this.db.getRepository(Document).createQueryBuilder('d').where('d.tenant_id = :tenantId', { tenantId: this.tenantId });
    const text = search?.trim();
    if (text) qb.andWhere('d.title ILIKE :pattern', { pattern: containsPattern(text) });
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt' });
  }

  /**
   * Inserts a group of document rows in one statement, skipping content the tenant already has; returns the rows
   * inserted. ON CONFLICT makes the duplicate check and the insert one step, so two concurrent batches can't both add one.
   */
  async insertDocuments(docs: { title: string; sourceUrl: string | null; mimeType: string; hash: string; chunkCount: number }[]): Promise<{ id: string; createdAt: Date; hash: string }[]> {
    const rows: { id: string; created_at: Date; content_hash: string }[] = await this.db.query(
      // One millisecond apart, in the order given, so lists (which sort by creation time) show a batch as it was sent.
      `INSERT INTO document (tenant_id, title, source_url, mime_type, content_hash, chunk_count, created_at)
       SELECT $1, u.title, u.source_url, u.mime_type, u.content_hash, u.chunk_count, now() + (u.n - 1) * interval '1 millisecond'
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[]) WITH ORDINALITY
         AS u(title, source_url, mime_type, content_hash, chunk_count, n)
       ON CONFLICT (tenant_id, content_hash) DO NOTHING RETURNING id, created_at, content_hash`,
      [this.tenantId, docs.map((d) => d.title), docs.map((d) => d.sourceUrl), docs.map((d) => d.mimeType), docs.map((d) => d.hash), docs.map((d) => d.chunkCount)],
    );
    return rows.map((r) => ({ id: r.id, createdAt: new Date(r.created_at), hash: r.content_hash }));
  }

  /** Whether a curated answer cited the document (see deleteDocuments). */
  async deleteDocument(id: string): Promise<boolean> {
    return this.deleteDocuments([id]);
  }

  /**
   * Deletes documents and takes them out of the curated answers citing them, in one statement; returns whether any
   * answer cited one. Such a change bumps tenant.curated_version as a change to the answers does: each process's copy
   * of the answers holds their citations, and the version is how the other processes learn that theirs is stale.
   */
  async deleteDocuments(ids: string[]): Promise<boolean> {
    const [row] = await this.db.query(
      `WITH gone AS (
         DELETE FROM document WHERE id = ANY($1::uuid[]) AND tenant_id = $2 RETURNING id
       ), uncited AS (
         UPDATE curated_answer a
         SET document_ids = ARRAY(SELECT d FROM unnest(a.document_ids) WITH ORDINALITY u(d, n) WHERE d NOT IN (SELECT id FROM gone) ORDER BY n)
         WHERE a.tenant_id = $2 AND a.document_ids && ARRAY(SELECT id FROM gone)
         RETURNING a.id
       ), bumped AS (
         UPDATE tenant SET curated_version = curated_version + 1 WHERE id = $2 AND EXISTS (SELECT 1 FROM uncited)
       )
       SELECT EXISTS (SELECT 1 FROM uncited) AS uncited`,
      [ids, this.tenantId],
    );
    return row.uncited;
  }

  async documentsAddedBetween(start: Date, end: Date): Promise<number> {
    const [{ n }] = await this.db.query(
      'SELECT count(*)::int AS n FROM document WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3',
      [this.tenantId, start, end],
    );
    return n;
  }
}
