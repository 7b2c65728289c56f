import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLSchema, Kind, OperationDefinitionNode } from 'graphql';
import type { Context } from '../context';
import { AppError, httpStatusOf, isErrorCode } from '../errors';
import { asHttpError } from './format-error';
import type { Metrics } from './metrics';
import { perKeyLimit } from './per-key-limit';

const rootFieldNames = (op: OperationDefinitionNode) =>
  op.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));

// How long a client should wait before retrying a 503: long enough for a database restart or fail-over.
const UNAVAILABLE_RETRY_SECONDS = 5;

/**
 * Request-level rules that need the parsed operation: the looser per-key limit on everything but ask (shared with
 * graphql-ws, src/http/per-key-limit.ts), response headers, HTTP status and metrics.
 */
export function requestPlugin(metrics: Metrics, schema: GraphQLSchema): ApolloServerPlugin<Context> {
  const limit = perKeyLimit(schema);
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
  // Apollo hands every request of a cached document the same parsed operation: its label is read once (bounded by
  // the documents Apollo keeps).
  const labels = new WeakMap<OperationDefinitionNode, string>();
  const labelOfOperation = (op: OperationDefinitionNode) => {
    let label = labels.get(op);
    if (label === undefined) {
      label = labelOf(rootFieldNames(op));
      labels.set(op, label);
    }
    return label;
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
          operationLabel = labelOfOperation(operation);
          try {
            await limit(ctx, operation);
          } catch (error) {
            throw error instanceof AppError ? asHttpError(error) : error;
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
