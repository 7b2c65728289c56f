import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inside a tenant: secret and publishable keys, visitors, the visitor cap, the operator's self-service switch, and
 * what unansweredQuestions reads. Every existing key is a secret key (the default of `kind`).
 *
 * - `conversation.visitor_id`: the visitor of the page that began a conversation with a publishable key; a
 *   publishable key's scope lists only its visitor's conversations, through `conversation_visitor`.
 * - `message.grounded`: whether an answer was supported by the retrieved passages (null for earlier answers).
 * - `visitor_ask_counter`: one row per tenant, UTC day and visitor, bumped by the statement that takes an ask's
 *   quota lease, under the same row-lock discipline as `quota_counter`, so the cap is exact under concurrency.
 *   The lease remembers the visitor and day, so a lease given back (or reclaimed) gives the visitor's ask back too.
 */
export class InsideTenant1764830000000 implements MigrationInterface {
  name = 'InsideTenant1764830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_key ADD COLUMN kind varchar(16) NOT NULL DEFAULT 'SECRET'`);
    await q.query(`ALTER TABLE tenant ADD COLUMN document_self_service boolean NOT NULL DEFAULT false, ADD COLUMN visitor_asks_per_day integer`);
    await q.query(`ALTER TABLE conversation ADD COLUMN visitor_id varchar(128)`);
    await q.query(`CREATE INDEX conversation_visitor ON conversation (tenant_id, visitor_id, updated_at, id) WHERE visitor_id IS NOT NULL`);
    await q.query(`ALTER TABLE message ADD COLUMN grounded boolean`);
    await q.query(`CREATE INDEX message_ungrounded ON message (tenant_id, created_at) WHERE grounded = false`);
    await q.query(`
      CREATE TABLE visitor_ask_counter (
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        day date NOT NULL,
        visitor_id varchar(128) NOT NULL,
        used integer NOT NULL,
        PRIMARY KEY (tenant_id, day, visitor_id)
      )`);
    await q.query(`ALTER TABLE quota_lease ADD COLUMN visitor_id varchar(128), ADD COLUMN visitor_day date`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE quota_lease DROP COLUMN visitor_day, DROP COLUMN visitor_id`);
    await q.query(`DROP TABLE visitor_ask_counter`);
    await q.query(`DROP INDEX message_ungrounded`);
    await q.query(`ALTER TABLE message DROP COLUMN grounded`);
    await q.query(`DROP INDEX conversation_visitor`);
    await q.query(`ALTER TABLE conversation DROP COLUMN visitor_id`);
    await q.query(`ALTER TABLE tenant DROP COLUMN visitor_asks_per_day, DROP COLUMN document_self_service`);
    await q.query(`ALTER TABLE api_key DROP COLUMN kind`);
  }
}
