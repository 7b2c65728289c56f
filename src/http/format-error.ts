import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { AppError, httpStatusOf } from '../errors';

// Codes Apollo and graphql-js produce themselves for requests they can't run; they are safe to show as they are.
const PROTOCOL_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE']);
// Validation failures about an argument's value are the client's bad input in the contract's terms.
const BAD_VALUE = /cannot represent|does not exist in|Expected value of type|Expected type|is not a valid|invalid value|Variable "\$[^"]+" got invalid value/i;

/**
 * The one mapping from anything thrown to what a client sees: AppErrors keep their contract code and extensions;
 * GraphQL protocol errors keep theirs; everything else is logged with the request id and masked.
 */
export function formatError(log: Logger, requestId?: string) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // A subscription's source stream failing mid-stream (askStream naming a foreign conversation) arrives without
    // a path, which unwrapResolverError needs; its AppError is still the originalError.
    const original = unwrapped instanceof GraphQLError && unwrapped.originalError instanceof AppError ? unwrapped.originalError : unwrapped;
    if (original instanceof AppError) {
      return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: { code: original.code, ...original.extensions } };
    }
    if (original instanceof GraphQLError && httpStatusOf(original.extensions?.code) !== undefined && original.extensions.code !== 'INTERNAL_SERVER_ERROR') {
      const { http: _http, stacktrace: _s, ...extensions } = original.extensions as Record<string, unknown>;
      return { message: original.message, locations: formatted.locations, path: formatted.path, extensions };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && (PROTOCOL_CODES.has(code) || code === 'BAD_USER_INPUT')) {
      const badValue = code === 'GRAPHQL_VALIDATION_FAILED' && BAD_VALUE.test(formatted.message);
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: badValue ? 'BAD_USER_INPUT' : code } };
    }
    log.error({ err: original, requestId }, 'unexpected error');
    return { message: 'Internal server error.', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } };
  };
}

/** An AppError as a GraphQLError carrying the HTTP status, for refusals raised outside resolvers. */
export function asHttpError(error: AppError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...error.extensions, http: { status: httpStatusOf(error.code) } },
  });
}
