import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A forward index on the chunk row instead of posting lists in tables.
 *
 * Each process now searches an inverted index it holds in memory (services/retrieval/tenant-index.ts), built from
 * the chunks. PostgreSQL keeps what that needs on the chunk row itself: its distinct analysed terms (`terms`, bare
 * stems separated by spaces: the chunk's `lang` tags them) and how often each occurs in the title field and in the
 * body (`tfs`: per term, two unsigned 16-bit big-endian counts, title then body). A posting was a heap row plus two
 * index entries (about 75 bytes) and every indexing statement updated the tenant's term dictionary; a chunk's terms
 * are now a few hundred bytes of its own row, written with it.
 *
 * A string and bytes rather than text[] and smallint[]: a process loads every chunk of a tenant at once, and turning
 * two smallint arrays into text per row was nine tenths of that statement (PGlite, 10k chunks: 0.7 s of 0.75 s).
 *
 * `chunk_stats` gains the counters that tell a process its copy is stale: `version`, bumped by every statement that
 * adds or removes chunks of the tenant (cascaded deletes included, the triggers being statement-level), and
 * `removals`, bumped by those that remove some (a process then reloads the tenant; otherwise it reads only the
 * chunks past the last it holds). Per-language chunk counts and document frequencies are counted in memory, so
 * `chunk_lang_stats`, `index_term`, `posting` and what served them go.
 *
 * Plain SQL that PostgreSQL 15 and PGlite (PostgreSQL 18) both accept.
 */
export class ForwardIndex1764920000000 implements MigrationInterface {
  name = 'ForwardIndex1764920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE chunk ADD COLUMN terms text NOT NULL DEFAULT '', ADD COLUMN tfs bytea NOT NULL DEFAULT ''::bytea`);
    // The dictionary's keys are 'lang:stem'; the chunk's lang already says which. int2send gives a smallint's two
    // bytes, big-endian; counts are never negative.
    await q.query(`
      UPDATE chunk c SET terms = f.terms, tfs = f.tfs
      FROM (
        SELECT p.chunk_seq,
               string_agg(substr(t.term, strpos(t.term, ':') + 1), ' ' ORDER BY t.term) AS terms,
               string_agg(int2send(p.title_tf) || int2send(p.body_tf), ''::bytea ORDER BY t.term) AS tfs
        FROM posting p JOIN index_term t ON t.id = p.term_id
        GROUP BY p.chunk_seq
      ) f
      WHERE c.seq = f.chunk_seq`);
    await q.query(`ALTER TABLE chunk ALTER COLUMN terms DROP DEFAULT, ALTER COLUMN tfs DROP DEFAULT`);

    await q.query(`DROP TRIGGER chunk_postings_delete ON chunk`);
    await q.query(`DROP FUNCTION chunk_postings_removed()`);
    await q.query(`DROP TABLE posting`);
    await q.query(`DROP FUNCTION posting_impact(integer, integer, integer, integer)`);
    await q.query(`DROP TRIGGER tenant_terms_delete ON tenant`);
    await q.query(`DROP FUNCTION tenant_terms_removed()`);
    await q.query(`DROP TABLE index_term`);
    await q.query(`DROP TRIGGER chunk_lang_stats_insert ON chunk`);
    await q.query(`DROP TRIGGER chunk_lang_stats_delete ON chunk`);
    await q.query(`DROP FUNCTION chunk_lang_stats_added()`);
    await q.query(`DROP FUNCTION chunk_lang_stats_removed()`);
    await q.query(`DROP TABLE chunk_lang_stats`);

    // A process loads a tenant's chunks, or those past the last it holds, in seq order: one range of this index.
    await q.query(`CREATE INDEX chunk_tenant_seq ON chunk (tenant_id, seq)`);
    await q.query(`DROP INDEX chunk_tenant`);

    await q.query(`ALTER TABLE chunk_stats ADD COLUMN version bigint NOT NULL DEFAULT 0, ADD COLUMN removals bigint NOT NULL DEFAULT 0`);
    // The grouped SELECTs yield no row for a statement that touched no chunk (an indexing statement's delete of a
    // new document's old chunks), so such a statement bumps nothing and no process reloads for it.
    await statsTriggers(q, true);
  }

  async down(q: QueryRunner): Promise<void> {
    await statsTriggers(q, false);
    await q.query(`ALTER TABLE chunk_stats DROP COLUMN version, DROP COLUMN removals`);
    await q.query(`CREATE INDEX chunk_tenant ON chunk (tenant_id)`);
    await q.query(`DROP INDEX chunk_tenant_seq`);

    // The tables and triggers of CompactPostings, PostingLocality and LanguageChunkCounts, refilled from the chunks.
    await q.query(`
      CREATE TABLE chunk_lang_stats (
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        lang varchar(2) NOT NULL,
        chunks bigint NOT NULL,
        PRIMARY KEY (tenant_id, lang)
      )`);
    await q.query(`INSERT INTO chunk_lang_stats (tenant_id, lang, chunks) SELECT tenant_id, lang, count(*) FROM chunk GROUP BY tenant_id, lang`);
    await q.query(`
      CREATE FUNCTION chunk_lang_stats_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO chunk_lang_stats (tenant_id, lang, chunks)
        SELECT tenant_id, lang, count(*) FROM added GROUP BY tenant_id, lang
        ON CONFLICT (tenant_id, lang) DO UPDATE SET chunks = chunk_lang_stats.chunks + EXCLUDED.chunks;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION chunk_lang_stats_removed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE chunk_lang_stats s SET chunks = s.chunks - r.chunks
        FROM (SELECT tenant_id, lang, count(*) AS chunks FROM removed GROUP BY tenant_id, lang) r
        WHERE s.tenant_id = r.tenant_id AND s.lang = r.lang;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER chunk_lang_stats_insert AFTER INSERT ON chunk
      REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION chunk_lang_stats_added()`);
    await q.query(`
      CREATE TRIGGER chunk_lang_stats_delete AFTER DELETE ON chunk
      REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION chunk_lang_stats_removed()`);

    await q.query(`
      CREATE TABLE index_term (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id uuid NOT NULL,
        term text NOT NULL,
        df integer NOT NULL,
        UNIQUE (tenant_id, term)
      ) WITH (fillfactor = 70)`);
    // The forward index as rows: each term with its position, whose counts are bytes 4i..4i+3 of tfs.
    await q.query(`
      CREATE TEMPORARY TABLE forward ON COMMIT DROP AS
      SELECT c.tenant_id, c.seq, c.lang || ':' || u.term AS term, c.title_len, c.body_len,
             (get_byte(c.tfs, 4 * (u.i::int - 1)) << 8) + get_byte(c.tfs, 4 * (u.i::int - 1) + 1) AS title_tf,
             (get_byte(c.tfs, 4 * (u.i::int - 1) + 2) << 8) + get_byte(c.tfs, 4 * (u.i::int - 1) + 3) AS body_tf
      FROM chunk c CROSS JOIN LATERAL unnest(string_to_array(c.terms, ' ')) WITH ORDINALITY AS u(term, i)`);
    await q.query(`
      INSERT INTO index_term (tenant_id, term, df)
      SELECT tenant_id, term, count(*) FROM forward GROUP BY 1, 2 ORDER BY 1, 2`);
    await q.query(`
      CREATE FUNCTION tenant_terms_removed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM index_term WHERE tenant_id IN (SELECT id FROM gone);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER tenant_terms_delete AFTER DELETE ON tenant
      REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION tenant_terms_removed()`);
    await q.query(`
      CREATE FUNCTION posting_impact(title_tf integer, body_tf integer, title_len integer, body_len integer)
      RETURNS real LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT (1 - 2 / (2 + 6 * title_tf::float8 / (0.5 + 0.5 * title_len::float8 / 8)
                             + body_tf::float8 / (0.25 + 0.75 * body_len::float8 / 120)))::real
      $$`);
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
    await q.query(`
      INSERT INTO posting (term_id, chunk_seq, impact, title_tf, body_tf, title_len, body_len)
      SELECT t.id, f.seq, posting_impact(f.title_tf, f.body_tf, f.title_len, f.body_len), f.title_tf, f.body_tf,
             least(f.title_len, 32767), least(f.body_len, 32767)
      FROM forward f JOIN index_term t ON t.tenant_id = f.tenant_id AND t.term = f.term
      ORDER BY f.seq`);
    await q.query(`CREATE INDEX posting_term_impact ON posting (term_id, impact DESC) INCLUDE (chunk_seq)`);
    await q.query(`CREATE INDEX posting_chunk ON posting (chunk_seq)`);
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
    await q.query(`ALTER TABLE chunk DROP COLUMN terms, DROP COLUMN tfs`);
  }
}

