/**
 * The one table of errors, as the contract lists them (plus the protocol codes Apollo and graphql-js raise for
 * requests they cannot run, and the masked INTERNAL_SERVER_ERROR). For each code: the HTTP status a refusal before
 * execution gets, the usage outcome a metered call ending with it records, and whether its message is shown to
 * clients. Services throw `AppError`s; `toClientError` (src/http/format-error.ts) maps everything once, for HTTP,
 * WebSocket and persisted queries alike. Below it, EDGE_REFUSALS gives the few refusals of the HTTP edge whose
 * status is the transport's own (413, 405, 500), and WS_CLOSE the graphql-ws close code. Nothing else decides a code,
 * a status, a close code or an outcome.
 */
export const ERROR_TABLE = {
  UNAUTHENTICATED: { status: 401, outcome: 'REFUSED', shown: true },
  FORBIDDEN: { status: 403, outcome: 'REFUSED', shown: true },
  TENANT_SUSPENDED: { status: 403, outcome: 'REFUSED', shown: true },
  RATE_LIMITED: { status: 429, outcome: 'REFUSED', shown: true },
  QUOTA_EXCEEDED: { status: 429, outcome: 'REFUSED', shown: true },
  BLOCKED: { status: 403, outcome: 'REFUSED', shown: true },
  BAD_USER_INPUT: { status: 400, outcome: 'REFUSED', shown: true },
  QUERY_TOO_COMPLEX: { status: 400, outcome: 'REFUSED', shown: true },
  NOT_FOUND: { status: 200, outcome: 'REFUSED', shown: true },
  UPSTREAM_UNAVAILABLE: { status: 503, outcome: 'FAILED', shown: true },
  // Protocol codes: the request could not be run as sent.
  GRAPHQL_PARSE_FAILED: { status: 400, outcome: 'REFUSED', shown: true },
  GRAPHQL_VALIDATION_FAILED: { status: 400, outcome: 'REFUSED', shown: true },
  BAD_REQUEST: { status: 400, outcome: 'REFUSED', shown: true },
  OPERATION_RESOLUTION_FAILURE: { status: 400, outcome: 'REFUSED', shown: true },
  PERSISTED_QUERY_NOT_FOUND: { status: 200, outcome: 'REFUSED', shown: true },
  PERSISTED_QUERY_NOT_SUPPORTED: { status: 400, outcome: 'REFUSED', shown: true },
  // Anything unexpected: logged with the request id, masked for the client.
  INTERNAL_SERVER_ERROR: { status: 500, outcome: 'FAILED', shown: false },
} as const satisfies Record<string, { status: number; outcome: 'REFUSED' | 'FAILED'; shown: boolean }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_TABLE, code);
}

export function httpStatusOf(code: unknown): number | undefined {
  return isErrorCode(code) ? ERROR_TABLE[code].status : undefined;
}

/**
 * Refusals the HTTP edge makes before GraphQL runs whose status is the transport's own (a body too large, a method
 * /graphql does not serve, a handler that crashed). Clients see the code given here, with this status.
 */
export const EDGE_REFUSALS = {
  PAYLOAD_TOO_LARGE: { code: 'BAD_USER_INPUT', status: 413 },
  METHOD_NOT_ALLOWED: { code: 'BAD_USER_INPUT', status: 405 },
  INTERNAL: { code: 'INTERNAL_SERVER_ERROR', status: 500 },
} as const satisfies Record<string, { code: ErrorCode; status: number }>;

/** Close codes of graphql-ws sockets: a connection_init with a bad key (or from a blocked IP) is refused with 4403. */
export const WS_CLOSE = {
  FORBIDDEN: { code: 4403, reason: 'Forbidden' },
} as const;

/** The usage outcome of a metered call that ended with this error. */
export function usageOutcomeOf(error: unknown): 'REFUSED' | 'FAILED' {
  return error instanceof AppError ? ERROR_TABLE[error.code].outcome : 'FAILED';
}

