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

export function setSecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  // helmet only sets headers and calls next synchronously; it never fails on a plain node:http response.
  helmetMiddleware(req, res, () => undefined);
}
