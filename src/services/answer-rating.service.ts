import { DataSource, In } from 'typeorm';
import { AnswerRating } from '../entities/answer-rating.entity';
import { Rating } from '../entities/enums';
import { Message } from '../entities/message.entity';
import { BadInput, NotFound } from '../errors';
import { isUuid, Page, paginate } from './pagination';

const MAX_COMMENT_CHARS = 2_000;

/** Thumbs up or down on answers. Client-facing methods take the caller's tenant and put it in every `where`. */
export class AnswerRatingService {
  constructor(private readonly dataSource: DataSource) {}

  /** Rates an assistant message of the tenant; rating the same message again replaces the earlier rating. */
  async rate(tenantId: string, input: { messageId: string; rating: Rating; comment?: string | null }): Promise<AnswerRating> {
    const message = isUuid(input.messageId)
      ? await this.dataSource.getRepository(Message).findOneBy({ id: input.messageId, tenantId })
      : null;
    if (!message) throw NotFound('Message');
    if (message.role !== 'assistant') throw BadInput('Only answers (assistant messages) can be rated.', 'messageId');
    const comment = input.comment?.trim() || null;
    if (comment && comment.length > MAX_COMMENT_CHARS) throw BadInput(`comment must be at most ${MAX_COMMENT_CHARS} characters.`, 'comment');
    // One statement, so two ratings racing on the same answer leave exactly one row.
    const [row] = await this.dataSource.query(
      `INSERT INTO answer_rating (tenant_id, message_id, rating, comment) VALUES ($1, $2, $3, $4)
       ON CONFLICT (message_id) DO UPDATE SET rating = EXCLUDED.rating, comment = EXCLUDED.comment, created_at = now()
       RETURNING id`,
      [tenantId, message.id, input.rating, comment],
    );
    return this.dataSource.getRepository(AnswerRating).findOneByOrFail({ id: row.id, tenantId });
  }

  /** Newest first, optionally one tenant's and one kind. */
  async list(tenantId: string | null | undefined, rating: Rating | null | undefined, first: number, after?: string | null): Promise<Page<AnswerRating>> {
    const qb = this.dataSource.getRepository(AnswerRating).createQueryBuilder('r').where('true');
    if (tenantId) qb.andWhere('r.tenant_id = :tenantId', { tenantId });
    if (rating) qb.andWhere('r.rating = :rating', { rating });
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt', descending: true });
  }

  async stats(tenantId: string | null | undefined): Promise<{ up: number; down: number }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE rating = 'UP')::int AS up, count(*) FILTER (WHERE rating = 'DOWN')::int AS down
       FROM answer_rating WHERE $1::uuid IS NULL OR tenant_id = $1::uuid`,
      [tenantId ?? null],
    );
    return { up: row.up, down: row.down };
  }

  /** The ratings of some messages of one tenant, by message id (for Message.rating, batched). */
  async ratingsOf(tenantId: string, messageIds: readonly string[]): Promise<Map<string, Rating>> {
    const rows = await this.dataSource.getRepository(AnswerRating).findBy({ tenantId, messageId: In([...messageIds]) });
    return new Map(rows.map((r) => [r.messageId, r.rating]));
  }
}
