import type { Sql } from './types';

// Below this many new chunks a fresh ANALYZE would change no plan.
const MIN_CHUNKS = 2_000;
// Analyse again once the chunks added since the last ANALYZE reach this share of what the table held then.
const GROWTH = 0.25;
// Where no checkpointer runs, CHECKPOINT after this much WAL: it bounds the WAL an ingestion holds between
// checkpoints; what a checkpoint leaves behind is PGlite's max_wal_size (src/pglite.ts).
const CHECKPOINT_WAL_BYTES = 32 * 1024 * 1024;

/**
 * Keeps the planner's statistics and the visibility map of the chunk table current while documents arrive. PGlite
 * runs no autovacuum, so its tables were never analysed, and on a server autovacuum comes late in a bulk
 * ingestion: the passage fetch and the index loads (pg-retriever.ts, tenant-index-cache.ts) read by index, which a
 * planner believing the table empty may not choose. Because the threshold grows with the table, the runs cost a bounded share of an
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

  /** Notes that `chunks` chunks were written, and analyses the chunk table when enough have been. */
  async added(chunks: number): Promise<void> {
    await this.checkpointIfDue();
    this.pending += chunks;
    if (this.analysed === null) this.analysed = await this.chunksAtLastAnalyze();
    if (this.running || this.pending < Math.max(MIN_CHUNKS, this.analysed * GROWTH)) return;
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

  /** ANALYZE for the planner; VACUUM makes the room re-indexed documents left free again. */
  async analyse(): Promise<void> {
    await this.sql.query('VACUUM (ANALYZE) chunk');
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

  private async chunksAtLastAnalyze(): Promise<number> {
    // reltuples is what the last ANALYZE (or VACUUM) saw; -1 when there was none.
    const rows = await this.sql.query<{ n: number }[]>(
      `SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = 'chunk'::regclass`,
    );
    return Number(rows[0]?.n ?? 0);
  }
}
