import { getGraphQLRateLimiter } from 'graphql-rate-limit';
import type { GraphQLResolveInfo } from 'graphql';
import type { SharedState } from './shared-state/shared-state';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the oldest counted request leaves the window (a slot frees). */
  resetSeconds: number;
}

const WINDOW_MS = 60_000;

/**
 * Rolling-60-second limits through graphql-rate-limit's limiter, with our store (in-process or Redis) behind it.
 * The store makes the limiter's read-then-write atomic per identity, so N concurrent calls never pass more than
 * `max`, across processes too. Refused calls are not counted (uncountRejected), so a client that waits recovers.
 */
export class RateLimitService {
  private readonly limiter;

  constructor(private readonly shared: SharedState) {
    this.limiter = getGraphQLRateLimiter({
      identifyContext: (ctx: { scope: string }) => ctx.scope,
      store: shared.rateLimitStore,
      formatError: () => 'rate limited',
    });
  }

  /** Counts one call against `scope`'s `bucket` if fewer than `max` happened in the last minute. */
  async consume(scope: string, bucket: string, max: number): Promise<RateDecision> {
    const refusal = await this.limiter(
      { parent: undefined, args: {}, context: { scope }, info: { fieldName: bucket } as GraphQLResolveInfo },
      { max, window: `${WINDOW_MS}ms`, uncountRejected: true },
    );
    // The limiter says only yes or no; the header figures come from the window as it now stands.
    const now = Date.now();
    const inWindow = (await this.shared.rateLimitStore.peek({ contextIdentity: scope, fieldIdentity: bucket }))
      .filter((t) => t > now - WINDOW_MS)
      .sort((a, b) => a - b);
    const oldest = inWindow[0] ?? now;
    return {
      allowed: refusal === undefined,
      limit: max,
      remaining: Math.max(0, max - inWindow.length),
      resetSeconds: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)),
    };
  }
}
