import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROLL_UP_PENDING_USAGE } from '../services/usage/usage-sql';

/**
 * Usage roll-ups move out of the ask's statement. Bumping `usage_daily` there made one row per tenant and day that
 * every call of the tenant locked until its commit was flushed to disk, so a tenant's calls queued on the disk one
 * by one. Now a call appends its figures to `usage_pending` (no shared row), every process folds the pending rows
 * into `usage_daily` in batches (`ROLL_UP_PENDING_USAGE`, each row exactly once), and reports read `usage_live`:
 * the roll-up plus what is still pending, so they stay exact to the last call.
 */
export class UsageRollupQueue1764600000100 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE usage_pending (
        id bigserial PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        day date NOT NULL,
        outcome varchar(16) NOT NULL,
        input_tokens integer NOT NULL,
        output_tokens integer NOT NULL
      )`);
    await q.query(`
      CREATE VIEW usage_live AS
        SELECT tenant_id, day, requests, succeeded, refused, failed, input_tokens, output_tokens FROM usage_daily
        UNION ALL
        SELECT tenant_id, day, count(*)::int, count(*) FILTER (WHERE outcome = 'SUCCEEDED')::int,
               count(*) FILTER (WHERE outcome = 'REFUSED')::int, count(*) FILTER (WHERE outcome IN ('FAILED', 'ERROR'))::int,
               sum(input_tokens)::bigint, sum(output_tokens)::bigint
        FROM usage_pending GROUP BY tenant_id, day`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Fold what is pending first, so the old schema's roll-up is complete.
    await q.query(ROLL_UP_PENDING_USAGE, [Number.MAX_SAFE_INTEGER]);
    await q.query(`DROP VIEW usage_live`);
    await q.query(`DROP TABLE usage_pending`);
  }
}
