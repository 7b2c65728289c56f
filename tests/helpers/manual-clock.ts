import type { Clock } from '../../src/clock';

/** A Clock that moves only when a test moves it. */
export class ManualClock implements Clock {
  constructor(private at = Date.UTC(2026, 10, 2, 9, 0, 0)) {}

  now(): number {
    return this.at;
  }

  advance(ms: number): void {
    this.at += ms;
  }
}
