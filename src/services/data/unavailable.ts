import { DatabaseError } from 'pg';

/**
 * Whether an error means the database could not be reached (as opposed to a statement it refused). Decided from
 * the error's code and class, never its message: the socket codes Node gives a failed connection, PostgreSQL's
 * connection-exception class (08xxx) and shutdown codes (57P01-57P03), also when TypeORM wraps the driver's error;
 * and a connection the driver lost (a socket closed under a pooled client, say, as the server shut down): pg
 * reports that as a plain Error with no code, while everything the server refused is a DatabaseError with one.
 * Such a failure is the contract's UPSTREAM_UNAVAILABLE (503, retry), not an internal error.
 */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENOENT']);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, driverError } = error as { code?: unknown; driverError?: unknown };
  if (driverError && (isDatabaseUnavailable(driverError) || isLostConnection(driverError))) return true;
  if (typeof code !== 'string') return false;
  return SOCKET_CODES.has(code) || code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code);
}

/** The driver's own failure of a connection: a plain Error (not the server's DatabaseError), without a code. */
function isLostConnection(error: unknown): boolean {
  return Object.getPrototypeOf(error) === Error.prototype && !(error instanceof DatabaseError) && (error as { code?: unknown }).code === undefined;
}
