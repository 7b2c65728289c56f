import { In } from 'typeorm';
import { AnswerRating } from '../../entities/answer-rating.entity';
import type { Rating } from '../../entities/enums';
import type { Db } from '../data/db';

/** One tenant's answer ratings: every statement carries the tenant condition. */
export class RatingStore {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
  ) {}

  /** One statement, so two ratings racing on the same answer leave exactly one row. */
  async rate(messageId: string, rating: Rating, comment: string | null): Promise<AnswerRating> {
    const [row] = await this.db.query(
      `INSERT INTO answer_rating (tenant_id, message_id, rating, comment) VALUES ($1, $2, $3, $4)
       ON CONFLICT (message_id) DO UPDATE SET rating = EXCLUDED.rating, comment = EXCLUDED.comment, created_at = now()
       RETURNING id`,
      [this.tenantId, messageId, rating, comment],
    );
    return this.db.getRepository(AnswerRating).findOneByOrFail({ id: row.id, tenantId: this.tenantId });
  }

  async ratingsOf(messageIds: readonly string[]): Promise<Map<string, Rating>> {
    const rows = await this.db.getRepository(AnswerRating).findBy({ tenantId: this.tenantId, messageId: In([...messageIds]) });
    return new Map(rows.map((r) => [r.messageId, r.rating]));
  }
}
