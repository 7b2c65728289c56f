import type { AnswerRating } from '../../entities/answer-rating.entity';
import type { Rating } from '../../entities/enums';
import { BadInput, NotFound } from '../../errors';
import type { Page } from '../pagination';
import type { TenantScope } from '../tenant-scope';
import type { RatingOperatorStore } from './rating.operator-store';

const MAX_COMMENT_CHARS = 2_000;

/** Thumbs up or down on answers: clients rate through their own tenant's scope; the operator reads across tenants. */
export class AnswerRatingService {
  constructor(private readonly store: RatingOperatorStore) {}

  /** Rates an assistant message of the tenant; rating the same message again replaces the earlier rating. */
  async rate(scope: TenantScope, input: { messageId: string; rating: Rating; comment?: string | null }): Promise<AnswerRating> {
    const message = await scope.conversations.message(input.messageId);
    if (!message) throw NotFound('Message');
    if (message.role !== 'assistant') throw BadInput('Only answers (assistant messages) can be rated.', 'messageId');
    const comment = input.comment?.trim() || null;
    if (comment && comment.length > MAX_COMMENT_CHARS) throw BadInput(`comment must be at most ${MAX_COMMENT_CHARS} characters.`, 'comment');
    return scope.ratings.rate(message.id, input.rating, comment);
  }

  /** Newest first, optionally one tenant's and one kind. */
  list(tenantId: string | null | undefined, rating: Rating | null | undefined, first: number, after?: string | null): Promise<Page<AnswerRating>> {
    return this.store.ratings(tenantId, rating, first, after);
  }

  stats(tenantId: string | null | undefined): Promise<{ up: number; down: number }> {
    return this.store.ratingStats(tenantId);
  }

  /** The ratings of some messages of one tenant, by message id (for Message.rating, batched). */
  ratingsOf(scope: TenantScope, messageIds: readonly string[]): Promise<Map<string, Rating>> {
    return scope.ratings.ratingsOf(messageIds);
  }
}
