import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLSchema, Kind, OperationDefinitionNode } from 'graphql';
import type { Context } from '../context';
import { httpStatusOf, isErrorCode, RateLimited } from '../errors';
import { asHttpError } from './format-error';
import type { Metrics } from './metrics';
import { meteredRootFields } from './query-guard';
import { setRateHeaders } from '../directives/rate-headers';

const rootFieldNames = (op: OperationDefinitionNode) =>
  op.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));

// How long a client should wait before retrying a 503: long enough for a database restart or fail-over.
const UNAVAILABLE_RETRY_SECONDS = 5;

/**
 * Request-level rules that need the parsed operation: the looser per-key limit on everything but ask, response
 * headers, HTTP status and metrics.
 */
export function requestPlugin(metrics: Metrics, schema: GraphQLSchema): ApolloServerPlugin<Context> {
  const metered = meteredRootFields(schema);
  // Metric labels come from this fixed set only: label values taken from the request (aliases, combinations of
  // fields) would let any client grow the series without bound.
  const rootNames = new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((t) => Object.keys(t?.getFields() ?? {})),
  );
  const labelOf = (roots: string[]): string => {
    const distinct = new Set(roots);
    if (distinct.size > 1) return 'multiple';
    const [only] = distinct;
    return only !== undefined && rootNames.has(only) ? only : 'other';
  };
  // Apollo hands every request of a cached document the same parsed operation: what the plugin reads of it is read
  // once (bounded by the documents Apollo keeps).
  const operations = new WeakMap<OperationDefinitionNode, { label: string; metered: boolean }>();
  const operationOf = (op: OperationDefinitionNode) => {
    let known = operations.get(op);
    if (!known) {
      const roots = rootFieldNames(op);
      known = { label: labelOf(roots), metered: roots.some((f) => metered.has(f)) };
      operations.set(op, known);
    }
    return known;
  };
  // Outcome labels are the error table's codes (protocol codes included), anything else `other`.
  const outcomeOf = (code: unknown): string => (isErrorCode(code) ? code : 'other');
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      let operationLabel = 'unknown';
      return {
        async didResolveOperation({ operation, contextValue: ctx }) {
          if (!operation) return;
          const known = operationOf(operation);
          operationLabel = known.label;
          const { caller } = ctx;
          // The per-key limit on every operation but the metered ones (the @metered directive lists those).
          if (caller && !known.metered) {
            const decision = await ctx.services.rateLimits.take(`key:${caller.keyId ?? 'env-admin'}:ops`, ctx.services.config.otherOpsPerMinute);
            setRateHeaders(ctx.responseHeaders, decision);
            if (!decision.allowed) throw asHttpError(RateLimited(decision.resetSeconds));
          }
        },
        async willSendResponse({ response, contextValue: ctx, errors }) {
          for (const [name, value] of ctx.responseHeaders) response.http.headers.set(name.toLowerCase(), value);
          response.http.headers.set('x-request-id', ctx.requestId);
          let outcome = 'ok';
          if (response.body.kind === 'single') {
            const result = response.body.singleResult;
            const first = result.errors?.[0]?.extensions?.code;
            if (first !== undefined) outcome = outcomeOf(first);
            // A request that produced nothing but errors is a refusal: give it the contract's HTTP status.
            const nothing = result.data == null || Object.values(result.data).every((v) => v === null);
            const status = httpStatusOf(first);
            if (result.errors?.length && nothing && status !== undefined && (response.http.status ?? 200) === 200) {
              response.http.status = status;
              // An unreachable database, retriever or generator: tell clients when to try again.
              if (status === 503 && !response.http.headers.has('retry-after')) response.http.headers.set('retry-after', String(UNAVAILABLE_RETRY_SECONDS));
            }
          } else if (errors?.length) {
            outcome = outcomeOf(errors[0].extensions?.code);
          }
          metrics.requests.inc({ operation: operationLabel, outcome });
          metrics.duration.observe({ operation: operationLabel }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