/** The code usage records for a call that ended with this error. */
export function usageCodeOf(error: unknown): string {
  if (error instanceof AppError) return error.code;
  return error instanceof ClientClosed ? 'CLIENT_CLOSED' : 'INTERNAL_SERVER_ERROR';
}

/**
 * The client went away in the middle of a streamed answer. Nobody is left to tell, so it is no refusal: it stops
 * the generation. Once part of the answer was delivered the call is charged (usage SUCCEEDED, code CLIENT_CLOSED),
 * otherwise usage records it as a failure; `tokens` are those the generator had counted when it stopped.
 */
export class ClientClosed extends Error {
  tokens = { inputTokens: 0, outputTokens: 0 };

  constructor() {
    super('The client closed the stream before the answer was complete.');
  }
}

/** A refusal the client is meant to see: a contract code, a plain message and the contract's extra extensions. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
    /** The HTTP status of this refusal before execution: its code's, unless an edge refusal gives its own. */
    readonly status: number = ERROR_TABLE[code].status,
  ) {
    super(message);
    this.name = code;
  }
}

const edgeRefusal = (kind: keyof typeof EDGE_REFUSALS, message: string) =>
  new AppError(EDGE_REFUSALS[kind].code, message, {}, EDGE_REFUSALS[kind].status);

export const PayloadTooLarge = (limitBytes: number) => edgeRefusal('PAYLOAD_TOO_LARGE', `The request body is over ${limitBytes} bytes.`);

export const MethodNotAllowed = (message: string) => edgeRefusal('METHOD_NOT_ALLOWED', message);

/** What a client sees of a request whose handler failed unexpectedly (the failure itself is logged). */
export const InternalError = () => edgeRefusal('INTERNAL', 'Internal server error.');

export const Unauthenticated = (message = 'A valid API key is required.') => new AppError('UNAUTHENTICATED', message);

export const Forbidden = (message = 'This operation needs an admin key.') => new AppError('FORBIDDEN', message);

export const TenantSuspended = (message: string) => new AppError('TENANT_SUSPENDED', message);

export const RateLimited = (retryAfterSeconds: number) =>
  new AppError('RATE_LIMITED', `Too many requests; retry in ${retryAfterSeconds} s.`, {
    retryAfter: retryAfterSeconds,
  });

export const QuotaExceeded = (resetsAt: Date) =>
  new AppError('QUOTA_EXCEEDED', 'The monthly request quota is used up.', { resetsAt: resetsAt.toISOString() });

/** One visitor of a publishable key used its asks of the UTC day (the tenant's visitorAsksPerDay). */
export const VisitorCapExceeded = (resetsAt: Date) =>
  new AppError('QUOTA_EXCEEDED', "This visitor's questions for today are used up.", { resetsAt: resetsAt.toISOString(), scope: 'VISITOR' });

export const Blocked = (what: 'key' | 'ip', until: Date) =>
  new AppError('BLOCKED', `This ${what === 'ip' ? 'client address' : 'API key'} is blocked for abuse.`, {
    until: until.toISOString(),
  });

/** `more`: what else the refusal names, for pages to say it in their reader's language (e.g. `phrasing`). */
export const BadInput = (message: string, field?: string, more: Record<string, unknown> = {}) =>
  new AppError('BAD_USER_INPUT', message, { ...(field ? { field } : {}), ...more });

export const QueryTooComplex = (message: string) => new AppError('QUERY_TOO_COMPLEX', message);

/** `more`: what else the refusal names (the `field`, and the `missing` places in it, of a curated answer's cited documents). */
export const NotFound = (what: string, more: Record<string, unknown> = {}) => new AppError('NOT_FOUND', `${what} not found.`, more);

export const UpstreamUnavailable = (what: string) =>
  new AppError('UPSTREAM_UNAVAILABLE', `The ${what} is unavailable; nothing was charged. Try again shortly.`);
