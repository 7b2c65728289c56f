import { DataSource } from 'typeorm';
import { Granularity } from '../entities/enums';
import type { UsageOutcome } from '../entities/usage-record.entity';
import { BadInput } from '../errors';

export interface UsageEntry {
  tenantId: string | null;
  apiKeyId: string | null;
  operation: string;
  outcome: UsageOutcome;
  code: string | null;
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  ip: string | null;
}

export interface UsageTotals {
  requests: number;
  succeeded: number;
  refused: number;
  failed: number;
  inputTokens: number;
  outputTokens: number;
}

export interface UsageBucketRow extends UsageTotals {
  start: Date;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const MAX_DAY_BUCKETS = 1_000;

/** Parses "YYYY-MM" into its UTC start and the start of the next month. */
export function monthRange(month: string): { start: Date; end: Date } {
  const match = MONTH.exec(month);
  if (!match) throw BadInput('month must be YYYY-MM.', 'month');
  const start = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  return { start, end: new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)) };
}

/**
 * Usage of metered calls. Each call writes one raw record and bumps its tenant's daily roll-up in the same
 * statement; reports only read the roll-up (one row per tenant per day), so they stay fast over months of traffic.
 * Raw records are the audit trail and are trimmed by retention (USAGE_RECORD_RETENTION_DAYS).
 */
export class UsageService {
  constructor(private readonly dataSource: DataSource) {}

  async record(entry: UsageEntry, at = new Date()): Promise<void> {
    const succeeded = entry.outcome === 'SUCCEEDED' ? 1 : 0;
    const refused = entry.outcome === 'REFUSED' ? 1 : 0;
    const failed = entry.outcome === 'FAILED' ? 1 : 0;
    // One statement: the record and its roll-up commit together or not at all.
    await this.dataSource.query(
      `WITH rec AS (
         INSERT INTO usage_record (tenant_id, api_key_id, operation, outcome, code, latency_ms, input_tokens, output_tokens, ip, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING tenant_id
       )
       INSERT INTO usage_daily AS d (tenant_id, day, requests, succeeded, refused, failed, input_tokens, output_tokens)
         SELECT tenant_id, $11::date, 1, $12, $13, $14, $7, $8 FROM rec WHERE tenant_id IS NOT NULL
       ON CONFLICT (tenant_id, day) DO UPDATE SET
         requests = d.requests + 1, succeeded = d.succeeded + EXCLUDED.succeeded, refused = d.refused + EXCLUDED.refused,
         failed = d.failed + EXCLUDED.failed, input_tokens = d.input_tokens + EXCLUDED.input_tokens,
         output_tokens = d.output_tokens + EXCLUDED.output_tokens`,
      [
        entry.tenantId, entry.apiKeyId, entry.operation, entry.outcome, entry.code, Math.round(entry.latencyMs),
        entry.inputTokens, entry.outputTokens, entry.ip, at, at.toISOString().slice(0, 10), succeeded, refused, failed,
      ],
    );
  }

  /**
   * Buckets (UTC days or months) covering [from, to): every bucket in the range is listed, empty ones with zeros,
   * so charts need no gap filling. A bucket is included when its start is before `to` and its end after `from`.
   */
  /** tenantId null: every tenant together (the service-wide chart). */
  async report(tenantId: string | null, from: Date, to: Date, granularity: Granularity): Promise<{ buckets: UsageBucketRow[]; total: UsageTotals }> {
    if (!(from < to)) throw BadInput('from must be before to.', 'from');
    const unit = granularity === Granularity.MONTH ? 'month' : 'day';
    if (unit === 'day' && (to.getTime() - from.getTime()) / 86_400_000 > MAX_DAY_BUCKETS) {
      throw BadInput(`A DAY report covers at most ${MAX_DAY_BUCKETS} days; use MONTH.`, 'to');
    }
    const rows: Record<string, string | Date>[] = await this.dataSource.query(
      `WITH buckets AS (
         SELECT generate_series(date_trunc('${unit}', $2::timestamptz AT TIME ZONE 'UTC'),
                                ($3::timestamptz AT TIME ZONE 'UTC') - interval '1 microsecond',
                                interval '1 ${unit}') AS start
       )
       SELECT b.start AT TIME ZONE 'UTC' AS start,
              coalesce(sum(d.requests), 0)::int AS requests, coalesce(sum(d.succeeded), 0)::int AS succeeded,
              coalesce(sum(d.refused), 0)::int AS refused, coalesce(sum(d.failed), 0)::int AS failed,
              coalesce(sum(d.input_tokens), 0)::bigint AS input_tokens, coalesce(sum(d.output_tokens), 0)::bigint AS output_tokens
       FROM buckets b
       LEFT JOIN usage_daily d ON ($1::uuid IS NULL OR d.tenant_id = $1::uuid) AND date_trunc('${unit}', d.day::timestamp) = b.start
       GROUP BY b.start ORDER BY b.start`,
      [tenantId, from, to],
    );
    const buckets = rows.map((r) => ({ start: new Date(r.start as Date), ...totals(r) }));
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
  async summary(month: string): Promise<({ tenantId: string } & UsageTotals)[]> {
    const { start, end } = monthRange(month);
    const rows: Record<string, string>[] = await this.dataSource.query(
      `SELECT t.id AS tenant_id,
              coalesce(sum(d.requests), 0)::int AS requests, coalesce(sum(d.succeeded), 0)::int AS succeeded,
              coalesce(sum(d.refused), 0)::int AS refused, coalesce(sum(d.failed), 0)::int AS failed,
              coalesce(sum(d.input_tokens), 0)::bigint AS input_tokens, coalesce(sum(d.output_tokens), 0)::bigint AS output_tokens
       FROM tenant t LEFT JOIN usage_daily d ON d.tenant_id = t.id AND d.day >= $1::date AND d.day < $2::date
       GROUP BY t.id, t.created_at ORDER BY requests DESC, t.created_at, t.id`,
      [start.toISOString().slice(0, 10), end.toISOString().slice(0, 10)],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, ...totals(r) }));
  }

  /** Trims raw records past retention; the daily roll-ups, which reports and invoices read, are kept. */
  async purge(retentionDays: number): Promise<number> {
    const result = await this.dataSource.query(
      `DELETE FROM usage_record WHERE created_at < now() - make_interval(days => $1)`,
      [retentionDays],
    );
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }
}

function totals(r: Record<string, unknown>): UsageTotals {
  return {
    requests: Number(r.requests), succeeded: Number(r.succeeded), refused: Number(r.refused), failed: Number(r.failed),
    inputTokens: Number(r.input_tokens), outputTokens: Number(r.output_tokens),
  };
}
