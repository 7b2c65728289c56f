import type { RateDecision, SharedState } from './shared-state/shared-state';

export type { RateDecision };

/** The contract's windows are rolling 60 seconds. */
const WINDOW_MS = 60_000;

/**
 * Rolling-minute rate limits: one atomic `take` on the shared state (in-process or Redis), constant cost whatever
 * the limit. Refused calls are not counted, so a client that waits `resetSeconds` is admitted.
 */
export class RateLimitService {
  constructor(private readonly shared: SharedState) {}

  /** Counts one call against `key` if fewer than `limit` were counted in the last minute. */
  take(key: string, limit: number): Promise<RateDecision> {
    return this.shared.take(key, limit, WINDOW_MS);
  }
}
