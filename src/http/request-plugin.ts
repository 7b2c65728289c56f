import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLSchema, Kind, OperationDefinitionNode } from 'graphql';
import type { Context } from '../context';
import { isMetered } from '../directives/auth.directive';
import { httpStatusOf, RateLimited } from '../errors';
import { asHttpError } from './format-error';
import type { Metrics } from './metrics';
import { setRateHeaders } from './rate-headers';

/** Whether the operation selects a @metered root field (the directive is the one list of them). */
function selectsMetered(schema: GraphQLSchema, op: OperationDefinitionNode, roots: string[]): boolean {
  const fields = schema.getRootType(op.operation)?.getFields() ?? {};
  return roots.some((name) => fields[name] && isMetered(schema, fields[name]));
}

const rootFieldNames = (op: OperationDefinitionNode) =>
  op.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));

/**
 * Request-level rules that need the parsed operation: the looser per-key limit on everything but ask, response
 * headers, HTTP status and metrics.
 */
export function requestPlugin(metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      let operationLabel = 'unknown';
      return {
        async didResolveOperation({ operation, schema, contextValue: ctx }) {
          if (!operation) return;
          const roots = rootFieldNames(operation);
          operationLabel = [...roots].sort().join(',').slice(0, 100) || 'unknown';
          const { caller } = ctx;
          if (caller && !selectsMetered(schema, operation, roots)) {
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
            if (typeof first === 'string') outcome = first;
            // A request that produced nothing but errors is a refusal: give it the contract's HTTP status.
            const nothing = result.data == null || Object.values(result.data).every((v) => v === null);
            const status = httpStatusOf(first);
            if (result.errors?.length && nothing && status !== undefined && (response.http.status ?? 200) === 200) {
              response.http.status = status;
            }
          } else if (errors?.length) {
            outcome = String(errors[0].extensions?.code ?? 'error');
          }
          metrics.requests.inc({ operation: operationLabel, outcome });
          metrics.duration.observe({ operation: operationLabel }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
