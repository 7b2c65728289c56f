import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The data model of the contract. SQL is written so that PostgreSQL 15 (Debian, CI) and PGlite (PostgreSQL 18)
 * both accept it. Every tenant-owned row cascades from `tenant`, so deleting a tenant erases all it owns.
 */
export class Foundation1763900000000 implements MigrationInterface {
  name = 'Foundation1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE plan (
        code varchar(16) PRIMARY KEY,
        name varchar(64) NOT NULL,
        monthly_quota integer NULL,
        rate_per_minute integer NOT NULL,
        price_cents integer NOT NULL,
        extra_key_price_cents integer NULL,
        trial_days integer NULL,
        max_active_keys integer NULL
      )`);
    // The contract's plan table. max_active_keys: DEMO and STARTER hold one active key; the others any number.
    await q.query(`
      INSERT INTO plan (code, name, monthly_quota, rate_per_minute, price_cents, extra_key_price_cents, trial_days, max_active_keys) VALUES
        ('DEMO', 'Demo', 100, 5, 0, NULL, 30, 1),
        ('STARTER', 'Starter', 1000, 10, 9900, NULL, NULL, 1),
        ('BUSINESS', 'Business', 10000, 30, 29900, 5000, NULL, NULL),
        ('ENTERPRISE', 'Enterprise', NULL, 100, 99900, 5000, NULL, NULL)`);

    await q.query(`
      CREATE TABLE tenant (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug varchar(64) NOT NULL UNIQUE,
        name varchar(200) NOT NULL,
        contact_email varchar(254) NOT NULL,
        plan_code varchar(16) NOT NULL REFERENCES plan(code),
        status varchar(16) NOT NULL DEFAULT 'ACTIVE',
        suspended_reason text NULL,
        quota_override integer NULL,
        rate_override integer NULL,
        trial_ends_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX tenant_page ON tenant (created_at, id)`);

    // hash: hex HMAC-SHA-256 of the whole key under the server's pepper; the secret itself is never stored.
    await q.query(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NULL REFERENCES tenant(id) ON DELETE CASCADE,
        role varchar(8) NOT NULL,
        name varchar(100) NOT NULL,
        prefix varchar(16) NOT NULL,
        hash char(64) NOT NULL UNIQUE,
        revoked_at timestamptz NULL,
        expires_at timestamptz NULL,
        blocked_until timestamptz NULL,
        last_used_at timestamptz NULL,
        replaced_by uuid NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX api_key_tenant ON api_key (tenant_id, created_at)`);

    // One row per tenant and UTC month; the quota reservation is a single conditional upsert on it.
    await q.query(`
      CREATE TABLE quota_counter (
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        month char(7) NOT NULL,
        used integer NOT NULL DEFAULT 0 CHECK (used >= 0),
        PRIMARY KEY (tenant_id, month)
      )`);

    // Raw records are kept for audit and trimmed by retention; reports read the daily roll-up below.
    await q.query(`
      CREATE TABLE usage_record (
        id bigserial PRIMARY KEY,
        tenant_id uuid NULL REFERENCES tenant(id) ON DELETE CASCADE,
        api_key_id uuid NULL,
        operation varchar(32) NOT NULL,
        outcome varchar(16) NOT NULL,
        code varchar(32) NULL,
        latency_ms integer NOT NULL DEFAULT 0,
        input_tokens integer NOT NULL DEFAULT 0,
        output_tokens integer NOT NULL DEFAULT 0,
        ip varchar(64) NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX usage_record_tenant_time ON usage_record (tenant_id, created_at)`);
    await q.query(`CREATE INDEX usage_record_time ON usage_record (created_at)`);
    await q.query(`
      CREATE TABLE usage_daily (
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        day date NOT NULL,
        requests integer NOT NULL DEFAULT 0,
        succeeded integer NOT NULL DEFAULT 0,
        refused integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        input_tokens bigint NOT NULL DEFAULT 0,
        output_tokens bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, day)
      )`);

    await q.query(`
      CREATE TABLE audit_entry (
        id bigserial PRIMARY KEY,
        actor_key_id uuid NULL,
        actor varchar(64) NOT NULL,
        action varchar(64) NOT NULL,
        target_type varchar(32) NOT NULL,
        target_id varchar(64) NULL,
        detail jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_entry_time ON audit_entry (created_at)`);

    await q.query(`
      CREATE TABLE abuse_event (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(32) NOT NULL,
        tenant_id uuid NULL REFERENCES tenant(id) ON DELETE CASCADE,
        api_key_id uuid NULL,
        ip varchar(64) NULL,
        detail text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX abuse_event_page ON abuse_event (created_at, id)`);
    await q.query(`CREATE INDEX abuse_event_tenant ON abuse_event (tenant_id, created_at)`);

    await q.query(`
      CREATE TABLE quota_alert (
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        month char(7) NOT NULL,
        threshold integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, month, threshold)
      )`);

    await q.query(`
      CREATE TABLE document (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        title varchar(500) NOT NULL,
        source_url text NULL,
        mime_type varchar(32) NOT NULL,
        content_hash char(64) NOT NULL,
        chunk_count integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, content_hash)
      )`);
    await q.query(`CREATE INDEX document_page ON document (tenant_id, created_at, id)`);

    await q.query(`
      CREATE TABLE conversation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        api_key_id uuid NULL,
        title varchar(200) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX conversation_page ON conversation (tenant_id, updated_at, id)`);
    await q.query(`
      CREATE TABLE message (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        conversation_id uuid NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        role varchar(16) NOT NULL,
        content text NOT NULL,
        citations jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX message_conversation ON message (conversation_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'message', 'conversation', 'document', 'quota_alert', 'abuse_event', 'audit_entry', 'usage_daily',
      'usage_record', 'quota_counter', 'api_key', 'tenant', 'plan',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
