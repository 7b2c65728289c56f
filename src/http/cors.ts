import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, Forbidden } from '../errors';
import type { Services } from '../services/registry';

const EXPOSED = 'RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, x-request-id';

export const OriginRefused = () => Forbidden('This origin is not allowed for this tenant.');

/** An empty list allows any origin; `null` (a page opened from file://) only then. */
export function originAllowed(allowedOrigins: readonly string[] | null | undefined, origin: string): boolean {
  if (!allowedOrigins || allowedOrigins.length === 0) return true;
  return origin !== 'null' && allowedOrigins.includes(origin);
}

/**
 * Preflights carry no key, so they are answered for any origin; the tenant's allowedOrigins is enforced on the
 * real request, where the key is known (see originRefusal).
 */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(204, {
    'access-control-allow-origin': req.headers.origin ?? '*',
    'access-control-allow-headers': 'authorization, x-api-key, content-type',
    'access-control-allow-methods': 'GET, POST',
    'access-control-max-age': '600',
    vary: 'Origin',
  });
  res.end();
}

/**
 * The Origin of a request from another site, or null. The server's own pages (same host) are always allowed:
 * browsers send Origin on their POSTs and WebSocket upgrades too.
 */
export function crossOrigin(req: IncomingMessage): string | null {
  const origin = req.headers.origin;
  if (!origin) return null;
  try {
    if (origin !== 'null' && new URL(origin).host === req.headers.host) return null;
  } catch {
    /* a malformed Origin is treated as foreign */
  }
  return origin;
}

/**
 * The refusal for a cross-origin call whose key belongs to a tenant that does not list this origin, or null.
 * A key that does not authenticate is left to the normal path, which refuses it with its own code. Given the
 * response, it also adds the CORS headers, so that the calling page can read even a refusal.
 */
export async function originRefusal(services: Services, key: string | null, origin: string, res?: ServerResponse): Promise<AppError | null> {
  if (res) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', EXPOSED);
    res.setHeader('vary', 'Origin');
  }
  if (!key) return null;
  const result = await services.keys.authenticate(key);
  if (!result.ok) return null;
  const tenant = result.principal.tenant as { allowedOrigins?: string[] | null } | null;
  return tenant && !originAllowed(tenant.allowedOrigins, origin) ? OriginRefused() : null;
}
