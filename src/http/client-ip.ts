import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The socket address; behind `trustedHops` proxies, the entry of X-Forwarded-For that many from the right. Each
 * proxy appends the address it was reached from, so only the right-most `trustedHops` entries were written by our
 * own proxies: the left ones are whatever the client sent, and trusting them would let it pick its own IP (and
 * dodge IP blocks). With fewer entries than hops, the left-most one is the best there is.
 */
export function clientIp(req: IncomingMessage, trustedHops: number): string {
  if (trustedHops > 0) {
    const header = req.headers['x-forwarded-for'];
    const entries = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((e) => e.trim()).filter(Boolean);
    const entry = entries[Math.max(0, entries.length - trustedHops)];
    if (entry) return entry.slice(0, 64);
  }
  return (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
}

/** The caller's x-request-id when it is a plain token, so support can follow it through the logs; else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
}
