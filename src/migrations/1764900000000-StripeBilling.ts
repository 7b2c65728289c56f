import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Billing with Stripe. `tenant_billing` is a row of its own beside the tenant, not columns on it: the operator's
 * tenant changes save the whole tenant row, and would otherwise write back billing fields a webhook had just set.
 * `billing_outbox` holds the changes still to send to Stripe, written in the same transaction as the operator's
 * change, so none is lost when Stripe is unreachable; its rows outlive their tenant, so a deleted tenant's
 * subscription is still cancelled. `stripe_event` makes webhook deliveries idempotent.
 */
export class StripeBilling1764900000000 implements MigrationInterface {
  name = 'StripeBilling1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenant_billing (
        tenant_id uuid PRIMARY KEY REFERENCES tenant(id) ON DELETE CASCADE,
        customer_id text UNIQUE,
        subscription_id text,
        subscription_item_id text,
        subscribed_plan varchar(16),
        status varchar(16) NOT NULL DEFAULT 'ACTIVE',
        past_due_since timestamptz,
        suspend_at timestamptz,
        failed_invoice_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE billing_outbox (
        id bigserial PRIMARY KEY,
        tenant_id uuid NOT NULL,
        kind varchar(16) NOT NULL,
        subscription_id text,
        month varchar(7),
        dedupe_key text UNIQUE,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        done_at timestamptz,
        last_error text,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX billing_outbox_due ON billing_outbox (next_attempt_at) WHERE done_at IS NULL`);
    await q.query(`CREATE INDEX billing_outbox_tenant ON billing_outbox (tenant_id)`);
    await q.query(`
      CREATE TABLE stripe_event (
        id text PRIMARY KEY,
        type text NOT NULL,
        received_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stripe_event`);
    await q.query(`DROP TABLE billing_outbox`);
    await q.query(`DROP TABLE tenant_billing`);
  }
}
