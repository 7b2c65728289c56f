import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Smaller postings that a search can read in impact order.
 *
 * `chunk_term` repeated the tenant uuid, the term text and the chunk uuid in every posting and again in its primary
 * key (about 160 bytes a posting with its two indexes), and a search had to read every posting of every query term
 * to count document frequencies: 1.4 s at 100k chunks for a question with a common word. Now:
 * - `index_term` is the tenant's term dictionary: an integer id per (tenant, term) and the term's document
 *   frequency, kept exact by the same statements that add and remove postings;
 * - `posting` holds integers only (term id, chunk sequence number, smallint counts, a real), about 75 bytes with its
 *   indexes; its tenant is that of its term;
 * - `posting_term_impact` lists a term's postings best first, so a search picks its candidates from the head of a
 *   long list, from the index alone; `posting_chunk` then gives the candidates' postings for exact scoring.
 *
 * Plain SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.
 */
export class CompactPostings1764500000400 implements MigrationInterface {
  name = 'CompactPostings1764500000400';

  async up(q: QueryRunner): Promise<void> {
    // A compact handle on a chunk for postings to point at; the uuid stays the chunk's public identity.
    // int4 allows two billion chunks written over the database's life, re-indexing included.
    await q.query(`ALTER TABLE chunk ADD COLUMN seq integer GENERATED ALWAYS AS IDENTITY`);
    await q.query(`CREATE UNIQUE INDEX chunk_seq ON chunk (seq)`);

    await q.query(`
      CREATE TABLE index_term (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        term text NOT NULL,
        df integer NOT NULL,
        UNIQUE (tenant_id, term)
      )`);

    // No foreign keys: a per-row check on each of the ~70 postings of a chunk was a large share of ingestion time.
    // Postings go with their chunk through the chunk_postings_delete trigger below, and with their tenant through
    // index_term (PgRetrievalIndex.removeTenant) — a tenant's term ids are its own.
    await q.query(`
      CREATE TABLE posting (
        term_id integer NOT NULL,
        chunk_seq integer NOT NULL,
        impact real NOT NULL,
        title_tf smallint NOT NULL,
        body_tf smallint NOT NULL,
        title_len smallint NOT NULL,
        body_len smallint NOT NULL
      )`);

    /*
     * How much a posting can add to a score, for ordering a term's postings only: the BM25F term-frequency factor
     * (k1 = 2, b = 0.75, title weight 6, title b = 0.5) with typical field lengths in place of the tenant's
     * averages, which move as documents arrive (tf / (k1 + tf), written as 1 - k1 / (k1 + tf) so that PostgreSQL
     * inlines the function). Scores themselves are computed at search time from the counts.
     * Changing this function needs a migration that recomputes `impact`.
     */
    await q.query(`
      CREATE FUNCTION posting_impact(title_tf integer, body_tf integer, title_len integer, body_len integer)
      RETURNS real LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT (1 - 2 / (2 + 6 * title_tf::float8 / (0.5 + 0.5 * title_len::float8 / 8)
                             + body_tf::float8 / (0.25 + 0.75 * body_len::float8 / 120)))::real
      $$`);

    await q.query(`
      INSERT INTO index_term (tenant_id, term, df)
      SELECT tenant_id, term, count(*) FROM chunk_term GROUP BY tenant_id, term ORDER BY tenant_id, term`);
    await q.query(`
      INSERT INTO posting (term_id, chunk_seq, impact, title_tf, body_tf, title_len, body_len)
      SELECT t.id, c.seq, posting_impact(ct.title_tf, ct.body_tf, ct.title_len, ct.body_len),
             ct.title_tf, ct.body_tf, least(ct.title_len, 32767), least(ct.body_len, 32767)
      FROM chunk_term ct
      JOIN index_term t ON t.tenant_id = ct.tenant_id AND t.term = ct.term
      JOIN chunk c ON c.id = ct.chunk_id`);
    await q.query(`DROP TABLE chunk_term`);

    // Built after the bulk copy: one sort instead of a tree grown row by row. chunk_seq rides along so a search
    // picks its candidates from the index alone (an index-only scan once VACUUM has marked the pages all-visible,
    // which PgMaintenance does as the index grows). Without it the planner preferred a bitmap scan of the whole
    // list plus a sort, reading every posting of a common term to keep its best thousand.
    await q.query(`CREATE INDEX posting_term_impact ON posting (term_id, impact DESC) INCLUDE (chunk_seq)`);
    // A chunk's ~70 postings share one chunk_seq, which btree deduplication stores once per leaf page.
    await q.query(`CREATE INDEX posting_chunk ON posting (chunk_seq)`);

    // Statement-level, like chunk_stats: one delete and one df update per statement, also when a document or
    // tenant delete cascades to chunk. ANY(ARRAY(...)) keeps the delete on the posting_chunk index: a join with
    // the transition table, which has no statistics, was planned as a scan of every posting.
    await q.query(`
      CREATE FUNCTION chunk_postings_removed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        WITH gone AS (
          DELETE FROM posting WHERE chunk_seq = ANY (ARRAY(SELECT seq FROM removed)) RETURNING term_id
        )
        UPDATE index_term t SET df = t.df - g.n
        FROM (SELECT term_id, count(*)::int AS n FROM gone GROUP BY term_id) g
        WHERE t.id = g.term_id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER chunk_postings_delete AFTER DELETE ON chunk
      REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION chunk_postings_removed()`);

    // The planner has seen none of these tables yet; a search planned blind scanned every posting. (VACUUM cannot
    // run inside the migration's transaction; PgMaintenance runs it once postings arrive.)
    await q.query(`ANALYZE chunk`);
    await q.query(`ANALYZE index_term`);
    await q.query(`ANALYZE posting`);
  }

  async down(q: QueryRunner): Promise<void> {
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
    await q.query(`
      INSERT INTO chunk_term (tenant_id, term, chunk_id, title_tf, body_tf, title_len, body_len)
      SELECT t.tenant_id, t.term, c.id, p.title_tf, p.body_tf, p.title_len, p.body_len
      FROM posting p JOIN index_term t ON t.id = p.term_id JOIN chunk c ON c.seq = p.chunk_seq`);
    await q.query(`CREATE INDEX chunk_term_chunk ON chunk_term (chunk_id)`);
    await q.query(`DROP TRIGGER chunk_postings_delete ON chunk`);
    await q.query(`DROP FUNCTION chunk_postings_removed()`);
    await q.query(`DROP TABLE posting`);
    await q.query(`DROP FUNCTION posting_impact(integer, integer, integer, integer)`);
    await q.query(`DROP TABLE index_term`);
    await q.query(`ALTER TABLE chunk DROP COLUMN seq`);
  }
}
