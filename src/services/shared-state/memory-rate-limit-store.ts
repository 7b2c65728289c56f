import type { Store } from 'graphql-rate-limit';
import { identityKey, RateIdentity } from './shared-state';
import { KeyedMutex } from './keyed-mutex';

/**
 * graphql-rate-limit's own InMemoryStore is read-then-write across an `await`: two concurrent asks can both read
 * "4 of 5" and both pass. Here `getForIdentity` takes a per-identity lock that `setForIdentity` releases (the
 * limiter always calls set after get unless readOnly, which we never use), so the check and the write are one step.
 */
export class MemoryRateLimitStore implements Store {
  private readonly data = new Map<string, { timestamps: number[]; expiresAt: number }>();
  private readonly mutex = new KeyedMutex();

  async getForIdentity(identity: RateIdentity): Promise<readonly number[]> {
    const key = identityKey(identity);
    await this.mutex.acquire(key);
    return this.read(key);
  }

  async setForIdentity(identity: RateIdentity, timestamps: readonly number[], windowMs = 60_000): Promise<void> {
    const key = identityKey(identity);
    this.data.set(key, { timestamps: [...timestamps], expiresAt: Date.now() + windowMs });
    this.mutex.release(key);
    if (this.data.size > 10_000) this.sweep();
  }

  async peek(identity: RateIdentity): Promise<number[]> {
    return this.read(identityKey(identity));
  }

  private read(key: string): number[] {
    const entry = this.data.get(key);
    return entry && entry.expiresAt > Date.now() ? entry.timestamps : [];
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.data) if (entry.expiresAt <= now) this.data.delete(key);
  }
}
