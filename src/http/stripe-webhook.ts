import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, BadInput, MethodNotAllowed } from '../errors';
import type { Services } from '../services/registry';
import { readBody } from './read-request';
import { sendAppError, sendJson } from './respond';

/** Stripe's events are a few kilobytes; anything this large is not one. */
const MAX_EVENT_BYTES = 1024 * 1024;

/**
 * POST /webhooks/stripe: Stripe's events, verified with STRIPE_WEBHOOK_SECRET on the raw body (the signature covers
 * the exact bytes sent, so the body is never parsed before it is checked). A bad or missing signature is refused
 * with 400 and changes nothing; a verified event is applied once (StripeBillingService.handleEvent) and answered
 * 200. A failure to apply it answers 500, so Stripe delivers it again later. False (not this route) when Stripe
 * billing is off.
 */
export async function stripeWebhook(services: Services, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const billing = services.stripeBilling;
  if (!billing) return false;
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST');
    sendAppError(res, MethodNotAllowed('Stripe webhooks are POSTed.'));
    return true;
  }
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_EVENT_BYTES);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    sendAppError(res, error);
    return true;
  }
  let event;
  try {
    event = billing.verify(raw, req.headers['stripe-signature']);
  } catch {
    services.log.warn({ ip: req.socket.remoteAddress }, 'stripe webhook refused: bad or missing signature');
    sendAppError(res, BadInput('The Stripe-Signature header is missing or does not match the body.'));
    return true;
  }
  await billing.handleEvent(event);
  sendJson(res, 200, { received: true });
  return true;
}
