import type { Store } from 'graphql-rate-limit';

/**
 * Counters and blocks that several server processes must agree on. In-process by default; Redis when REDIS_URL is
 * set. Every operation is atomic on its own, so concurrent requests can't lose a hit or see half a block.
 */
export interface SharedState {
  readonly name: 'memory' | 'redis';
  /** Records one event now and returns how many fell within the last `windowMs` (this one included). */
  hit(key: string, windowMs: number): Promise<number>;
  /** Records `member` as seen now and returns how many distinct members were seen within the last `windowMs`. */
  seen(key: string, member: string, windowMs: number): Promise<number>;
  /** Marks `key` as holding until `until` (a block); it lapses by itself. */
  setUntil(key: string, until: Date): Promise<void>;
  /** The instant `key` holds until, or null when it does not hold. */
  getUntil(key: string): Promise<Date | null>;
  clear(key: string): Promise<void>;
  /** Store for graphql-rate-limit whose read-then-write runs as one critical section per identity. */
  readonly rateLimitStore: Store & { peek(identity: RateIdentity): Promise<number[]> };
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface RateIdentity {
  contextIdentity: string;
  fieldIdentity: string;
}

export const identityKey = (identity: RateIdentity) => `${identity.contextIdentity}:${identity.fieldIdentity}`;
