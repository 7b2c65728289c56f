import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The PostgreSQL lexical index: chunks of documents and, per chunk, how often each analysed term occurs in its title
 * field (document title and heading path) and in its body. Document frequencies are counted from the postings at
 * query time; the per-tenant chunk count and length totals are kept by triggers on `chunk`. Either way the BM25
 * statistics cannot drift from the index, even when a `document` or `tenant` row is deleted and the cascade removes
 * chunks behind the index's back.
 *
 * Plain SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept; no extension is needed.
 */
export class RetrievalIndex1763900000100 implements MigrationInterface {
  name = 'RetrievalIndex1763900000100';

  async up(q: QueryRunner): Promise<void> {
    // lang is the document's language ('en' | 'fr'); title_len/body_len are field lengths in terms.
    await q.query(`
      CREATE TABLE chunk (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        document_id uuid NOT NULL REFERENCES document(id) ON DELETE CASCADE,
        ordinal integer NOT NULL,
        heading text NOT NULL DEFAULT '',
        text text NOT NULL,
        lang varchar(2) NOT NULL,
        title_len integer NOT NULL,
        body_len integer NOT NULL,
        UNIQUE (document_id, ordinal)
      )`);
    await q.query(`CREATE INDEX chunk_tenant ON chunk (tenant_id)`);

    // Chunk count and field-length totals per tenant (BM25's N and average lengths). Counting them at query time
    // grew with the tenant's corpus and was a third of a search's time at a few thousand chunks.
    await q.query(`
      CREATE TABLE chunk_stats (
        tenant_id uuid PRIMARY KEY REFERENCES tenant(id) ON DELETE CASCADE,
        chunks bigint NOT NULL,
        title_len bigint NOT NULL,
        body_len bigint NOT NULL
      )`);
    // Statement-level triggers with transition tables: one upsert per statement, whatever the number of chunks,
    // and cascaded deletes (document, tenant) run through them too. Chunks are replaced, never updated.
    await q.query(`
      CREATE FUNCTION chunk_stats_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO chunk_stats (tenant_id, chunks, title_len, body_len)
        SELECT tenant_id, count(*), sum(title_len), sum(body_len) FROM added GROUP BY tenant_id
        ON CONFLICT (tenant_id) DO UPDATE SET
          chunks = chunk_stats.chunks + EXCLUDED.chunks,
          title_len = chunk_stats.title_len + EXCLUDED.title_len,
          body_len = chunk_stats.body_len + EXCLUDED.body_len;
        RETURN NULL;
      END $$`);
    // Only an UPDATE here: when a tenant is being deleted its stats row may already be gone, and an upsert would
    // try to recreate it for a tenant that no longer exists.
    await q.query(`
      CREATE FUNCTION chunk_stats_removed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE chunk_stats s SET
          chunks = s.chunks - r.chunks,
          title_len = s.title_len - r.title_len,
          body_len = s.body_len - r.body_len
        FROM (
          SELECT tenant_id, count(*) AS chunks, sum(title_len) AS title_len, sum(body_len) AS body_len
          FROM removed GROUP BY tenant_id
        ) r
        WHERE s.tenant_id = r.tenant_id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER chunk_stats_insert AFTER INSERT ON chunk
      REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION chunk_stats_added()`);
    await q.query(`
      CREATE TRIGGER chunk_stats_delete AFTER DELETE ON chunk
      REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION chunk_stats_removed()`);

    // The posting lists. term is language-tagged ('en:password', 'fr:pass'): a question is analysed once per
    // language and each analysis meets only chunks of its own language, within one index range per term.
    // tenant_id leads the key so a search never visits another tenant's rows. The chunk's field lengths are
    // repeated here (they never change once written) so scoring needs no lookup of the chunk per posting.
    await q.query(`
      CREATE TABLE chunk_term (
        tenant_id uuid NOT NULL,
        term text NOT NULL,
        chunk_id uuid NOT NULL REFERENCES chunk(id) ON DELETE CASCADE,
        title_tf smallint NOT NULL,
        body_tf smallint NOT NULL,
        title_len integer NOT NULL,
        body_len integer NOT NULL,
        PRIMARY KEY (tenant_id, term, chunk_id)
      )`);
    // The cascade from chunk deletes by chunk_id; without this index every cascaded delete scans the table.
    await q.query(`CREATE INDEX chunk_term_chunk ON chunk_term (chunk_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS chunk_term`);
    await q.query(`DROP TABLE IF EXISTS chunk`);
    await q.query(`DROP TABLE IF EXISTS chunk_stats`);
    await q.query(`DROP FUNCTION IF EXISTS chunk_stats_added()`);
    await q.query(`DROP FUNCTION IF EXISTS chunk_stats_removed()`);
  }
}
