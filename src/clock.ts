/**
 * The one source of "now" for every time-dependent rule (rate windows, key expiry and grace, trials, retention,
 * month boundaries). Services take a Clock instead of calling Date.now(), so tests move time instead of
 * rewriting rows.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
