import type { Db } from '../data/db';
import { affected } from '../data/affected';
import { recordUsageSql } from '../usage/usage-sql';

/** Quota leases across tenants, for the system's job that reclaims the leases of dead processes. */
export class QuotaOperatorStore {
  constructor(private readonly db: Db) {}

  /** Drops the visitors' daily counts of days before `before` (each is only read on its own day). */
  async purgeVisitorCounts(before: string): Promise<number> {
    return affected(await this.db.query('DELETE FROM visitor_ask_counter WHERE day < $1::date', [before]));
  }

  /**
   * Ends the leases whose process died (expired at `now`): each gives its request back and is recorded in usage as
   * ERROR, in one statement. DELETE … RETURNING hands each lease to exactly one reclaimer, so processes running this
   * at the same time never reclaim a lease twice. A lease that a settle (of a batch, which locks several) holds at
   * that moment is skipped rather than waited for: its ask is alive, and waiting could close a cycle of locks.
   */
  async reclaimExpiredLeases(now: Date): Promise<number> {
    const rows: { n: number }[] = await this.db.query(
      `WITH gone AS (
         DELETE FROM quota_lease WHERE id IN (SELECT id FROM quota_lease WHERE expires_at < $1 FOR UPDATE SKIP LOCKED) RETURNING *
       ), visitor_back AS (
         -- Listed before given_back, so it runs (and locks) first: visitor row, then month row, as an ask does.
         UPDATE visitor_ask_counter v SET used = greatest(0, v.used - g.n)
         FROM (SELECT tenant_id, visitor_day, visitor_id, count(*)::int AS n FROM gone WHERE visitor_id IS NOT NULL GROUP BY 1, 2, 3) g
         WHERE v.tenant_id = g.tenant_id AND v.day = g.visitor_day AND v.visitor_id = g.visitor_id
       ), given_back AS (
         UPDATE quota_counter q SET used = greatest(0, q.used - g.n)
         FROM (SELECT tenant_id, month, count(*)::int AS n FROM gone GROUP BY 1, 2) g
         WHERE q.tenant_id = g.tenant_id AND q.month = g.month
       ), ${recordUsageSql(`SELECT tenant_id, api_key_id, operation, 'ERROR'::varchar AS outcome, 'LEASE_EXPIRED'::varchar AS code,
            greatest(0, extract(epoch FROM ($1::timestamptz - started_at)) * 1000)::int AS latency_ms,
            0 AS input_tokens, 0 AS output_tokens, ip, started_at AS at FROM gone`)}
       SELECT count(*)::int AS n FROM gone`,
      [now],
    );
    return rows[0]?.n ?? 0;
  }
}
