import { MemoryRateLimitStore } from './memory-rate-limit-store';
import { SharedState } from './shared-state';

/** Single-process SharedState: plain maps, atomic because each method runs without an await in between. */
export class MemorySharedState implements SharedState {
  readonly name = 'memory';
  readonly rateLimitStore = new MemoryRateLimitStore();
  private readonly hits = new Map<string, number[]>();
  private readonly members = new Map<string, Map<string, number>>();
  private readonly untils = new Map<string, number>();

  async hit(key: string, windowMs: number): Promise<number> {
    const now = Date.now();
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - windowMs);
    recent.push(now);
    this.hits.set(key, recent);
    return recent.length;
  }

  async seen(key: string, member: string, windowMs: number): Promise<number> {
    const now = Date.now();
    const seen = this.members.get(key) ?? new Map<string, number>();
    seen.set(member, now);
    for (const [m, at] of seen) if (at <= now - windowMs) seen.delete(m);
    this.members.set(key, seen);
    return seen.size;
  }

  async setUntil(key: string, until: Date): Promise<void> {
    this.untils.set(key, until.getTime());
  }

  async getUntil(key: string): Promise<Date | null> {
    const until = this.untils.get(key);
    if (until === undefined) return null;
    if (until <= Date.now()) {
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
}
