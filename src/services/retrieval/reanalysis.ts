import type { DataSource, EntityManager } from 'typeorm';
import { ANALYSIS_VERSION, type Language } from '../text/analyzer';
import { forwardIndex } from './pg-retrieval-index';

// Any constant: the advisory lock that lets one process at a time re-analyse a shared database's chunks.
const REANALYSIS_LOCK = 4_242_017;
// Chunks read and rewritten per statement: bounded memory, and few round trips.
const BATCH = 1000;

type Query = Pick<EntityManager, 'query'>;

async function storedVersion(q: Query): Promise<number | null> {
  const rows: { version: number }[] = await q.query('SELECT version FROM index_analysis');
  return rows[0]?.version ?? null;
}

/**
 * Rewrites every chunk's forward index (terms, counts, field lengths) when the analysis that wrote it is older than
 * this build's (ANALYSIS_VERSION), so a change to the analyzer reaches documents indexed before it: otherwise their
 * stored terms would no longer meet the terms questions are analysed into (a glued "R730xd" indexed whole would never
 * match the "r730" a question now yields). Each start reads one row; the rewrite runs once per analysis change, in one
 * transaction under an advisory lock, so processes starting together re-analyse once and a crash leaves the old
 * index whole. It runs before this process builds any in-memory index (backends.ts), so the copies it builds read the
 * new terms; processes of the previous build still running keep copies analysed their own way, which agree with how
 * they analyse questions, until they are replaced. The tenants' length totals are recounted (BM25's averages).
 * Returns the number of chunks rewritten.
 */
export async function reanalyzeIfStale(dataSource: DataSource): Promise<number> {
  if ((await storedVersion(dataSource)) === ANALYSIS_VERSION) return 0;
  return dataSource.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [REANALYSIS_LOCK]);
    if ((await storedVersion(m)) === ANALYSIS_VERSION) return 0;
    let after = 0;
    let rewritten = 0;
    for (;;) {
      const rows: { seq: number; heading: string; text: string; lang: Language; title: string }[] = await m.query(
        `SELECT c.seq, c.heading, c.text, c.lang, d.title
         FROM chunk c JOIN document d ON d.id = c.document_id
         WHERE c.seq > $1 ORDER BY c.seq LIMIT $2`,
        [after, BATCH],
      );
      if (rows.length === 0) break;
      const entries = rows.map((r) => forwardIndex(r.title, r.heading, r.text, r.lang));
      await m.query(
        `UPDATE chunk c SET title_len = u.title_len, body_len = u.body_len, terms = u.terms, tfs = decode(u.tfs, 'hex')
         FROM unnest($1::int[], $2::int[], $3::int[], $4::text[], $5::text[]) AS u(seq, title_len, body_len, terms, tfs)
         WHERE c.seq = u.seq`,
        [rows.map((r) => r.seq), entries.map((e) => e.titleLen), entries.map((e) => e.bodyLen), entries.map((e) => e.terms), entries.map((e) => e.tfs)],
      );
      rewritten += rows.length;
      after = rows[rows.length - 1].seq;
    }
    await m.query(
      `UPDATE chunk_stats s SET title_len = t.title_len, body_len = t.body_len
       FROM (SELECT tenant_id, sum(title_len) AS title_len, sum(body_len) AS body_len FROM chunk GROUP BY tenant_id) t
       WHERE s.tenant_id = t.tenant_id`,
    );
    await m.query('UPDATE index_analysis SET version = $1', [ANALYSIS_VERSION]);
    return rewritten;
  });
}
