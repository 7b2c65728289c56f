import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, Forbidden } from '../errors';
import type { Context } from '../context';
import type { Principal } from '../services/api-key.service';
import { isOriginAllowed } from '../services/allowed-origins';
import type { Services } from '../services/registry';

const PREFLIGHT_HEADERS = {
  'access-control-allow-headers': 'authorization, x-api-key, content-type',
  'access-control-allow-methods': 'GET, POST',
  'access-control-max-age': '600',
};
// What a page may read from our responses: the limits (to show a countdown) and the id to quote to support.
const EXPOSED_HEADERS = 'RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, x-request-id';

export const OriginRefused = () => Forbidden('This origin is not allowed for this tenant.');

/**
 * Preflights carry no key, so they can't be judged per tenant: every origin gets a yes, and the actual request,
 * which carries the key, is the one checked.
 */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  res.writeHead(204, {
    ...(origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {}),
    ...PREFLIGHT_HEADERS,
  });
  res.end();
}

/** Why a caller may not be served from this browser origin, or null. Admin keys and non-browser calls pass. */
export function originRefusal(principal: Principal | null, origin: string | undefined): AppError | null {
  if (origin === undefined || !principal?.tenant) return null;
  return isOriginAllowed(principal.tenant.allowedOrigins ?? [], origin) ? null : OriginRefused();
}

/**
 * For a browser request to /graphql: refuses it when its key's tenant does not allow the page's origin, and
 * otherwise lets the page read the response. A bad or missing key is left to the usual authentication, which
 * answers with its own refusal (readable by the page, so it can say what is wrong with the key).
 */
export async function applyCors(services: Services, req: IncomingMessage, res: ServerResponse, key: string | null): Promise<AppError | null> {
  const origin = foreignOrigin(req);
  if (origin === undefined) return null;
  if (key) {
    const result = await services.keys.authenticate(key);
    const refusal = result.ok ? originRefusal(result.principal, origin) : null;
    if (refusal) return refusal;
  }
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
  return null;
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

/**
 * Over graphql-ws the Origin is known at the upgrade but the key only at connection_init: a disallowed origin turns
 * the context's principal into a refusal, which @auth then reports on the subscription like any other.
 */
export function refuseDisallowedOrigin(context: Context, origin: string | undefined): Context {
  const principal = context.auth.principal;
  const refusal = originRefusal(principal, origin);
  if (refusal && principal) {
    Object.assign(context.auth, { principal: null, refusal, refusedTenantId: principal.tenantId, refusedKeyId: principal.keyId });
  }
  return context;
}
