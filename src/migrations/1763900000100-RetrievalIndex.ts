import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The PostgreSQL lexical index: chunks of documents and, per chunk, how often each analysed term occurs in its title
 * field (document title and heading path) and in its body. BM25 statistics (document frequencies, average lengths)
 * are computed from these rows at query time, so they can never drift from the index, even when a `document` or
 * `tenant` row is deleted and the cascade removes chunks behind the index's back.
 *
 * Plain SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept; no extension is needed.
 */
export class RetrievalIndex1763900000100 implements MigrationInterface {
  name = 'RetrievalIndex1763900000100';

  async up(q: QueryRunner): Promise<void> {
    // lang is the document's language ('en' | 'fr'): a question is analysed once per language and each chunk is
    // matched with the analysis of its own language. title_len/body_len are field lengths in terms.
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
    // Covers the per-query statistics (chunk count, average field lengths) of one tenant.
    await q.query(`CREATE INDEX chunk_tenant_stats ON chunk (tenant_id) INCLUDE (title_len, body_len)`);

    // The posting lists. The primary key leads with (tenant_id, term) so that one tenant's postings for a query
    // term are one index range; tenant_id is repeated here so the search never has to visit other tenants' rows.
    await q.query(`
      CREATE TABLE chunk_term (
        tenant_id uuid NOT NULL,
        term varchar(64) NOT NULL,
        chunk_id uuid NOT NULL REFERENCES chunk(id) ON DELETE CASCADE,
        title_tf smallint NOT NULL,
        body_tf smallint NOT NULL,
        PRIMARY KEY (tenant_id, term, chunk_id)
      )`);
    // The cascade from chunk deletes by chunk_id; without this index every cascaded delete scans the table.
    await q.query(`CREATE INDEX chunk_term_chunk ON chunk_term (chunk_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS chunk_term`);
    await q.query(`DROP TABLE IF EXISTS chunk`);
  }
}
