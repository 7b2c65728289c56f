import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import { BadInput, MethodNotAllowed, PayloadTooLarge } from '../errors';
import type { ApiKeyService } from '../services/keys/api-key.service';
import type { GuardedRequest, QueryGuard } from './query-guard';

/** A /graphql request once read and checked: the parsed JSON body (POST) and the GraphQL request it holds. */
export interface ReadRequest {
  body: unknown;
  request: GuardedRequest;
}

/**
 * How much of a body is read, by who sends it. Memory is spent only on callers the key vouches for: without a key,
 * or with one that is refused, a body stops at what an anonymous query needs; a client's requests are questions;
 * only admin keys upload documents. A graphql-ws frame is held to the client's limit.
 */
export const BODY_LIMITS = {
  anonymous: 64 * 1024,
  client: 1024 * 1024,
  admin: 32 * 1024 * 1024,
} as const;

/**
 * The body limit of this request, known from its headers before any of the body is read. A body declared no larger
 * than the anonymous limit needs no key lookup (the hot path: questions are small); otherwise the key is looked
 * up (the key service caches it, and the context's own lookup then finds it there). `badCredential` tells that the
 * key itself was refused, for the failed-authentication count when the refusal of the body ends the request.
 */
export async function bodyLimitOf(req: IncomingMessage, key: string | null, keys: ApiKeyService): Promise<{ bytes: number; badCredential: boolean }> {
  const anonymous = { bytes: BODY_LIMITS.anonymous, badCredential: false };
  const declared = Number(req.headers['content-length']);
  if (req.method !== 'POST' || (Number.isSafeInteger(declared) && declared <= BODY_LIMITS.anonymous) || !key) return anonymous;
  try {
    const result = await keys.authenticate(key);
    if (!result.ok) return { ...anonymous, badCredential: result.badCredential };
    return { bytes: result.caller.role === 'ADMIN' ? BODY_LIMITS.admin : BODY_LIMITS.client, badCredential: false };
  } catch {
    // The key can't be checked (database down): the context answers 503 for it; meanwhile a client's limit.
    return { bytes: BODY_LIMITS.client, badCredential: false };
  }
}

/**
 * Reads a /graphql request over HTTP (the JSON body of a POST, or the parameters of a GET) and checks it before
 * Apollo sees it. Throws the refusal as an AppError; a body over `limitBytes` is refused without being read further.
 */
export async function readGraphqlRequest(req: IncomingMessage, url: URL, guard: QueryGuard, limitBytes: number): Promise<ReadRequest> {
  let body: unknown = undefined;
  if (req.method === 'POST') {
    const raw = await readBody(req, limitBytes);
    try {
      body = JSON.parse(raw.toString('utf8') || 'null');
    } catch {
      throw BadInput('The request body is not valid JSON.');
    }
  } else if (req.method !== 'GET') {
    throw MethodNotAllowed('Use POST (or GET for queries) on /graphql.');
  }
  const request: GuardedRequest =
    req.method === 'POST'
      ? ((body ?? {}) as GuardedRequest)
      : {
          query: url.searchParams.get('query'),
          operationName: url.searchParams.get('operationName'),
          variables: parseJson(url.searchParams.get('variables')),
          extensions: parseJson(url.searchParams.get('extensions')),
        };
  checkRequest(guard, request, 'http', body);
  return { body, request };
}

/**
 * The checks every GraphQL request passes, over HTTP and graphql-ws alike: the query guard, then the NUL check.
 * Throws the refusal; returns the syntax error of a query that does not parse (HTTP leaves it to Apollo).
 */
export function checkRequest(guard: QueryGuard, request: GuardedRequest, transport: 'http' | 'ws', body?: unknown): GraphQLError | undefined {
  // Shape and size first: containsNul walks the values, so they must be known to be shallow.
  const syntaxError = guard.check(request, transport);
  if (containsNul(body) || containsNul(request)) throw NulRefusal();
  return syntaxError;
}

// PostgreSQL text cannot hold U+0000, so a NUL anywhere would fail deep inside a write. Refused here, once, for
// every field: in JSON values, and as the \u0000 escape inside a GraphQL string literal.
const NulRefusal = () => BadInput('Text must not contain NUL characters (U+0000).');

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value && typeof value === 'object') {
    const query = (value as { query?: unknown }).query;
    if (typeof query === 'string' && /\\u0000/.test(query)) return true;
    return Object.entries(value).some(([k, v]) => containsNul(k) || containsNul(v));
  }
  return false;
}

function parseJson(text: string | null): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null; // Apollo answers malformed variables itself
  }
}

/**
 * The body, or PAYLOAD_TOO_LARGE as soon as it is known to pass `limitBytes`: from Content-Length before reading
 * anything, or once a chunked body has. Reading stops there (the refusal closes the connection).
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.reject(PayloadTooLarge(limitBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > limitBytes) {
        req.off('data', onData);
        req.pause();
        reject(PayloadTooLarge(limitBytes));
      }
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
