import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How many of a tenant's chunks are in each language, so that a term's idf is taken within its own language's
 * chunks. Terms are language-tagged ('en:server', 'fr:serveur') and a question is searched in both analyses: against
 * the whole tenant's chunk count, a term of the few chunks of the other language (a Spanish post filed as French
 * among two thousand English ones) looked rarer than any English term, and those few chunks came first for English
 * questions that merely share "server" or "dell" with them.
 *
 * Kept like chunk_stats, by statement-level triggers with transition tables: one upsert per statement, cascaded
 * deletes included.
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
    await q.query(`
      CREATE FUNCTION chunk_lang_stats_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO chunk_lang_stats (tenant_id, lang, chunks)
        SELECT tenant_id, lang, count(*) FROM added GROUP BY tenant_id, lang
        ON CONFLICT (tenant_id, lang) DO UPDATE SET chunks = chunk_lang_stats.chunks + EXCLUDED.chunks;
        RETURN NULL;
      END $$`);
    // Only an UPDATE, as for chunk_stats: a tenant being deleted may have lost its rows already.
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
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER chunk_lang_stats_insert ON chunk`);
    await q.query(`DROP TRIGGER chunk_lang_stats_delete ON chunk`);
    await q.query(`DROP FUNCTION chunk_lang_stats_added()`);
    await q.query(`DROP FUNCTION chunk_lang_stats_removed()`);
    await q.query(`DROP TABLE chunk_lang_stats`);
  }
}
