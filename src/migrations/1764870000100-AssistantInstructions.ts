import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A tenant's own instructions to the assistant (tone, who to call), sent to Claude after the fixed rules as a
 * prompt-cached system block. On the tenant row, so an ask has them from the key lookup without a statement.
 */
export class AssistantInstructions1764870000100 implements MigrationInterface {
  name = 'AssistantInstructions1764870000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenant ADD COLUMN assistant_instructions text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenant DROP COLUMN assistant_instructions`);
  }
}
