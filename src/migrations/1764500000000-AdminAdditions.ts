import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the pages, the console and the CLI need: the origins a tenant's widget may call from, answer ratings, and a
 * tenant column on the audit trail so the console can filter it.
 */
export class AdminAdditions1764500000000 implements MigrationInterface {
  name = 'AdminAdditions1764500000000';

  async up(q: QueryRunner): Promise<void> {
    // Empty means any origin: existing tenants keep working from wherever they are called today.
    await q.query(`ALTER TABLE tenant ADD COLUMN allowed_origins text[] NOT NULL DEFAULT '{}'`);

    // One rating per answer (message_id unique): rating again replaces it.
    await q.query(`
      CREATE TABLE answer_rating (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        message_id uuid NOT NULL UNIQUE REFERENCES message(id) ON DELETE CASCADE,
        rating varchar(8) NOT NULL CHECK (rating IN ('UP', 'DOWN')),
        comment text NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX answer_rating_tenant ON answer_rating (tenant_id, created_at, id)`);
    await q.query(`CREATE INDEX answer_rating_page ON answer_rating (created_at, id)`);

    // No foreign key: the trail must outlive the tenant it speaks of (deleteTenant is itself audited).
    await q.query(`ALTER TABLE audit_entry ADD COLUMN tenant_id uuid NULL`);
    // Past entries name their tenant as the target, in detail.tenantId, or through the key they acted on.
    await q.query(`
      UPDATE audit_entry a SET tenant_id = (
        SELECT CASE WHEN c ~ '^[0-9a-fA-F-]{36}$' THEN c::uuid END FROM coalesce(
          CASE WHEN a.target_type = 'tenant' THEN a.target_id END,
          a.detail->>'tenantId',
          (SELECT k.tenant_id::text FROM api_key k WHERE a.target_type = 'apiKey' AND k.id::text = a.target_id)) AS c)`);
    await q.query(`CREATE INDEX audit_entry_tenant ON audit_entry (tenant_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_entry_tenant`);
    await q.query(`ALTER TABLE audit_entry DROP COLUMN tenant_id`);
    await q.query(`DROP TABLE answer_rating`);
    await q.query(`ALTER TABLE tenant DROP COLUMN allowed_origins`);
  }
}
