/**
 * Counters, rate windows and blocks that several server processes must agree on. In-process by default; Redis when
 * REDIS_URL is set (falling back to in-process state while Redis is unreachable). Every operation is atomic on its
 * own, so concurrent requests can't lose a hit, pass a full window together or see half a block.
 */
export interface SharedState {
  readonly name: 'memory' | 'redis';
  /**
   * Counts one call against `key` if fewer than `limit` were counted in the rolling `windowMs`; a refused call is
   * not counted. Constant time and memory per key, whatever the limit.
   */
  take(key: string, limit: number, windowMs: number): Promise<RateDecision>;
  /** Records one event now and returns how many fell within the last `windowMs` (this one included). */
  hit(key: string, windowMs: number): Promise<number>;
  /** Records `member` as seen now and returns how many distinct members were seen within the last `windowMs`. */
  seen(key: string, member: string, windowMs: number): Promise<number>;
  /** Marks `key` as holding until `until` (a block); it lapses by itself. */
  setUntil(key: string, until: Date): Promise<void>;
  /** The instant `key` holds until, or null when it does not hold. */
  getUntil(key: string): Promise<Date | null>;
  clear(key: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** True while operations are served from this process's memory because the shared store is out. */
  readonly degraded?: boolean;
  /** Calls `listener` for each operation served from this process's memory because the shared store was out. */
  onFallback?(listener: () => void): void;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Calls still admitted in the window as it now stands. */
  remaining: number;
  /**
   * Whole seconds (≥ 1) until the window admits another call if nothing else is counted meanwhile: on a refusal this
   * is the truthful `retryAfter`; on an admission, when the oldest counted call stops counting.
   */
  resetSeconds: number;
}
