import { Clock, systemClock } from '../../clock';
import { MemoryRateWindows } from './memory-rate-windows';
import type { RateDecision, SharedState } from './shared-state';

// Every this many writes, entries whose window has passed are dropped, so a process that sees many client IPs or
// keys does not grow without bound.
const SWEEP_EVERY = 1024;

/** Single-process SharedState: plain maps, atomic because each method runs without an await in between. */
export class MemorySharedState implements SharedState {
  readonly name = 'memory';
  private readonly windows: MemoryRateWindows;
  private readonly hits = new Map<string, { times: number[]; windowMs: number }>();
  private readonly members = new Map<string, { seen: Map<string, number>; windowMs: number }>();
  private readonly untils = new Map<string, number>();
  private writes = 0;

  constructor(private readonly clock: Clock = systemClock) {
    this.windows = new MemoryRateWindows(clock);
  }

  async take(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    return this.windows.take(key, limit, windowMs);
  }

  async hit(key: string, windowMs: number): Promise<number> {
    const now = this.clock.now();
    const times = (this.hits.get(key)?.times ?? []).filter((t) => t > now - windowMs);
    times.push(now);
    this.hits.set(key, { times, windowMs });
    this.wrote(now);
    return times.length;
  }

  async seen(key: string, member: string, windowMs: number): Promise<number> {
    const now = this.clock.now();
    const seen = this.members.get(key)?.seen ?? new Map<string, number>();
    seen.set(member, now);
    for (const [m, at] of seen) if (at <= now - windowMs) seen.delete(m);
    this.members.set(key, { seen, windowMs });
    this.wrote(now);
    return seen.size;
  }

  async setUntil(key: string, until: Date): Promise<void> {
    this.untils.set(key, until.getTime());
    this.wrote(this.clock.now());
  }

  async getUntil(key: string): Promise<Date | null> {
    const until = this.untils.get(key);
    if (until === undefined) return null;
    if (until <= this.clock.now()) {
      this.untils.delete(key);
      return null;
    }
    return new Date(until);
  }

  async clear(key: string): Promise<void> {
    this.untils.delete(key);
    this.hits.delete(key);
    this.members.delete(key);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private wrote(now: number): void {
    if (++this.writes % SWEEP_EVERY !== 0) return;
    for (const [key, { times, windowMs }] of this.hits) if (times[times.length - 1] <= now - windowMs) this.hits.delete(key);
    for (const [key, { seen, windowMs }] of this.members) {
      if (![...seen.values()].some((at) => at > now - windowMs)) this.members.delete(key);
    }
    for (const [key, until] of this.untils) if (until <= now) this.untils.delete(key);
  }
}
