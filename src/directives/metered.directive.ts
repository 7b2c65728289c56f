import { DirectiveLocation, GraphQLDirective, GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import type { Context } from '../context';
import type { MeteredResult } from '../services/metering.service';
import type { Reservation } from '../services/quota.service';
import { AsyncQueue } from './async-queue';

export const meteredDirective = new GraphQLDirective({
  name: 'metered',
  description: 'Counts against the tenant per-minute rate limit and monthly quota; only successes use quota.',
  locations: [DirectiveLocation.FIELD_DEFINITION],
});

/** The context a metered resolver sees: the quota reservation it runs under. */
export interface MeteredContext extends Context {
  reservation: Reservation;
}

/**
 * Makes @metered real: the field runs inside MeteringService.run (rate window, quota reservation, usage record).
 * Applied before @auth, so @auth wraps it and a caller is authorised before anything is counted.
 * For a subscription the whole stream runs inside the reservation: the events are relayed through a queue and
 * the stream's final result (with its token usage) settles it.
 */
export function applyMeteredDirective(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName) => {
      if (!getDirective(schema, field, 'metered')?.[0]) return field;
      const request = (ctx: Context) => ({ principal: ctx.auth.principal!, ip: ctx.ip, onRate: ctx.rate });

      if (field.subscribe) {
        const subscribe = field.subscribe as GraphQLFieldResolver<unknown, MeteredContext>;
        return {
          ...field,
          subscribe: ((source, args, ctx, info) => {
            const queue = new AsyncQueue<Record<string, { done: boolean; result?: MeteredResult }>>();
            ctx.services.metering
              .run(request(ctx), fieldName, async (reservation) => {
                const events = (await subscribe(source, args, { ...ctx, reservation }, info)) as AsyncIterable<
                  Record<string, { done: boolean; result?: MeteredResult }>
                >;
                for await (const event of events) {
                  queue.push(event);
                  const payload = event[fieldName];
                  if (payload?.done && payload.result) return payload.result;
                }
                throw new Error(`${fieldName} ended without a result`);
              })
              .then(() => queue.end(), (error) => queue.fail(error));
            return queue;
          }) as GraphQLFieldResolver<unknown, Context>,
        };
      }

      const resolve = field.resolve as GraphQLFieldResolver<unknown, MeteredContext>;
      return {
        ...field,
        resolve: ((source, args, ctx, info) =>
          ctx.services.metering.run(request(ctx), fieldName, (reservation) =>
            resolve(source, args, { ...ctx, reservation }, info) as Promise<MeteredResult>,
          )) as GraphQLFieldResolver<unknown, Context>,
      };
    },
  });
}
