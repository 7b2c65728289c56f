import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { Unauthenticated } from '../errors';
import type { Services } from '../services/registry';
import { Health, overall, probeHealth } from './health';
import type { Metrics } from './metrics';
import { pageLanguage } from './page-language';
import { PAGE_CSP, servePage } from './pages';
import { sendAppError, sendJson } from './respond';
import { FAVICON_SVG, SITE_CSS } from './site-assets';
import { homePage, statusPage } from './site-pages';
import { stripeWebhook } from './stripe-webhook';

/** Serves the request if its path is one of these routes; false lets the caller go on. */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

// /status is public: its probes run at most this often, whatever the traffic.
const STATUS_CACHE_MS = 2_000;

/**
 * Everything the server answers besides /graphql: /healthz, /readyz, /metrics, Stripe's webhooks when billing with
 * Stripe is on, the first page (/), /status (HTML and JSON), the favicon, and the built pages (src/http/pages.ts).
 */
export function createRoutes(services: Services, metrics: Metrics): Route {
  const { metricsToken } = services.config;
  let lastStatus: { at: number; health: Promise<Health> } | undefined;
  const currentHealth = () => {
    const now = services.clock.now();
    if (!lastStatus || now - lastStatus.at > STATUS_CACHE_MS) lastStatus = { at: now, health: probeHealth(services) };
    return lastStatus;
  };

  const sendText = (req: IncomingMessage, res: ServerResponse, type: string, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(200, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const sendPage = (req: IncomingMessage, res: ServerResponse, html: string, cache: string) =>
    sendText(req, res, 'text/html; charset=utf-8', html, { 'content-security-policy': PAGE_CSP, 'cache-control': cache, vary: 'Accept-Language' });

  return async (req, res, url) => {
    const { pathname } = url;
    if (pathname === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return true;
    }
    if (pathname === '/readyz') {
      // Up or down per part, for orchestrators: a slow part still answers. The reasons are in the server log.
      const health = await probeHealth(services);
      const checks = { database: health.database, retriever: health.retrieval, generator: health.answers, limits: health.limits };
      const ready = Object.values(checks).every((state) => state !== 'down');
      const updown = Object.fromEntries(Object.entries(checks).map(([part, state]) => [part, state === 'down' ? 'down' : 'up']));
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks: updown });
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
    if (pathname === '/webhooks/stripe') return stripeWebhook(services, req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    switch (pathname) {
      case '/':
        sendPage(req, res, homePage(pageLanguage(req, url)), 'no-cache');
        return true;
      case '/status':
      case '/status.json': {
        const { at, health } = currentHealth();
        const state = await health;
        if (pathname === '/status.json') {
          res.setHeader('cache-control', 'no-store');
          sendJson(res, 200, { status: overall(state), parts: state });
        } else {
          sendPage(req, res, statusPage(pageLanguage(req, url), state, new Date(at)), 'no-store');
        }
        return true;
      }
      case '/favicon.ico':
      case '/favicon.svg':
        sendText(req, res, 'image/svg+xml', FAVICON_SVG, { 'cache-control': 'public, max-age=86400', 'cross-origin-resource-policy': 'cross-origin' });
        return true;
      case '/site.css':
        sendText(req, res, 'text/css; charset=utf-8', SITE_CSS, { 'cache-control': 'no-cache' });
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
