import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import { Context, createContext, presentedKey, VISITOR_HEADER } from '../context';
import { AppError, Blocked, EDGE_REFUSALS } from '../errors';
import type { Services } from '../services/registry';
import { clientIp, requestIdOf } from './client-ip';
import { allowCors, answerPreflight, foreignOrigin } from './cors';
import { DocumentCache } from './document-cache';
import { formatError } from './format-error';
import type { Metrics } from './metrics';
import type { QueryGuard } from './query-guard';
import { bodyLimitOf, readGraphqlRequest } from './read-request';
import { requestPlugin } from './request-plugin';
import { sendAppError } from './respond';

export interface ApolloBridge {
  /** Answers one HTTP request to /graphql. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  stop(): Promise<void>;
}

/**
 * GraphQL over HTTP: a request to /graphql is logged, given its CORS headers, checked against IP blocks, read and
 * guarded here, then handed to Apollo, whose answer is written back to the node:http response.
 */
export async function startApolloBridge(services: Services, schema: GraphQLSchema, guard: QueryGuard, metrics: Metrics): Promise<ApolloBridge> {
  const { config } = services;
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

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method === 'OPTIONS') return answerPreflight(req, res);
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    // Answers carry secrets (a new key, a client package) and per-caller data: no cache may keep any of them.
    res.setHeader('cache-control', 'no-store');
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

    const key = presentedKey(req.headers);
    const limit = await bodyLimitOf(req, key, services.keys);
    let body: unknown;
    try {
      ({ body } = await readGraphqlRequest(req, url, guard, limit.bytes));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.status === EDGE_REFUSALS.METHOD_NOT_ALLOWED.status) res.setHeader('allow', 'GET, POST');
      if (error.status === EDGE_REFUSALS.PAYLOAD_TOO_LARGE.status) {
        // The rest of the body is not read, so the connection can't be reused; and the context never sees this
        // request's bad key, so it counts towards the IP's failed authentications here.
        res.setHeader('connection', 'close');
        if (limit.badCredential) await services.abuse.authFailed(ip);
      }
      return sendAppError(res, error);
    }

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const log = services.log.child({ requestId });
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method!, headers, search: url.search, body },
      context: () => createContext(services, { requestId, ip, key, origin, visitor: req.headers[VISITOR_HEADER], log }),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') return void res.end(response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  return { handle, stop: () => apollo.stop() };
}
