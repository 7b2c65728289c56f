import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import { BadInput, MethodNotAllowed, PayloadTooLarge } from '../errors';
import type { GuardedRequest, QueryGuard } from './query-guard';

/** A /graphql request once read and checked: the parsed JSON body (POST) and the GraphQL request it holds. */
export interface ReadRequest {
  body: unknown;
  request: GuardedRequest;
}

export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Reads a /graphql request over HTTP (the JSON body of a POST, or the parameters of a GET) and checks it before
 * Apollo sees it. Throws the refusal as an AppError.
 */
export async function readGraphqlRequest(req: IncomingMessage, url: URL, guard: QueryGuard): Promise<ReadRequest> {
  let body: unknown = undefined;
  if (req.method === 'POST') {
    const raw = await readBody(req, MAX_BODY_BYTES);
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

/** The body, or PAYLOAD_TOO_LARGE once it passes `limitBytes` (what is past the limit is read and dropped). */
function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? reject(PayloadTooLarge(limitBytes)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}
