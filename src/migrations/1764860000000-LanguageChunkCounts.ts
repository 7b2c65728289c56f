import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How many of a tenant's chunks are in each language, kept by the same statement triggers as chunk_stats, so that a
 * term's idf is taken within its own language's chunks. Terms are language-tagged ('en:server', 'fr:serveur') and a
 * question is searched in both analyses: against the whole tenant's chunk count, a term of the few chunks of the
 * other language (a Spanish post filed as French among two thousand English ones) looked rarer than any English
 * term, and those few chunks came first for English questions that merely share "server" or "dell" with them.
 */
export class LanguageChunkCounts1764860000000 implements MigrationInterface {
  name = 'LanguageChunkCounts1764860000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE chunk_lang_stats (
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        lang varchar(2) NOT NULL,
        chunks bigint NOT NULL,
        PRIMARY KEY (tenant_id, lang)
      )`);
    await q.query(`
      INSERT INTO chunk_lang_stats (tenant_id, lang, chunks)
      SELECT tenant_id, lang, count(*) FROM chunk GROUP BY tenant_id, lang`);
    // The functions chunk_stats' triggers already run: one upsert more per statement, not per chunk.
    await q.query(`
      CREATE OR REPLACE FUNCTION chunk_stats_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO chunk_stats (tenant_id, chunks, title_len, body_len)
        SELECT tenant_id, count(*), sum(title_len), sum(body_len) FROM added GROUP BY tenant_id
        ON CONFLICT (tenant_id) DO UPDATE SET
          chunks = chunk_stats.chunks + EXCLUDED.chunks,
          title_len = chunk_stats.title_len + EXCLUDED.title_len,
          body_len = chunk_stats.body_len + EXCLUDED.body_len;
        INSERT INTO chunk_lang_stats (tenant_id, lang, chunks)
        SELECT tenant_id, lang, count(*) FROM added GROUP BY tenant_id, lang
        ON CONFLICT (tenant_id, lang) DO UPDATE SET chunks = chunk_lang_stats.chunks + EXCLUDED.chunks;
        RETURN NULL;
      END $$`);
    // Only an UPDATE, as for chunk_stats: a tenant being deleted may have lost its rows already.
    await q.query(`
      CREATE OR REPLACE FUNCTION chunk_stats_removed() RETURNS trigger LANGUAGE plpgsql AS $$
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
        UPDATE chunk_lang_stats s SET chunks = s.chunks - r.chunks
        FROM (SELECT tenant_id, lang, count(*) AS chunks FROM removed GROUP BY tenant_id, lang) r
        WHERE s.tenant_id = r.tenant_id AND s.lang = r.lang;
        RETURN NULL;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION chunk_stats_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO chunk_stats (tenant_id, chunks, title_len, body_len)
        SELECT tenant_id, count(*), sum(title_len), sum(body_len) FROM added GROUP BY tenant_id
        ON CONFLICT (tenant_id) DO UPDATE SET
          chunks = chunk_stats.chunks + EXCLUDED.chunks,
          title_len = chunk_stats.title_len + EXCLUDED.title_len,
          body_len = chunk_stats.body_len + EXCLUDED.body_len;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION chunk_stats_removed() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await q.query(`DROP TABLE chunk_lang_stats`);
  }
}
