import type { IncomingMessage, ServerResponse } from 'node:http';

const PREFLIGHT_HEADERS = {
  'access-control-allow-headers': 'authorization, x-api-key, content-type, x-askdesk-visitor',
  'access-control-allow-methods': 'GET, POST',
  'access-control-max-age': '600',
};
// What a page may read from our responses: the limits (to show a countdown) and the id to quote to support.
const EXPOSED_HEADERS = 'RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, x-request-id';

/**
 * Preflights carry no key, so they can't be judged per tenant: every origin gets a yes, and the actual request,
 * which carries the key, is the one checked (in the context, against the tenant's allowedOrigins).
 */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  res.writeHead(204, {
    ...(origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {}),
    ...PREFLIGHT_HEADERS,
  });
  res.end();
}

/** Lets the page at `origin` read this response. Keys travel in headers, never cookies, so no credentials mode. */
export function allowCors(res: ServerResponse, origin: string): void {
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
}

/**
 * The Origin of a page from another site, or undefined. This server's own pages (/chat, /admin) send their Origin
 * too, on POSTs and WebSocket upgrades; they are not cross-origin, so no tenant's allowedOrigins applies to them.
 */
export function foreignOrigin(req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return origin;
  try {
    return new URL(origin).host === req.headers.host ? undefined : origin;
  } catch {
    return origin;
  }
}
