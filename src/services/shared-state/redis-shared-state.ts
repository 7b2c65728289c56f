import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { RedisRateLimitStore } from './redis-rate-limit-store';
import { SharedState } from './shared-state';

/**
 * SharedState on Redis, for several server processes. Rolling windows are sorted sets scored by time; each
 * operation is one MULTI, so it is atomic without a lock.
 */
export class RedisSharedState implements SharedState {
  readonly name = 'redis';
  readonly rateLimitStore: RedisRateLimitStore;
  private readonly redis: Redis;

  constructor(url: string, private readonly prefix = 'askdesk:') {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
    this.rateLimitStore = new RedisRateLimitStore(this.redis, `${prefix}rl:`);
  }

  async hit(key: string, windowMs: number): Promise<number> {
    const now = Date.now();
    const k = this.prefix + key;
    const result = await this.redis
      .multi()
      .zremrangebyscore(k, 0, now - windowMs)
      .zadd(k, now, `${now}:${randomUUID()}`)
      .zcard(k)
      .pexpire(k, windowMs)
      .exec();
    return Number(result?.[2]?.[1] ?? 0);
  }

  async seen(key: string, member: string, windowMs: number): Promise<number> {
    const now = Date.now();
    const k = this.prefix + key;
    const result = await this.redis
      .multi()
      .zremrangebyscore(k, 0, now - windowMs)
      .zadd(k, now, member)
      .zcard(k)
      .pexpire(k, windowMs)
      .exec();
    return Number(result?.[2]?.[1] ?? 0);
  }

  async setUntil(key: string, until: Date): Promise<void> {
    const ms = until.getTime() - Date.now();
    if (ms > 0) await this.redis.set(this.prefix + key, String(until.getTime()), 'PX', ms);
  }

  async getUntil(key: string): Promise<Date | null> {
    const raw = await this.redis.get(this.prefix + key);
    const until = raw ? Number(raw) : NaN;
    return Number.isFinite(until) && until > Date.now() ? new Date(until) : null;
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
