import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * The security headers every response carries, set before any handler runs: nosniff, no framing, no referrer,
 * and a content policy that lets an API response load nothing. A handler that serves pages sets its own
 * Content-Security-Policy afterwards, which replaces this one (browsers then ignore X-Frame-Options in favour of
 * that policy's frame-ancestors).
 *
 * Cross-Origin-Resource-Policy is left out: the API and its scripts are meant to be used from other origins
 * (CORS decides who may), and `same-origin` would stop a `<script src>` of the widget on a customer's page.
 */
const helmetMiddleware = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginResourcePolicy: false,
  crossOriginEmbedderPolicy: false,
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
});

/*
 * With this configuration helmet writes the same headers whatever the request, so they are taken from it once, at
 * start: running its middleware chain on every request cost about twice as much as setting them.
 */
const HEADERS: [string, string][] = [];
helmetMiddleware(
  {} as IncomingMessage,
  {
    setHeader: (name: string, value: string) => HEADERS.push([name, value]),
    removeHeader: () => undefined,
  } as unknown as ServerResponse,
  () => undefined,
);

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of HEADERS) res.setHeader(name, value);
}
