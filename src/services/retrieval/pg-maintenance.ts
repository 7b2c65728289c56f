import type { Sql } from './types';

// Below this many new postings a fresh ANALYZE would change no plan.
const MIN_POSTINGS = 20_000;
// Analyse again once the postings added since the last ANALYZE reach this share of what the table held then.
const GROWTH = 0.25;
// Where no checkpointer runs, CHECKPOINT after this much WAL: it bounds the WAL an ingestion holds between
// checkpoints; what a checkpoint leaves behind is PGlite's max_wal_size (src/pglite.ts).
const CHECKPOINT_WAL_BYTES = 32 * 1024 * 1024;

/**
 * Keeps the planner's statistics and the visibility map of the retrieval tables current while documents arrive.
 * PGlite runs no autovacuum, so its tables were never analysed, and on a server autovacuum comes late in a bulk
 * ingestion: a search planned on tables the planner believed empty read every posting of its terms (1.4 s at 10k
 * chunks; 0.07 s after ANALYZE). Because the threshold grows with the table, the runs cost a bounded share of an
 * ingestion however large it gets: ANALYZE reads a fixed-size sample, VACUUM only the pages written since the last
 * run. Counts are per process; other processes only make the run come later.
 *
 * It also checkpoints where nothing else does: PGlite runs in single-user mode, without a checkpointer, so its WAL
 * is recycled only at CHECKPOINT or shutdown and grew with every write (273 MB of WAL beside 127 MB of tables during
 * a 10k-chunk ingestion). Ingestion writes nearly all of this database's WAL, so it is where the check belongs.
 */
export class PgMaintenance {
  private pending = 0;
  private analysed: number | null = null;
  private running = false;
  /** The WAL position of the last checkpoint we asked for; null where a checkpointer does the job. */
  private walMark: string | null | undefined;

  constructor(private readonly sql: Sql) {}

  /** Notes that `postings` postings were written, and analyses the retrieval tables when enough have been. */
  async added(postings: number): Promise<void> {
    await this.checkpointIfDue();
    this.pending += postings;
    if (this.analysed === null) this.analysed = await this.postingsAtLastAnalyze();
    if (this.running || this.pending < Math.max(MIN_POSTINGS, this.analysed * GROWTH)) return;
    // One at a time: concurrent ingestions would otherwise analyse the same tables twice over.
    this.running = true;
    try {
      const grown = this.analysed + this.pending;
      this.pending = 0;
      await this.analyse();
      this.analysed = grown;
    } finally {
      this.running = false;
    }
  }

  /**
   * ANALYZE for the planner; VACUUM marks the new pages all-visible, so a search reads postings from
   * posting_term_impact alone (index-only scan), and clears the dead versions the df updates leave in index_term.
   */
  async analyse(): Promise<void> {
    await this.sql.query('VACUUM (ANALYZE) chunk, index_term, posting');
  }

  private async checkpointIfDue(): Promise<void> {
    if (this.walMark === undefined) {
      const [{ manual, lsn }] = await this.sql.query<{ manual: boolean; lsn: string }[]>(
        `SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'checkpointer') AS manual,
                pg_current_wal_lsn()::text AS lsn`,
      );
      this.walMark = manual ? lsn : null;
    }
    if (this.walMark === null) return;
    const [{ bytes, lsn }] = await this.sql.query<{ bytes: number; lsn: string }[]>(
      `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::float8 AS bytes, pg_current_wal_lsn()::text AS lsn`,
      [this.walMark],
    );
    if (Number(bytes) < CHECKPOINT_WAL_BYTES) return;
    await this.sql.query('CHECKPOINT');
    this.walMark = lsn;
  }

  private async postingsAtLastAnalyze(): Promise<number> {
    // reltuples is what the last ANALYZE (or VACUUM) saw; -1 when there was none.
    const rows = await this.sql.query<{ n: number }[]>(
      `SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = 'posting'::regclass`,
    );
    return Number(rows[0]?.n ?? 0);
  }
}
