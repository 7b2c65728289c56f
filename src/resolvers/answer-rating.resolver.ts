import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import type { TenantScope } from '../services/tenant-scope';
import { CallerScope } from './decorators';
import { AnswerRating } from '../entities/answer-rating.entity';
import { Rating } from '../entities/enums';
import { Message } from '../entities/message.entity';
import { AnswerRatingStats, RateAnswerInput } from './types/answer-rating';
import { Connection } from './types/connection';

const AnswerRatingConnection = Connection(AnswerRating, 'AnswerRating');

/** Staff rate answers with their client key; the operator reads the ratings of every tenant. */
@Resolver(() => AnswerRating)
export class AnswerRatingResolver {
  @Mutation(() => AnswerRating, { description: 'Rates an answer of the calling tenant; rating it again replaces the rating.' })
  @Directive('@auth(requires: PUBLIC)')
  rateAnswer(@Ctx() ctx: Context, @CallerScope() scope: TenantScope, @Arg('input', () => RateAnswerInput) input: RateAnswerInput): Promise<AnswerRating> {
    return ctx.services.ratings.rate(scope, input);
  }

  @Query(() => AnswerRatingConnection, { description: 'Answer ratings, newest first, optionally of one tenant and one kind.' })
  @Directive('@auth(requires: ADMIN)')
  async answerRatings(
    @Ctx() ctx: Context,
    @Arg('tenantId', () => ID, { nullable: true, description: 'Only this tenant’s ratings.' }) tenantId: string | null | undefined,
    @Arg('rating', () => Rating, { nullable: true, description: 'Only UP or only DOWN ratings.' }) rating: Rating | null | undefined,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after?: string | null,
  ) {
    const tenant = tenantId ? await ctx.services.tenants.get(tenantId) : null;
    return ctx.services.ratings.list(tenant?.id, rating, first ?? 20, after);
  }

  @Query(() => AnswerRatingStats, { description: 'Counts of up and down ratings, of one tenant or of all.' })
  @Directive('@auth(requires: ADMIN)')
  async answerRatingStats(@Ctx() ctx: Context, @Arg('tenantId', () => ID, { nullable: true, description: 'One tenant; all tenants when omitted.' }) tenantId: string | null | undefined) {
    const tenant = tenantId ? await ctx.services.tenants.get(tenantId) : null;
    return ctx.services.ratings.stats(tenant?.id);
  }

  @FieldResolver(() => ID, { description: 'The tenant whose staff gave the rating.' })
  tenantId(@Root() rating: AnswerRating): string {
    return rating.tenantId;
  }
}

@Resolver(() => Message)
export class MessageRatingResolver {
  @FieldResolver(() => Rating, { nullable: true, description: 'The rating given to this answer, if any.' })
  rating(@Root() message: Message, @Ctx() ctx: Context): Promise<Rating | null> {
    return ctx.loaders.rating.load(message);
  }
}
