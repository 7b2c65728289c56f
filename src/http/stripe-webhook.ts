import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, BadInput, httpStatusOf } from '../errors';
import type { Services } from '../services/registry';
import { formatAppError } from './format-error';

/** Stripe's events are a few kilobytes; anything this large is not one. */
const MAX_EVENT_BYTES = 1024 * 1024;

/**
 * POST /webhooks/stripe: Stripe's events, verified with STRIPE_WEBHOOK_SECRET on the raw body (the signature covers
 * the exact bytes sent, so the body is never parsed before it is checked). A bad or missing signature is refused
 * with 400 and changes nothing; a verified event is applied once (StripeBillingService.handleEvent) and answered
 * 200. A failure to apply it answers 500, so Stripe delivers it again later. Without Stripe configured: 404.
 */
export async function stripeWebhook(services: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const billing = services.stripeBilling;
  if (!billing) return send(res, 404, { error: 'Not found. GraphQL is served on /graphql.' });
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    return refuse(res, BadInput('Stripe webhooks are POSTed.'), 405);
  }
  const raw = await readRaw(req);
  if (raw === null) return refuse(res, BadInput(`The request body is over ${MAX_EVENT_BYTES} bytes.`), 413);
  let event;
  try {
    event = billing.verify(raw, req.headers['stripe-signature']);
  } catch {
    services.log.warn({ ip: req.socket.remoteAddress }, 'stripe webhook refused: bad or missing signature');
    return refuse(res, BadInput('The Stripe-Signature header is missing or does not match the body.'));
  }
  await billing.handleEvent(event);
  send(res, 200, { received: true });
}

function readRaw(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_EVENT_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_EVENT_BYTES ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function refuse(res: ServerResponse, error: AppError, status = httpStatusOf(error.code) ?? 400): void {
  send(res, status, { errors: [formatAppError(error)] });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
