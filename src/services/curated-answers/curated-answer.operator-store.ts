import type { Db } from '../data/db';

/** The operator's reach into curated answers, which names an answer by id, not a tenant. */
export class CuratedAnswerOperatorStore {
  constructor(private readonly db: Db) {}

  /** The tenant holding curated answer `id`, or null. */
  async tenantOf(id: string): Promise<string | null> {
    const rows: { tenant_id: string }[] = await this.db.query('SELECT tenant_id FROM curated_answer WHERE id = $1', [id]);
    return rows[0]?.tenant_id ?? null;
  }
}
