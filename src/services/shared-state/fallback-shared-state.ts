import type { Logger } from 'pino';
import type { MemorySharedState } from './memory-shared-state';
import type { RedisSharedState } from './redis-shared-state';
import type { RateDecision, SharedState } from './shared-state';

// How long a request made while the first connection is still opening waits for it (start-up only).
const FIRST_CONNECT_WAIT_MS = 2_000;
// While Redis is out, one PING this often tells when it is back.
const PROBE_EVERY_MS = 500;

/**
 * Redis, and this process's memory while Redis is unreachable. An outage must not turn keyed requests into 500s:
 * rate windows, abuse counters and blocks then live per process (limits become per-process, quotas stay exact as
 * they live in PostgreSQL). The outage is logged once when it starts and once when it ends; every operation served
 * from memory is reported to the `onFallback` listeners (the Prometheus counter). While out, requests do not touch
 * Redis at all; a background probe notices its return and switches back, with no restart.
 */
export class FallbackSharedState implements SharedState {
  readonly name = 'redis';
  private out = false;
  private probe: NodeJS.Timeout | null = null;
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly primary: RedisSharedState,
    private readonly fallback: MemorySharedState,
    private readonly log: Logger,
  ) {}

  /** Whether operations are currently served from this process's memory. */
  get degraded(): boolean {
    return this.out;
  }

  onFallback(listener: () => void): void {
    this.listeners.push(listener);
  }

  take(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    return this.use((s) => s.take(key, limit, windowMs));
  }

  hit(key: string, windowMs: number): Promise<number> {
    return this.use((s) => s.hit(key, windowMs));
  }

  seen(key: string, member: string, windowMs: number): Promise<number> {
    return this.use((s) => s.seen(key, member, windowMs));
  }

  setUntil(key: string, until: Date): Promise<void> {
    return this.use((s) => s.setUntil(key, until));
  }

  getUntil(key: string): Promise<Date | null> {
    return this.use((s) => s.getUntil(key));
  }

  clear(key: string): Promise<void> {
    return this.use((s) => s.clear(key));
  }

  /** Ready whenever requests can be served, which they can on the fallback too; a failed PING starts an outage. */
  ping(): Promise<void> {
    return this.use((s) => s.ping());
  }

  async close(): Promise<void> {
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
    await this.primary.close();
  }

  private async use<T>(operation: (state: SharedState) => Promise<T>): Promise<T> {
    if (!this.out) {
      try {
        if (this.primary.ready || (await this.primary.connectedWithin(FIRST_CONNECT_WAIT_MS))) return await operation(this.primary);
        this.begin(new Error('not connected'));
      } catch (error) {
        this.begin(error);
      }
    }
    for (const listener of this.listeners) listener();
    return operation(this.fallback);
  }

  private begin(error: unknown): void {
    if (this.out) return;
    this.out = true;
    this.log.warn({ err: error }, 'Redis unreachable: rate limits, abuse counters and blocks are per process until it returns');
    let probing = false;
    this.probe = setInterval(() => {
      if (probing) return;
      probing = true;
      this.primary.ping().then(() => this.end(), () => undefined).finally(() => (probing = false));
    }, PROBE_EVERY_MS);
    this.probe.unref();
  }

  private end(): void {
    if (!this.out) return;
    this.out = false;
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
    this.log.info('Redis reachable again: rate limits, abuse counters and blocks are shared again');
  }
}
