import DataLoader from 'dataloader';
import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
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
  @Directive('@auth')
  rateAnswer(@Ctx() ctx: Context, @Arg('input', () => RateAnswerInput) input: RateAnswerInput): Promise<AnswerRating> {
    return ctx.services.ratings.rate(ctx.auth.principal!.tenantId!, input);
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

// One batched lookup per request for the ratings of all messages listed, instead of one query per message.
const ratingLoaders = new WeakMap<Context, DataLoader<Message, Rating | null, string>>();

@Resolver(() => Message)
export class MessageRatingResolver {
  @FieldResolver(() => Rating, { nullable: true, description: 'The rating given to this answer, if any.' })
  rating(@Root() message: Message, @Ctx() ctx: Context): Promise<Rating | null> {
    let loader = ratingLoaders.get(ctx);
    if (!loader) {
      loader = new DataLoader(
        async (messages: readonly Message[]) => {
          // Messages reach here only through their tenant's conversations; the tenant still goes in the where.
          const byTenant = new Map<string, Message[]>();
          for (const m of messages) byTenant.set(m.tenantId, [...(byTenant.get(m.tenantId) ?? []), m]);
          const found = new Map<string, Rating>();
          for (const [tenantId, ms] of byTenant) {
            for (const [id, r] of await ctx.services.ratings.ratingsOf(tenantId, ms.map((m) => m.id))) found.set(id, r);
          }
          return messages.map((m) => found.get(m.id) ?? null);
        },
        { cacheKeyFn: (m) => m.id },
      );
      ratingLoaders.set(ctx, loader);
    }
    return loader.load(message);
  }
}
