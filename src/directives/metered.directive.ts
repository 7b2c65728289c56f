import { DirectiveLocation, GraphQLDirective, GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { clientOf } from '../resolvers/decorators';
import type { Context } from '../context';
import { setRateHeaders } from '../http/rate-headers';
import type { Delivery } from '../services/chat.service';
import type { MeteredResult, MeterRequest, Outbox } from '../services/metering.service';
import { AnswerStream } from './answer-stream';
import { isMetered } from './auth.directive';

export const meteredDirective = new GraphQLDirective({
  name: 'metered',
  description: 'Counts against the tenant per-minute rate limit and monthly quota; only successes use quota.',
  locations: [DirectiveLocation.FIELD_DEFINITION],
});

/** The context a metered field runs with: where to leave what is to be written when it is settled. */
export interface MeteredContext extends Context {
  outbox: Outbox;
}

/** The context a streamed metered field runs with: also where to deliver its deltas. */
export interface StreamContext extends MeteredContext {
  delivery: Delivery;
}

/**
 * Makes @metered real: the field runs inside MeteringService.run (rate window, quota lease, usage record).
 * Applied before @auth, so @auth wraps it and a caller is authorised before anything is counted.
 * A metered subscription is the same operation delivered in pieces: its `subscribe` resolver produces the final
 * result (as a query's resolver would), given a Delivery for the deltas, and this layer turns that into the one
 * stream graphql-ws iterates.
 */
export function applyMeteredDirective(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName) => {
      if (!isMetered(schema, field)) return field;
      const request = (ctx: Context): MeterRequest => ({
        caller: clientOf(ctx),
        ip: ctx.ip,
        onRate: (decision) => setRateHeaders(ctx.responseHeaders, decision),
      });

      if (field.subscribe) {
        const produce = field.subscribe as unknown as GraphQLFieldResolver<unknown, StreamContext, unknown, Promise<MeteredResult>>;
        return {
          ...field,
          subscribe: ((source, args, ctx, info) => {
            const stream = new AnswerStream<MeteredResult>(fieldName);
            ctx.services.metering
              .run(request(ctx), fieldName, (outbox) => produce(source, args, { ...ctx, outbox, delivery: stream }, info))
              .then((result) => stream.finish(result), (error) => stream.fail(error));
            return stream;
          }) as GraphQLFieldResolver<unknown, Context>,
        };
      }

      const resolve = field.resolve as GraphQLFieldResolver<unknown, MeteredContext, unknown, Promise<MeteredResult>>;
      return {
        ...field,
        resolve: ((source, args, ctx, info) =>
          ctx.services.metering.run(request(ctx), fieldName, (outbox) => resolve(source, args, { ...ctx, outbox }, info))) as GraphQLFieldResolver<unknown, Context>,
      };
    },
  });
}
