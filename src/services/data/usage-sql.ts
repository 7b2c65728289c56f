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
 * SQL that records usage rows selected by `source` (a CTE or subquery yielding the usage_record columns plus
 * `at`): each raw record, and its tenant's daily roll-up in the same statement, so they commit together or not at
 * all. ERROR (an ask whose process died) counts as failed in the roll-up. Parameters are the caller's.
 */
export function recordUsageSql(source: string): string {
  return `rec AS (
      INSERT INTO usage_record (tenant_id, api_key_id, operation, outcome, code, latency_ms, input_tokens, output_tokens, ip, created_at)
      SELECT tenant_id, api_key_id, operation, outcome, code, latency_ms, input_tokens, output_tokens, ip, at FROM (${source}) s
      RETURNING tenant_id, outcome, input_tokens, output_tokens, created_at
    ), daily AS (
      SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS requests,
             count(*) FILTER (WHERE outcome = 'SUCCEEDED')::int AS succeeded,
             count(*) FILTER (WHERE outcome = 'REFUSED')::int AS refused,
             count(*) FILTER (WHERE outcome IN ('FAILED', 'ERROR'))::int AS failed,
             sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens
      FROM rec WHERE tenant_id IS NOT NULL GROUP BY 1, 2
    )
    INSERT INTO usage_daily AS d (tenant_id, day, requests, succeeded, refused, failed, input_tokens, output_tokens)
      SELECT * FROM daily
    ON CONFLICT (tenant_id, day) DO UPDATE SET
      requests = d.requests + EXCLUDED.requests, succeeded = d.succeeded + EXCLUDED.succeeded,
      refused = d.refused + EXCLUDED.refused, failed = d.failed + EXCLUDED.failed,
      input_tokens = d.input_tokens + EXCLUDED.input_tokens, output_tokens = d.output_tokens + EXCLUDED.output_tokens`;
}

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
