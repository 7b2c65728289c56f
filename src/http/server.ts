import http, { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ExecutionResult, GraphQLError, GraphQLSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { Context, createContext, presentedKey } from '../context';
import { AppError, BadInput, Blocked, httpStatusOf, Unauthenticated, UpstreamUnavailable } from '../errors';
import { allowCors, answerPreflight, foreignOrigin } from './cors';
import { DocumentCache } from './document-cache';
import { formatAppError, formatError, toClientError } from './format-error';
import { Metrics } from './metrics';
import { servePage } from './pages';
import { GuardedRequest, QueryGuard } from './query-guard';
import { requestPlugin } from './request-plugin';
import { setSecurityHeaders } from './security-headers';
import { stripeWebhook } from './stripe-webhook';
import type { Services } from '../services/registry';

export interface RunningServer {
  url: string;
  port: number;
  /**
   * Stops accepting, lets in-flight requests and graphql-ws streams finish for up to `graceMs`, then closes
   * whatever is left. Without a grace, connections are cut at once (tests).
   */
  close(graceMs?: number): Promise<void>;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;
// Parsing the request target as a URL was about 0.02 ms of an ask's CPU (ask profile); this one is only read.
const GRAPHQL_URL: Readonly<URL> = new URL('/graphql', 'http://localhost');

/**
 * The HTTP surface of the contract: /graphql (POST, and GET for queries), /healthz, /readyz, /metrics, and
 * graphql-ws on /graphql for askStream. Plain node:http in front of Apollo, so refusals that happen before GraphQL
 * (a blocked IP, a malformed body) get the contract's codes and statuses too.
 */
export async function startServer(services: Services, schema: GraphQLSchema, port: number, host = '0.0.0.0'): Promise<RunningServer> {
  const { config } = services;
  const metrics = new Metrics();
  services.shared.onFallback?.(() => metrics.sharedStateFallbacks.inc());
  const guard = new QueryGuard(schema, config.queryLimits);
  const apollo = new ApolloServer<Context>({
    schema,
    // No cache hints are used (every response is Cache-Control: no-store), and Apollo's cache-control plugin,
    // installed unless disabled, would wrap every field resolver to collect them.
    plugins: [requestPlugin(metrics, schema), ApolloServerPluginCacheControlDisabled()],
    formatError: formatError(services.log),
    // A browser sends a simple request (GET, or a text/plain or form POST) cross-site without asking; with a
    // cookie-less API the risk is small, but a GET mutation or a form post must never run. A request carrying
    // one of these headers was preflighted by any browser, so keyed clients are never refused.
    csrfPrevention: { requestHeaders: ['authorization', 'x-api-key', 'apollo-require-preflight', 'x-apollo-operation-name'] },
    includeStacktraceInErrorResponses: false,
    // Bounded by what parsed documents really hold in memory (see DocumentCache).
    documentStore: new DocumentCache(),
    // Apollo's own handler re-raises the signal and the process dies before it drains; main.ts owns shutdown.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  let draining = false;
  const inFlight = new Set<ServerResponse>();
  const server = http.createServer((req, res) => {
    setSecurityHeaders(res);
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    // While draining, a kept-alive connection still gets its answer, then is closed instead of reused.
    if (draining) res.setHeader('connection', 'close');
    handle(req, res).catch((error) => {
      services.log.error({ err: error }, 'request handler failed');
      if (!res.headersSent) sendErrors(res, 500, [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Nearly every request is a POST to /graphql itself.
    const url = req.url === '/graphql' ? GRAPHQL_URL : new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/readyz') return ready(res);
    if (url.pathname === '/metrics') {
      if (config.metricsToken && !sameSecret(req.headers.authorization, `Bearer ${config.metricsToken}`)) {
        res.setHeader('www-authenticate', 'Bearer');
        return sendAppError(res, Unauthenticated('/metrics needs the metrics token (Authorization: Bearer <METRICS_TOKEN>).'));
      }
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      return void res.end(await metrics.registry.metrics());
    }
    if (url.pathname === '/webhooks/stripe') return stripeWebhook(services, req, res);
    if (await servePage(req, res, url.pathname)) return;
    if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'Not found. GraphQL is served on /graphql.' });
    if (req.method === 'OPTIONS') return answerPreflight(req, res);

    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const ip = clientIp(req, config.trustProxy);
    // One JSON line per GraphQL request, whatever answered it (a refusal here, or Apollo), keyed by request id; not
    // even timed when the level leaves it out (warn, as deployed under load).
    if (services.log.isLevelEnabled('info')) {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        services.log.info({ requestId, method: req.method, status: res.statusCode, ip, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'graphql request');
      });
    }
    // A browser page may read every answer, refusals included (a widget on a site its tenant has not allowed then
    // says so); whether the page's origin is allowed is decided with the key, in the context.
    const origin = foreignOrigin(req);
    if (origin !== undefined) allowCors(res, origin);
    const blockedUntil = await services.abuse.ipBlockedUntil(ip);
    if (blockedUntil) return sendAppError(res, Blocked('ip', blockedUntil));

    let body: unknown = undefined;
    if (req.method === 'POST') {
      const raw = await readBody(req);
      if (raw === null) return sendAppError(res, BadInput(`The request body is over ${MAX_BODY_BYTES} bytes.`), 413);
      try {
        body = JSON.parse(raw.toString('utf8') || 'null');
      } catch {
        return sendAppError(res, BadInput('The request body is not valid JSON.'));
      }
    } else if (req.method !== 'GET') {
      res.setHeader('allow', 'GET, POST');
      return sendAppError(res, BadInput('Use POST (or GET for queries) on /graphql.'), 405);
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
    try {
      // Shape and size first: containsNul walks the values, so they must be known to be shallow.
      guard.check(request, 'http');
    } catch (error) {
      if (error instanceof AppError) return sendAppError(res, error);
      throw error;
    }
    if (containsNul(body) || containsNul(request)) return sendAppError(res, NUL_REFUSAL());

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const log = services.log.child({ requestId });
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method!, headers, search: url.search, body },
      context: () => createContext(services, { requestId, ip, key: presentedKey(req.headers), origin, log }),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') return void res.end(response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  async function ready(res: ServerResponse): Promise<void> {
    const checks: Record<string, string> = {};
    const probe = async (name: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
        checks[name] = 'ok';
      } catch (error) {
        checks[name] = `failed: ${(error as Error).message}`;
      }
    };
    await Promise.all([
      probe('database', () => services.data.ping()),
      probe(`retriever (${services.index.name})`, () => services.index.ping()),
      probe(`generator (${services.generator.model})`, () => services.generator.ping()),
      probe(`limits (${services.shared.name})`, () => services.shared.ping()),
    ]);
    const ok = Object.values(checks).every((c) => c === 'ok');
    sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'unavailable', checks });
  }

  // askStream over graphql-ws: the key comes in connection_init's payload { authorization }.
  const wss = new WebSocketServer({ server, path: '/graphql' });
  // Accepted connections, whose running subscriptions a shutdown waits for.
  const wsContexts = new Set<{ readonly subscriptions: Record<string, unknown> }>();
  const formatAll = (errors: readonly GraphQLError[]) => errors.map((e) => toClientError(e, services.log));
  const wsCleanup = useServer<Record<string, unknown>, { ip: string }>(
    {
      schema,
      context: async (ctx) =>
        createContext(services, { requestId: randomUUID(), ip: ctx.extra.ip ?? 'unknown', key: wsKey(ctx.connectionParams), origin: foreignOrigin(ctx.extra.request), log: services.log }),
      // A blocked IP, or a connection_init with a bad key, closes the socket with 4403 (the contract).
      onConnect: async (ctx) => {
        if (draining) return false;
        const ip = clientIp(ctx.extra.request, config.trustProxy);
        (ctx.extra as { ip: string }).ip = ip;
        if (await services.abuse.ipBlockedUntil(ip)) return false;
        const key = wsKey(ctx.connectionParams);
        // A bad key (unknown, revoked, expired) closes the socket with 4403; a good key that is refused for now
        // (suspended tenant, blocked key) connects, and each subscription is refused with its code and extras.
        const refusal = key ? (await createContext(services, { requestId: randomUUID(), ip, key, log: services.log })).refusal : null;
        if (refusal?.error.code === 'UNAUTHENTICATED') return false;
        wsContexts.add(ctx);
        return true;
      },
      onClose: (ctx) => void wsContexts.delete(ctx),
      onSubscribe: (_ctx, _id, payload) => {
        const refuse = (error: AppError) => [new GraphQLError(error.message, { originalError: error })];
        if (draining) return refuse(UpstreamUnavailable('server (it is restarting)'));
        try {
          const syntaxError = guard.check(payload, 'ws');
          if (syntaxError) return [new GraphQLError(syntaxError.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        } catch (error) {
          if (error instanceof AppError) return refuse(error);
          throw error;
        }
        if (containsNul(payload)) return refuse(NUL_REFUSAL());
      },
      // A subscription refused before its stream starts (by @auth) comes back as a result with errors; the contract
      // wants every refusal of a subscription as an `error` message, which graphql-ws sends for a stream that throws.
      onOperation: (_ctx, _id, _payload, _args, result) => {
        const errors = Symbol.asyncIterator in result ? undefined : (result as ExecutionResult).errors;
        return errors?.length ? failingStream(errors[0]) : undefined;
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: formatAll(result.errors) } : undefined),
      // graphql-ws reports here the errors of a request it could not run (validation, an unknown operationName), and
      // the refusals thrown by a stream; the one mapper tells them apart.
      onError: (_ctx, _id, _payload, errors) => formatAll(errors),
    },
    wss,
  );

  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    close: async (graceMs = 0) => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // graphql-ws keeps each socket's running subscriptions in its context; a stream ends when its ask does.
      const streams = () => [...wsContexts].reduce((n, ctx) => n + Object.keys(ctx.subscriptions).length, 0);
      const deadline = Date.now() + graceMs;
      while (Date.now() < deadline && (inFlight.size > 0 || streams() > 0)) {
        server.closeIdleConnections();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await wsCleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await apollo.stop();
    },
  };
}

/** The key of a graphql-ws connection: `authorization` (or `x-api-key`) in connection_init's payload. */
function wsKey(params: Record<string, unknown> | undefined): string | null {
  return presentedKey({ authorization: params?.authorization, 'x-api-key': params?.['x-api-key'] });
}

/** A stream whose first read throws `error`. */
function failingStream(error: unknown): AsyncIterableIterator<never> {
  return {
    next: () => Promise.reject(error),
    return: async () => ({ value: undefined, done: true }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

// PostgreSQL text cannot hold U+0000, so a NUL anywhere would fail deep inside a write. Refused here, once, for
// every field: in JSON values, and as the \u0000 escape inside a GraphQL string literal.
const NUL_REFUSAL = () => BadInput('Text must not contain NUL characters (U+0000).');

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

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
}

/**
 * The socket address; behind `trustedHops` proxies, the entry of X-Forwarded-For that many from the right. Each
 * proxy appends the address it was reached from, so only the right-most `trustedHops` entries were written by our
 * own proxies: the left ones are whatever the client sent, and trusting them would let it pick its own IP (and
 * dodge IP blocks). With fewer entries than hops, the left-most one is the best there is.
 */
export function clientIp(req: IncomingMessage, trustedHops: number): string {
  if (trustedHops > 0) {
    const header = req.headers['x-forwarded-for'];
    const entries = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((e) => e.trim()).filter(Boolean);
    const entry = entries[Math.max(0, entries.length - trustedHops)];
    if (entry) return entry.slice(0, 64);
  }
  return (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
}

/** Compares secrets in constant time, so the token can't be guessed byte by byte from response times. */
function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function sendErrors(res: ServerResponse, status: number, errors: object[]): void {
  sendJson(res, status, { errors });
}

function sendAppError(res: ServerResponse, error: AppError, status = httpStatusOf(error.code) ?? 400): void {
  sendErrors(res, status, [formatAppError(error)]);
}
