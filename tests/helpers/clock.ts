import type { Clock } from '../../src/clock';

/**
 * A clock for tests that move time: it follows real time (so timers and time-outs behave), plus an offset that
 * `advance` grows. Rules that read the injected Clock (expiry, trials, retention, month boundaries) then see the
 * future without any row being rewritten.
 */
export class TestClock implements Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export const DAY_MS = 86_400_000;
