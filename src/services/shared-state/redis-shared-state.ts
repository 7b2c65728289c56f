import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Clock, systemClock } from '../../clock';
import { RedisRateWindows } from './redis-rate-windows';
import type { RateDecision, SharedState } from './shared-state';

// A command that takes longer than this is treated as Redis being unreachable (the caller falls back), so a hung
// Redis costs a request at most this much rather than stalling it.
const COMMAND_TIMEOUT_MS = 500;

/**
 * SharedState on Redis, for several server processes. Rolling windows are sorted sets scored by time and rate
 * windows a Lua script; each operation is one MULTI or one script, so it is atomic without a lock. It fails fast
 * when Redis is unreachable; FallbackSharedState decides what to do then.
 */
export class RedisSharedState implements SharedState {
  readonly name = 'redis';
  private readonly redis: Redis;
  private readonly windows: RedisRateWindows;
  private readonly firstReady: Promise<void>;

  constructor(url: string, private readonly prefix = 'askdesk:', private readonly clock: Clock = systemClock) {
    this.redis = new Redis(url, {
      // While disconnected, commands fail at once instead of queueing, and none is retried: a dead Redis must not
      // hold requests. Reconnection goes on in the background, at most a second apart, so a returning Redis is
      // used again without a restart.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 1_000,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    });
    // Connection errors are expected during an outage and reported once by FallbackSharedState; without a listener
    // ioredis would print each reconnection failure as an "Unhandled error event".
    this.redis.on('error', () => undefined);
    this.firstReady = new Promise((resolve) => this.redis.once('ready', resolve));
    this.windows = new RedisRateWindows(this.redis, clock, `${prefix}rl:`);
  }

  /** Whether commands can be sent now. */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  /** Waits up to `ms` for the first connection (start-up), so early requests are not refused it merely for being early. */
  async connectedWithin(ms: number): Promise<boolean> {
    if (this.ready) return true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.firstReady, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
    return this.ready;
  }

  take(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    return this.windows.take(key, limit, windowMs);
  }

  async hit(key: string, windowMs: number): Promise<number> {
    const now = this.clock.now();
    return this.count(key, now, `${now}:${randomUUID()}`, windowMs);
  }

  async seen(key: string, member: string, windowMs: number): Promise<number> {
    return this.count(key, this.clock.now(), member, windowMs);
  }

  async setUntil(key: string, until: Date): Promise<void> {
    const ms = until.getTime() - this.clock.now();
    if (ms > 0) await this.redis.set(this.prefix + key, String(until.getTime()), 'PX', ms);
  }

  async getUntil(key: string): Promise<Date | null> {
    const raw = await this.redis.get(this.prefix + key);
    const until = raw ? Number(raw) : NaN;
    return Number.isFinite(until) && until > this.clock.now() ? new Date(until) : null;
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    // quit() needs a live connection; during an outage just drop the socket and stop reconnecting.
    if (this.ready) await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }

  /** Adds `member` at `now` to the sorted set `key` and returns how many members fall within the window. */
  private async count(key: string, now: number, member: string, windowMs: number): Promise<number> {
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
}
