import { BadInput } from '../errors';

const MAX_ORIGINS = 50;

/** What a browser sends as Origin from a page opened from disk (file://, the client package) or a sandboxed frame. */
export const OPAQUE_ORIGIN = 'null';

/**
 * Validates a tenant's allowed origins and stores each the way browsers send it (`scheme://host[:port]`, lower-case,
 * default port dropped), so the comparison with the Origin header can be exact. The literal `null` may be listed too:
 * it lets pages opened from disk (the client package's chat.html) call while the other origins stay restricted.
 */
export function normalizeOrigins(origins: string[]): string[] {
  if (origins.length > MAX_ORIGINS) throw BadInput(`allowedOrigins holds at most ${MAX_ORIGINS} origins.`, 'allowedOrigins');
  const normalized = origins.map((raw) => {
    if (raw.trim().toLowerCase() === OPAQUE_ORIGIN) return OPAQUE_ORIGIN;
    let url: URL | null = null;
    try {
      url = new URL(raw.trim());
    } catch {
      url = null;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin === 'null' || (url.pathname !== '/' && url.pathname !== '')) {
      throw BadInput(`"${raw}" is not an origin such as https://intranet.example.org.`, 'allowedOrigins');
    }
    return url.origin;
  });
  return [...new Set(normalized)];
}

/**
 * Whether a browser page at `origin` may call for a tenant. An empty list allows any origin. `null` (a page opened
 * from file://, or a sandboxed frame) is not treated as absent: any site can send it from a sandboxed frame, so
 * treating it as absent would open a restricted tenant to every site. It is allowed only when the tenant lists
 * `null` itself (it runs the client package from disk) or restricts nothing.
 */
export function isOriginAllowed(allowedOrigins: readonly string[], origin: string): boolean {
  if (allowedOrigins.length === 0) return true;
  return allowedOrigins.includes(origin);
}
