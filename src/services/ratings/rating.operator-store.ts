import { AnswerRating } from '../../entities/answer-rating.entity';
import type { Rating } from '../../entities/enums';
import type { Db } from '../data/db';
import { Page, paginate } from '../pagination';

/** Answer ratings across tenants, for the operator. */
export class RatingOperatorStore {
  constructor(private readonly db: Db) {}

  /** Answer ratings, newest first, optionally one tenant's and one kind. */
  ratings(tenantId: string | null | undefined, rating: Rating | null | undefined, first: number, after?: string | null): Promise<Page<AnswerRating>> {
    const qb = this.db.getRepository(AnswerRating).createQueryBuilder('r').where('true');
    if (tenantId) qb.andWhere('r.tenant_id = :tenantId', { tenantId });
    if (rating) qb.andWhere('r.rating = :rating', { rating });
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt', descending: true });
  }

  async ratingStats(tenantId: string | null | undefined): Promise<{ up: number; down: number }> {
    const [row] = await this.db.query(
      `SELECT count(*) FILTER (WHERE rating = 'UP')::int AS up, count(*) FILTER (WHERE rating = 'DOWN')::int AS down
       FROM answer_rating WHERE $1::uuid IS NULL OR tenant_id = $1::uuid`,
      [tenantId ?? null],
    );
    return { up: row.up, down: row.down };
  }
}
