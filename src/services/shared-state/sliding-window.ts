import type { RateDecision } from './shared-state';

/**
 * The rolling window as a fixed ring of sub-buckets, shared by the in-process and the Redis implementation (whose
 * Lua script follows the same arithmetic). A window of W ms is cut into BUCKETS buckets of `width` ms; a call counts
 * in the bucket of its instant. At bucket `c` the window counts buckets c-BUCKETS … c, so SLOTS = BUCKETS + 1: the
 * oldest one is only partly inside the rolling window, and counting it whole is what makes the limit conservative
 * (never more than `limit` calls in any rolling W; at worst a client waits one bucket longer than strictly needed).
 * Bucket j stops counting at instant (j + SLOTS) × width, which is what `retryAfter` is computed from.
 * Cost per call: at most SLOTS slot updates, whatever the limit or the traffic; memory: SLOTS counters per key.
 */
export const BUCKETS = 60;
export const SLOTS = BUCKETS + 1;

/** Bucket width in whole ms, rounded up so the ring spans at least the window (rounding stays conservative). */
export const bucketWidth = (windowMs: number) => Math.max(1, Math.ceil(windowMs / BUCKETS));

/** Instant at which bucket `bucket`'s calls stop counting. */
export const bucketExpiry = (bucket: number, width: number) => (bucket + SLOTS) * width;

export function rateDecision(limit: number, allowed: boolean, counted: number, freesAt: number, now: number): RateDecision {
  return {
    allowed,
    limit,
    remaining: Math.max(0, limit - counted),
    resetSeconds: Math.max(1, Math.ceil((freesAt - now) / 1000)),
  };
}
