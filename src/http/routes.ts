import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { Unauthenticated } from '../errors';
import type { Services } from '../services/registry';
import type { Metrics } from './metrics';
import { servePage } from './pages';
import { sendAppError, sendJson } from './respond';

/** Serves the request if its path is one of these routes; false lets the caller go on. */
export type Route = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>;

/** Everything the server answers besides /graphql: /healthz, /readyz, /metrics and the pages. */
export function createRoutes(services: Services, metrics: Metrics): Route {
  const { metricsToken } = services.config;

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

  return async (req, res, pathname) => {
    if (pathname === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return true;
    }
    if (pathname === '/readyz') {
      await ready(res);
      return true;
    }
    if (pathname === '/metrics') {
      if (metricsToken && !sameSecret(req.headers.authorization, `Bearer ${metricsToken}`)) {
        res.setHeader('www-authenticate', 'Bearer');
        sendAppError(res, Unauthenticated('/metrics needs the metrics token (Authorization: Bearer <METRICS_TOKEN>).'));
        return true;
      }
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
      return true;
    }
    return servePage(req, res, pathname);
  };
}

/** Compares secrets in constant time, so the token can't be guessed byte by byte from response times. */
function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
