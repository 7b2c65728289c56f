/**
 * The one table of refusals, as shared/API.md lists them. Services throw `AppError`s; `formatError`
 * (src/format-error.ts) maps them once, and the HTTP layer reads the status from the same table. Nothing else decides a code or a status.
 */
export const ERROR_TABLE = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  TENANT_SUSPENDED: 403,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 429,
  BLOCKED: 403,
  BAD_USER_INPUT: 400,
  QUERY_TOO_COMPLEX: 400,
  NOT_FOUND: 200,
  UPSTREAM_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_TABLE;

export function httpStatusOf(code: unknown): number | undefined {
  return typeof code === 'string' && code in ERROR_TABLE ? ERROR_TABLE[code as ErrorCode] : undefined;
}

/** A refusal the client is meant to see: a contract code, a plain message and the contract's extra extensions. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export const Unauthenticated = (message = 'A valid API key is required.') => new AppError('UNAUTHENTICATED', message);

export const Forbidden = (message = 'This operation needs an admin key.') => new AppError('FORBIDDEN', message);

export const TenantSuspended = (message: string) => new AppError('TENANT_SUSPENDED', message);

export const RateLimited = (retryAfterSeconds: number) =>
  new AppError('RATE_LIMITED', `Too many requests; retry in ${retryAfterSeconds} s.`, {
    retryAfter: retryAfterSeconds,
  });

export const QuotaExceeded = (resetsAt: Date) =>
  new AppError('QUOTA_EXCEEDED', 'The monthly request quota is used up.', { resetsAt: resetsAt.toISOString() });

export const Blocked = (what: 'key' | 'ip', until: Date) =>
  new AppError('BLOCKED', `This ${what === 'ip' ? 'client address' : 'API key'} is blocked for abuse.`, {
    until: until.toISOString(),
  });

export const BadInput = (message: string, field?: string) =>
  new AppError('BAD_USER_INPUT', message, field ? { field } : {});

export const QueryTooComplex = (message: string) => new AppError('QUERY_TOO_COMPLEX', message);

export const NotFound = (what: string) => new AppError('NOT_FOUND', `${what} not found.`);

export const UpstreamUnavailable = (what: string) =>
  new AppError('UPSTREAM_UNAVAILABLE', `The ${what} is unavailable; nothing was charged. Try again shortly.`);
