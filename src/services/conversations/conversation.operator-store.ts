import type { Db } from '../data/db';
import { affected } from '../data/affected';

/** Conversations across tenants, for the system's retention sweep. */
export class ConversationOperatorStore {
  constructor(private readonly db: Db) {}

  /** Deletes conversations untouched since `before`; their messages cascade. */
  async purge(before: Date): Promise<number> {
    return affected(await this.db.query('DELETE FROM conversation WHERE updated_at < $1', [before]));
  }
}
