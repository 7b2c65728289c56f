import type { RateDecision } from '../services/shared-state/shared-state';

/** The contract's rate headers for a decision: RateLimit-* on every keyed response, Retry-After on a refusal. */
export function setRateHeaders(headers: Map<string, string>, decision: RateDecision): void {
  headers.set('RateLimit-Limit', String(decision.limit));
  headers.set('RateLimit-Remaining', String(decision.remaining));
  headers.set('RateLimit-Reset', String(decision.resetSeconds));
  if (!decision.allowed) headers.set('Retry-After', String(decision.resetSeconds));
  else headers.delete('Retry-After');
}
