import { GraphQLError, GraphQLFormattedError, Kind } from 'graphql';
import type { Logger } from 'pino';
import { AppError, ERROR_TABLE, httpStatusOf, isErrorCode, UpstreamUnavailable } from '../errors';
import { isDatabaseUnavailable } from '../services/data/unavailable';

// AST kinds of literal values: a validation error pointing only at literals is a bad argument value.
const VALUE_KINDS = new Set<string>([Kind.INT, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN, Kind.NULL, Kind.ENUM, Kind.LIST, Kind.OBJECT]);

/** Follows `originalError` down to what was first thrown (Apollo and graphql-ws each wrap errors once more). */
function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

/**
 * The one mapping from anything thrown to what a client sees, used by every path (Apollo over HTTP, persisted
 * queries, graphql-ws, refusals before GraphQL). AppErrors keep their contract code and extensions; errors the
 * GraphQL machinery raises about the request keep their protocol code (a validation error about a literal value is
 * BAD_USER_INPUT, decided from the AST nodes, not the message); everything else is logged and masked.
 */
export function toClientError(error: unknown, log: Logger, requestId?: string): GraphQLFormattedError {
  const outer = error instanceof GraphQLError ? error : null;
  const where = { locations: outer?.locations, path: outer?.path };
  const cause = rootCause(error);
  if (cause instanceof AppError) return { ...formatAppError(cause), ...where };
  if (isDatabaseUnavailable(cause)) return { ...formatAppError(UpstreamUnavailable('database')), ...where };
  if (outer) {
    const given = outer.extensions?.code;
    // A GraphQLError nobody coded, raised before execution (no path, no cause): graphql-ws's own validation.
    const code = isErrorCode(given) ? given : !outer.path && !outer.originalError ? 'GRAPHQL_VALIDATION_FAILED' : null;
    if (code && code !== 'INTERNAL_SERVER_ERROR' && ERROR_TABLE[code].shown) {
      const aboutValues = code === 'GRAPHQL_VALIDATION_FAILED' && (outer.nodes?.length ?? 0) > 0 && outer.nodes!.every((n) => VALUE_KINDS.has(n.kind));
      const { http: _http, stacktrace: _stack, code: _code, ...extra } = outer.extensions as Record<string, unknown>;
      return { message: outer.message, ...where, extensions: { ...extra, code: aboutValues ? 'BAD_USER_INPUT' : code } };
    }
  }
  log.error({ err: cause, requestId }, 'unexpected error');
  return { message: 'Internal server error.', path: where.path, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } };
}

/** A contract refusal as clients see it: its message, code and the contract's extra extensions. */
export function formatAppError(error: AppError): GraphQLFormattedError {
  return { message: error.message, extensions: { code: error.code, ...error.extensions } };
}

/** Apollo's `formatError` hook, bound to the one mapper. */
export function formatError(log: Logger) {
  return (_formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => toClientError(error, log);
}

/** An AppError as a GraphQLError carrying the HTTP status, for refusals raised in Apollo plugins. */
export function asHttpError(error: AppError): GraphQLError {
  return new GraphQLError(error.message, { originalError: error, extensions: { http: { status: httpStatusOf(error.code) } } });
}
