import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Store } from 'graphql-rate-limit';
import { identityKey, RateIdentity } from './shared-state';
import { KeyedMutex } from './keyed-mutex';

// Writes the timestamps and frees the lock only if this caller still holds it. If the lock lapsed (a stalled
// process), the write is refused rather than overwriting a newer count: a fenced write, so no hit is lost.
const WRITE_AND_UNLOCK = `
if redis.call('get', KEYS[2]) == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3])
  redis.call('del', KEYS[2])
  return 1
end
return 0`;

const LOCK_TTL_MS = 2_000;
const LOCK_WAIT_MS = 5_000;

/**
 * graphql-rate-limit's RedisStore reads, then writes: two processes can both read "4 of 5" and both let a request
 * through. This store makes get…set one critical section per identity across processes: `getForIdentity` takes a
 * Redis lock (SET NX PX) and `setForIdentity` writes and releases it in one script. An in-process mutex in front
 * keeps one process's requests from spinning on Redis against each other.
 */
export class RedisRateLimitStore implements Store {
  private readonly local = new KeyedMutex();
  private readonly tokens = new Map<string, string>();

  constructor(private readonly redis: Redis, private readonly prefix = 'rl:') {}

  async getForIdentity(identity: RateIdentity): Promise<readonly number[]> {
    const key = identityKey(identity);
    await this.local.acquire(key);
    try {
      const token = randomUUID();
      const deadline = Date.now() + LOCK_WAIT_MS;
      while ((await this.redis.set(this.lockKey(key), token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') {
        if (Date.now() > deadline) throw new Error(`rate-limit lock for ${key} not acquired in ${LOCK_WAIT_MS} ms`);
        await new Promise((r) => setTimeout(r, 1 + Math.random() * 4));
      }
      this.tokens.set(key, token);
      return parse(await this.redis.get(this.dataKey(key)));
    } catch (error) {
      this.local.release(key);
      throw error;
    }
  }

  async setForIdentity(identity: RateIdentity, timestamps: readonly number[], windowMs = 60_000): Promise<void> {
    const key = identityKey(identity);
    const token = this.tokens.get(key);
    this.tokens.delete(key);
    try {
      const written = await this.redis.eval(
        WRITE_AND_UNLOCK, 2, this.dataKey(key), this.lockKey(key), token ?? '', JSON.stringify(timestamps), windowMs,
      );
      if (written !== 1) throw new Error(`rate-limit lock for ${key} lapsed before the write`);
    } finally {
      this.local.release(key);
    }
  }

  async peek(identity: RateIdentity): Promise<number[]> {
    return parse(await this.redis.get(this.dataKey(identityKey(identity))));
  }

  private dataKey(key: string) {
    return `${this.prefix}${key}`;
  }

  private lockKey(key: string) {
    return `${this.prefix}lock:${key}`;
  }
}

function parse(raw: string | null): number[] {
  if (!raw) return [];
  const value = JSON.parse(raw);
  return Array.isArray(value) ? value.filter((t): t is number => typeof t === 'number') : [];
}
