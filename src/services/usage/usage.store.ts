import type { Db } from '../data/db';
import { RECORD_USAGE_SQL, UsageBucketRow, usageBuckets, usageBucketsSql, UsageEntry, usageParams } from './usage-sql';

/** One tenant's usage: recording a call and reading its buckets; every statement carries the tenant condition. */
export class UsageStore {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
  ) {}

  /** Records one call of this tenant (refused before any lease was taken). */
  async recordUsage(usage: Omit<UsageEntry, 'tenantId'>, at: Date): Promise<void> {
    await this.db.run('usage-record', RECORD_USAGE_SQL, usageParams({ ...usage, tenantId: this.tenantId }, at));
  }

  /** This tenant's usage buckets over [from, to) (see usageBucketsSql). */
  async usageBuckets(from: Date, to: Date, unit: 'day' | 'month'): Promise<UsageBucketRow[]> {
    return usageBuckets(await this.db.query(usageBucketsSql(unit), [this.tenantId, from, to]));
  }
}
