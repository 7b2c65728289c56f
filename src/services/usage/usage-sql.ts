import type { UsageOutcome } from '../../entities/usage-record.entity';

/** One metered call as usage records it. */
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

/**
 * CTEs that record usage rows selected by `source` (a subquery yielding the usage_record columns plus `at`): each
 * raw record, and its figures queued for the daily roll-up, in the same statement, so they commit together or not
 * at all. No row here is shared between calls (see the UsageRollupQueue migration). Parameters are the caller's;
 * the caller ends the statement with its own SELECT.
 */
export function recordUsageSql(source: string): string {
  return `rec AS (
      INSERT INTO usage_record (tenant_id, api_key_id, operation, outcome, code, latency_ms, input_tokens, output_tokens, ip, created_at)
      SELECT tenant_id, api_key_id, operation, outcome, code, latency_ms, input_tokens, output_tokens, ip, at FROM (${source}) s
      RETURNING tenant_id, outcome, input_tokens, output_tokens, created_at
    ), queued AS (
      INSERT INTO usage_pending (tenant_id, day, outcome, input_tokens, output_tokens)
      SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date, outcome, input_tokens, output_tokens FROM rec WHERE tenant_id IS NOT NULL
    )`;
}

/**
 * Folds up to $1 pending usage rows into the daily roll-up, in one statement. DELETE … RETURNING hands each pending
 * row to exactly one process, and SKIP LOCKED lets processes folding at the same time take different rows instead
 * of waiting on each other. ERROR (an ask whose process died) counts as failed. Returns how many rows it folded.
 */
export const ROLL_UP_PENDING_USAGE = `WITH moved AS (
    DELETE FROM usage_pending WHERE id IN (SELECT id FROM usage_pending ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
    RETURNING tenant_id, day, outcome, input_tokens, output_tokens
  ), daily AS (
    SELECT tenant_id, day, count(*)::int AS requests,
           count(*) FILTER (WHERE outcome = 'SUCCEEDED')::int AS succeeded,
           count(*) FILTER (WHERE outcome = 'REFUSED')::int AS refused,
           count(*) FILTER (WHERE outcome IN ('FAILED', 'ERROR'))::int AS failed,
           sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens
    FROM moved GROUP BY 1, 2
  ), rolled AS (
    INSERT INTO usage_daily AS d (tenant_id, day, requests, succeeded, refused, failed, input_tokens, output_tokens)
      SELECT * FROM daily
    ON CONFLICT (tenant_id, day) DO UPDATE SET
      requests = d.requests + EXCLUDED.requests, succeeded = d.succeeded + EXCLUDED.succeeded,
      refused = d.refused + EXCLUDED.refused, failed = d.failed + EXCLUDED.failed,
      input_tokens = d.input_tokens + EXCLUDED.input_tokens, output_tokens = d.output_tokens + EXCLUDED.output_tokens
  )
  SELECT count(*)::int AS n FROM moved`;

/** Records one entry (parameters: usageParams). */
export const RECORD_USAGE_SQL = `WITH ${recordUsageSql(usageValues(1))} SELECT 1`;

/** The VALUES row of one entry, as `source` for recordUsageSql, with parameters starting at `$first`. */
export function usageValues(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `SELECT ${p(0)}::uuid AS tenant_id, ${p(1)}::uuid AS api_key_id, ${p(2)}::varchar AS operation,
    ${p(3)}::varchar AS outcome, ${p(4)}::varchar AS code, ${p(5)}::int AS latency_ms, ${p(6)}::int AS input_tokens,
    ${p(7)}::int AS output_tokens, ${p(8)}::varchar AS ip, ${p(9)}::timestamptz AS at`;
}

export function usageParams(entry: UsageEntry, at: Date): unknown[] {
  return [
    entry.tenantId, entry.apiKeyId, entry.operation, entry.outcome, entry.code, Math.round(entry.latencyMs),
    entry.inputTokens, entry.outputTokens, entry.ip, at,
  ];
}

/**
 * Buckets (UTC days or months) covering [$2, $3): every bucket in the range is listed, empty ones with zeros, so
 * charts need no gap filling. A bucket is included when its start is before `to` and its end after `from`. `$1` is
 * the tenant, or null for every tenant together.
 */
export function usageBucketsSql(unit: 'day' | 'month'): string {
  return `WITH buckets AS (
      SELECT generate_series(date_trunc('${unit}', $2::timestamptz AT TIME ZONE 'UTC'),
                             ($3::timestamptz AT TIME ZONE 'UTC') - interval '1 microsecond',
                             interval '1 ${unit}') AS start
    )
    SELECT b.start AT TIME ZONE 'UTC' AS start, ${USAGE_SUMS}
    FROM buckets b
    LEFT JOIN usage_live d ON ($1::uuid IS NULL OR d.tenant_id = $1::uuid) AND date_trunc('${unit}', d.day::timestamp) = b.start
    GROUP BY b.start ORDER BY b.start`;
}

/** The summed roll-up columns, as reports select them. */
export const USAGE_SUMS = `coalesce(sum(d.requests), 0)::int AS requests, coalesce(sum(d.succeeded), 0)::int AS succeeded,
  coalesce(sum(d.refused), 0)::int AS refused, coalesce(sum(d.failed), 0)::int AS failed,
  coalesce(sum(d.input_tokens), 0)::bigint AS input_tokens, coalesce(sum(d.output_tokens), 0)::bigint AS output_tokens`;

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

export function usageTotals(r: Record<string, unknown>): UsageTotals {
  return {
    requests: Number(r.requests), succeeded: Number(r.succeeded), refused: Number(r.refused), failed: Number(r.failed),
    inputTokens: Number(r.input_tokens), outputTokens: Number(r.output_tokens),
  };
}

export function usageBuckets(rows: Record<string, unknown>[]): UsageBucketRow[] {
  return rows.map((r) => ({ start: new Date(r.start as Date), ...usageTotals(r) }));
}
