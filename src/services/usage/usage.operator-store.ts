import type { Db } from '../data/db';
import { affected } from '../data/affected';
import { RECORD_USAGE_SQL, ROLL_UP_PENDING_USAGE, USAGE_SUMS, UsageBucketRow, usageBuckets, usageBucketsSql, UsageEntry, usageParams, usageTotals, UsageTotals } from './usage-sql';

/** Usage across tenants: the service-wide reports, unattributed calls, the roll-up and retention. */
export class UsageOperatorStore {
  constructor(private readonly db: Db) {}

  /** A call that can't be attributed to a tenant (an unknown key), or any call recorded by a system job. */
  async recordUsage(usage: UsageEntry, at: Date): Promise<void> {
    await this.db.run('usage-record', RECORD_USAGE_SQL, usageParams(usage, at));
  }

  /** Folds up to `max` pending usage rows into the daily roll-up; returns how many (see ROLL_UP_PENDING_USAGE). */
  async rollUpUsage(max: number): Promise<number> {
    const rows: { n: number }[] = await this.db.query(ROLL_UP_PENDING_USAGE, [max]);
    return rows[0]?.n ?? 0;
  }

  /** Every tenant's usage together, in buckets over [from, to) (see usageBucketsSql). */
  async usageBuckets(from: Date, to: Date, unit: 'day' | 'month'): Promise<UsageBucketRow[]> {
    return usageBuckets(await this.db.query(usageBucketsSql(unit), [null, from, to]));
  }

  /** Every tenant's usage in [start, end), busiest first (tenants with no traffic included, at zero). */
  async usageSummary(start: Date, end: Date): Promise<({ tenantId: string } & UsageTotals)[]> {
    const rows: Record<string, string>[] = await this.db.query(
      `SELECT t.id AS tenant_id, ${USAGE_SUMS}
       FROM tenant t LEFT JOIN usage_live d ON d.tenant_id = t.id AND d.day >= $1::date AND d.day < $2::date
       GROUP BY t.id, t.created_at ORDER BY requests DESC, t.created_at, t.id`,
      [start.toISOString().slice(0, 10), end.toISOString().slice(0, 10)],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, ...usageTotals(r) }));
  }

  /** Trims raw usage records older than `before`; the daily roll-ups, which reports and invoices read, are kept. */
  async purgeUsageRecords(before: Date): Promise<number> {
    return affected(await this.db.query('DELETE FROM usage_record WHERE created_at < $1', [before]));
  }
}
