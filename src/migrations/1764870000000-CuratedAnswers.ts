import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Curated answers: approved wording for frequent or sensitive questions, each with the phrasings it answers and the
 * documents it cites. `tenant.curated_version` counts the changes to a tenant's curated answers; an ask reads it with
 * the tenant row its key lookup already reads, so a process knows when its copy of the phrasings is stale without a
 * statement of its own (CuratedAnswerService).
 */
export class CuratedAnswers1764870000000 implements MigrationInterface {
  name = 'CuratedAnswers1764870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenant ADD COLUMN curated_version integer NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE TABLE curated_answer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
        questions text[] NOT NULL,
        answer text NOT NULL,
        document_ids uuid[] NOT NULL DEFAULT '{}',
        hits integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX curated_answer_tenant_updated ON curated_answer (tenant_id, updated_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE curated_answer`);
    await q.query(`ALTER TABLE tenant DROP COLUMN curated_version`);
  }
}
