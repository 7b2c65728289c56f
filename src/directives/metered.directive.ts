import { DirectiveLocation, GraphQLDirective, GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import { clientOf, Context, MeteredContext, scopeOf, StreamContext } from '../context';
import { HISTORY_TURNS } from '../services/conversations/conversation.service';
import type { MeteredResult, MeterRequest } from '../services/metering/metering.service';
import { AnswerStream } from './answer-stream';
import { setRateHeaders } from './rate-headers';

export const meteredDirective = new GraphQLDirective({
  name: 'metered',
  description: 'Counts against the tenant per-minute rate limit and monthly quota; only successes use quota.',
  locations: [DirectiveLocation.FIELD_DEFINITION],
});

/** Whether a schema field carries @metered: the directive itself is the one list of metered fields. */
export function isMetered(schema: GraphQLSchema, field: Parameters<typeof getDirective>[1]): boolean {
  return Boolean(getDirective(schema, field, 'metered')?.[0]);
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
      const request = (ctx: Context, args: unknown, stream?: AnswerStream<MeteredResult>): MeterRequest => ({
        caller: clientOf(ctx),
        scope: scopeOf(ctx),
        ip: ctx.ip,
        onRate: (decision) => setRateHeaders(ctx.responseHeaders, decision),
        readAhead: continued(args),
        delivered: () => stream?.delivered ?? false,
      });

      if (field.subscribe) {
        const produce = field.subscribe as unknown as GraphQLFieldResolver<unknown, StreamContext, unknown, Promise<MeteredResult>>;
        return {
          ...field,
          subscribe: ((source, args, ctx, info) => {
            const stream = new AnswerStream<MeteredResult>(fieldName);
            ctx.services.metering
              .run(request(ctx, args, stream), fieldName, (io) => produce(source, args, { ...ctx, io, delivery: stream }, info))
              .then((result) => stream.finish(result), (error) => stream.fail(error));
            return stream;
          }) as GraphQLFieldResolver<unknown, Context>,
        };
      }

      const resolve = field.resolve as GraphQLFieldResolver<unknown, MeteredContext, unknown, Promise<MeteredResult>>;
      return {
        ...field,
        resolve: ((source, args, ctx, info) =>
          ctx.services.metering.run(request(ctx, args), fieldName, (io) => resolve(source, args, { ...ctx, io }, info))) as GraphQLFieldResolver<unknown, Context>,
      };
    },
  });
}

/**
 * The conversation a metered field continues (`input.conversationId` of ask and askStream): its recent turns are read
 * by the statement that takes the lease, so a follow-up costs no statement more than a new question.
 */
function continued(args: unknown): MeterRequest['readAhead'] {
  const conversationId = (args as { input?: { conversationId?: unknown } } | undefined)?.input?.conversationId;
  return typeof conversationId === 'string' ? { conversationId, turns: HISTORY_TURNS } : null;
}
