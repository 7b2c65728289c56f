import { BadInput } from '../errors';

const MAX_ORIGINS = 50;

/**
 * Validates a tenant's allowed origins and stores each the way browsers send it (`scheme://host[:port]`, lower-case,
 * default port dropped), so the comparison with the Origin header can be exact.
 */
export function normalizeOrigins(origins: string[]): string[] {
  if (origins.length > MAX_ORIGINS) throw BadInput(`allowedOrigins holds at most ${MAX_ORIGINS} origins.`, 'allowedOrigins');
  const normalized = origins.map((raw) => {
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
 * from file://, or a sandboxed frame) can't be told apart from any other such page, so it is allowed only when
 * the tenant restricts nothing.
 */
export function isOriginAllowed(allowedOrigins: readonly string[], origin: string): boolean {
  if (allowedOrigins.length === 0) return true;
  return origin !== 'null' && allowedOrigins.includes(origin);
}