/** chunk_stats' trigger functions, with or without the index version counters (RetrievalIndex made them without). */
async function statsTriggers(q: QueryRunner, versioned: boolean): Promise<void> {
  await q.query(`
    CREATE OR REPLACE FUNCTION chunk_stats_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO chunk_stats (tenant_id, chunks, title_len, body_len${versioned ? ', version' : ''})
      SELECT tenant_id, count(*), sum(title_len), sum(body_len)${versioned ? ', 1' : ''} FROM added GROUP BY tenant_id
      ON CONFLICT (tenant_id) DO UPDATE SET
        chunks = chunk_stats.chunks + EXCLUDED.chunks,
        title_len = chunk_stats.title_len + EXCLUDED.title_len,
        body_len = chunk_stats.body_len + EXCLUDED.body_len${versioned ? ',\n        version = chunk_stats.version + 1' : ''};
      RETURN NULL;
    END $$`);
  await q.query(`
    CREATE OR REPLACE FUNCTION chunk_stats_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE chunk_stats s SET
        chunks = s.chunks - r.chunks,
        title_len = s.title_len - r.title_len,
        body_len = s.body_len - r.body_len${versioned ? ',\n        version = s.version + 1,\n        removals = s.removals + 1' : ''}
      FROM (
        SELECT tenant_id, count(*) AS chunks, sum(title_len) AS title_len, sum(body_len) AS body_len
        FROM removed GROUP BY tenant_id
      ) r
      WHERE s.tenant_id = r.tenant_id;
      RETURN NULL;
    END $$`);
}
