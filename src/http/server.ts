import http from 'node:http';
import { AddressInfo } from 'node:net';
import { GraphQLSchema } from 'graphql';
import { InternalError } from '../errors';
import { startApolloBridge } from './apollo-bridge';
import { Metrics } from './metrics';
import { QueryGuard } from './query-guard';
import { sendAppError, sendJson } from './respond';
import { createRoutes } from './routes';
import { setSecurityHeaders } from './security-headers';
import { Shutdown } from './shutdown';
import { startWsServer } from './ws-server';
import type { Services } from '../services/registry';

export { clientIp } from './client-ip';

export interface RunningServer {
  url: string;
  port: number;
  /**
   * Stops accepting, lets in-flight requests and graphql-ws streams finish for up to `graceMs`, then closes
   * whatever is left. Without a grace, connections are cut at once (tests).
   */
  close(graceMs?: number): Promise<void>;
}

// Parsing the request target as a URL was about 0.02 ms of an ask's CPU (ask profile); this one is only read.
const GRAPHQL_URL: Readonly<URL> = new URL('/graphql', 'http://localhost');

/**
 * The HTTP surface of the contract, put together: the routes (health, readiness, metrics, pages), /graphql over
 * HTTP (src/http/apollo-bridge.ts) and over graphql-ws (src/http/ws-server.ts), and the drain (src/http/shutdown.ts).
 * Plain node:http in front of Apollo, so refusals that happen before GraphQL get the contract's codes and statuses too.
 */
export async function startServer(services: Services, schema: GraphQLSchema, port: number, host = '0.0.0.0'): Promise<RunningServer> {
  const metrics = new Metrics();
  services.shared.onFallback?.(() => metrics.sharedStateFallbacks.inc());
  const guard = new QueryGuard(schema, services.config.queryLimits);
  const graphql = await startApolloBridge(services, schema, guard, metrics);
  const route = createRoutes(services, metrics);

  const server = http.createServer((req, res) => {
    setSecurityHeaders(res);
    shutdown.track(res);
    // Nearly every request is a POST to /graphql itself.
    const url = req.url === '/graphql' ? GRAPHQL_URL : new URL(req.url ?? '/', 'http://localhost');
    const handled =
      url.pathname === '/graphql'
        ? graphql.handle(req, res, url)
        : route(req, res, url).then((served) => {
            if (!served) sendJson(res, 404, { error: 'Not found. GraphQL is served on /graphql.' });
          });
    handled.catch((error) => {
      services.log.error({ err: error }, 'request handler failed');
      if (!res.headersSent) sendAppError(res, InternalError());
      else res.end();
    });
  });
  const shutdown = new Shutdown(server);
  const ws = startWsServer(server, services, schema, guard);

  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    close: (graceMs = 0) => shutdown.close(graceMs, ws, graphql.stop),
  };
}
