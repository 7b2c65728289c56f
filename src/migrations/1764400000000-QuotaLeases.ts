import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A quota reservation becomes a lease with an expiry. `quota_counter.used` still counts reservations (so the
 * conditional upsert keeps quotas exact), and each open reservation also has a `quota_lease` row. A finished ask
 * deletes its lease (kept: the answer was sent; released: given back). A lease whose process died is found by its
 * expiry, reclaimed by any live process, given back, and recorded in usage as ERROR — so every started ask ends in
 * usage and a client is charged only for answers it was sent.
 */
export class QuotaLeases1764400000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE quota_lease (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        month char(7) NOT NULL,
        api_key_id uuid NULL,
        operation varchar(32) NOT NULL,
        ip varchar(64) NULL,
        started_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX quota_lease_expiry ON quota_lease (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE quota_lease`);
  }
}
