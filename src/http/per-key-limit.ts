import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { Kind } from 'graphql';
import type { Context } from '../context';
import { RateLimited } from '../errors';
import { meteredRootFields } from './query-guard';
import { setRateHeaders } from '../directives/rate-headers';

/** Throws RATE_LIMITED when the caller's key is over its limit for this operation. */
export type PerKeyLimit = (ctx: Context, operation: OperationDefinitionNode) => Promise<void>;

/**
 * The looser per-key limit (OTHER_OPS_PER_MINUTE) on every keyed operation but the metered ones, which @metered
 * limits per tenant. One check for both transports: Apollo's request plugin calls it over HTTP, and the graphql-ws
 * server before it runs an operation, so nothing repeats over a WebSocket what HTTP would refuse.
 */
export function perKeyLimit(schema: GraphQLSchema): PerKeyLimit {
  const metered = meteredRootFields(schema);
  // Apollo hands every request of a cached document the same parsed operation: whether it is metered is read once.
  const known = new WeakMap<OperationDefinitionNode, boolean>();
  const isMetered = (op: OperationDefinitionNode) => {
    let result = known.get(op);
    if (result === undefined) {
      result = op.selectionSet.selections.some((s) => s.kind === Kind.FIELD && metered.has(s.name.value));
      known.set(op, result);
    }
    return result;
  };
  return async (ctx, operation) => {
    const { caller } = ctx;
    if (!caller || isMetered(operation)) return;
    const decision = await ctx.services.rateLimits.take(`key:${caller.keyId ?? 'env-admin'}:ops`, ctx.services.config.otherOpsPerMinute);
    setRateHeaders(ctx.responseHeaders, decision);
    if (!decision.allowed) throw RateLimited(decision.resetSeconds);
  };
}
