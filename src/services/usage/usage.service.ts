import type { Clock } from '../../clock';
import { Granularity } from '../../entities/enums';
import { BadInput } from '../../errors';
import type { TenantScope } from '../tenant-scope';
import type { UsageOperatorStore } from './usage.operator-store';
import type { UsageBucketRow, UsageTotals } from './usage-sql';

export type { UsageBucketRow, UsageTotals } from './usage-sql';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
// Every report is bounded, whatever its granularity: each bucket is a row built and sent, and a range from year 1
// to 9999 in months was ~120k of them per call.
const MAX_DAY_BUCKETS = 1_000;
const MAX_MONTH_BUCKETS = 120;
const DAY_MS = 86_400_000;

/** Parses "YYYY-MM" into its UTC start and the start of the next month. */
export function monthRange(month: string): { start: Date; end: Date } {
  const match = MONTH.exec(month);
  if (!match) throw BadInput('month must be YYYY-MM.', 'month');
  const start = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  return { start, end: new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)) };
}

/**
 * Usage reports. Metering writes each call as one raw record plus a pending roll-up row, in one statement; every
 * process folds pending rows into the daily roll-up every few seconds (`rollUp`). Reports read the roll-up plus what
 * is pending (one row per tenant per day, and a few seconds of calls), so they are exact to the last call and stay
 * fast over months of traffic. Raw records are the audit trail and are trimmed by retention
 * (USAGE_RECORD_RETENTION_DAYS).
 */
export class UsageService {
  constructor(
    private readonly store: UsageOperatorStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Every bucket (UTC day or month) of [from, to), empty ones at zero, and their total: of one tenant (its
   * scope), or of every tenant together (null, for the operator's service-wide chart).
   */
  async report(scope: TenantScope | null, from: Date, to: Date, granularity: Granularity): Promise<{ buckets: UsageBucketRow[]; total: UsageTotals }> {
    if (!(from < to)) throw BadInput('from must be before to.', 'from');
    const unit = granularity === Granularity.MONTH ? 'month' : 'day';
    if (unit === 'day' && (to.getTime() - from.getTime()) / DAY_MS > MAX_DAY_BUCKETS) {
      throw BadInput(`A DAY report covers at most ${MAX_DAY_BUCKETS} days; use MONTH.`, 'to');
    }
    const last = new Date(to.getTime() - 1); // `to` is excluded
    const months = (last.getUTCFullYear() - from.getUTCFullYear()) * 12 + last.getUTCMonth() - from.getUTCMonth() + 1;
    if (unit === 'month' && months > MAX_MONTH_BUCKETS) {
      throw BadInput(`A MONTH report covers at most ${MAX_MONTH_BUCKETS / 12} years (${MAX_MONTH_BUCKETS} months).`, 'to');
    }
    const buckets = await (scope ? scope.usage : this.store).usageBuckets(from, to, unit);
    const total = buckets.reduce(
      (sum, b) => ({
        requests: sum.requests + b.requests, succeeded: sum.succeeded + b.succeeded, refused: sum.refused + b.refused,
        failed: sum.failed + b.failed, inputTokens: sum.inputTokens + b.inputTokens, outputTokens: sum.outputTokens + b.outputTokens,
      }),
      { requests: 0, succeeded: 0, refused: 0, failed: 0, inputTokens: 0, outputTokens: 0 },
    );
    return { buckets, total };
  }

  /** Every tenant's usage in a month, busiest first (tenants with no traffic included, at zero). */
  summary(month: string): Promise<({ tenantId: string } & UsageTotals)[]> {
    const { start, end } = monthRange(month);
    return this.store.usageSummary(start, end);
  }

  /** Folds pending usage into the daily roll-up, in batches, until none is left; returns how many rows. */
  async rollUp(batch = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.store.rollUpUsage(batch);
      total += n;
      if (n < batch) return total;
    }
  }

  /** Trims raw records past retention; the daily roll-ups, which reports and invoices read, are kept. */
  purge(retentionDays: number): Promise<number> {
    return this.store.purgeUsageRecords(new Date(this.clock.now() - retentionDays * DAY_MS));
  }
}
