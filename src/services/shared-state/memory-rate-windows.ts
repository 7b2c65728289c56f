import type { Clock } from '../../clock';
import type { RateDecision } from './shared-state';
import { bucketExpiry, bucketWidth, rateDecision, SLOTS } from './sliding-window';

interface Ring {
  counts: Uint32Array;
  /** Newest bucket written; the ring holds buckets head-SLOTS+1 … head. */
  head: number;
  total: number;
  width: number;
}

/**
 * In-process rate windows (see sliding-window.ts). `take` runs without an await, so concurrent calls in this process
 * are serialised by the event loop: the check and the count are one step.
 */
export class MemoryRateWindows {
  // Kept in order of newest bucket (a key is re-inserted when its ring moves to a new bucket), so idle keys gather at
  // the front and the sweep stops at the first live one: amortised O(1), and the map holds only keys used within
  // their window.
  private readonly rings = new Map<string, Ring>();

  constructor(private readonly clock: Clock) {}

  /** Number of keys held (idle ones are dropped once their window has passed). */
  get size(): number {
    return this.rings.size;
  }

  take(key: string, limit: number, windowMs: number): RateDecision {
    const now = this.clock.now();
    const width = bucketWidth(windowMs);
    let ring = this.rings.get(key);
    if (!ring || ring.width !== width) {
      ring = { counts: new Uint32Array(SLOTS), head: Math.floor(now / width), total: 0, width };
      this.rings.delete(key);
      this.rings.set(key, ring);
    }
    // A clock behind the newest bucket (another process's write, a moved test clock) counts in the newest bucket:
    // later than true, so the call stays counted at least as long as it should.
    const current = Math.max(Math.floor(now / width), ring.head);
    if (current !== ring.head) {
      this.rings.delete(key);
      this.rings.set(key, ring);
    }
    for (let bucket = ring.head + 1, last = Math.min(current, ring.head + SLOTS); bucket <= last; bucket++) {
      const slot = bucket % SLOTS;
      ring.total -= ring.counts[slot];
      ring.counts[slot] = 0;
    }
    ring.head = current;
    const allowed = ring.total < limit;
    if (allowed) {
      ring.counts[current % SLOTS]++;
      ring.total++;
    }
    this.sweep(now);
    return rateDecision(limit, allowed, ring.total, this.freesAt(ring, allowed ? ring.total - 1 : limit - 1), now);
  }

  /** The instant the ring, left alone, counts no more than `target` calls: the oldest buckets expire first. */
  private freesAt(ring: Ring, target: number): number {
    let left = ring.total;
    for (let bucket = ring.head - SLOTS + 1; bucket <= ring.head; bucket++) {
      left -= ring.counts[((bucket % SLOTS) + SLOTS) % SLOTS];
      if (left <= target) return bucketExpiry(bucket, ring.width);
    }
    return bucketExpiry(ring.head, ring.width);
  }

  private sweep(now: number): void {
    for (const [key, ring] of this.rings) {
      if (bucketExpiry(ring.head, ring.width) > now) return;
      this.rings.delete(key);
    }
  }
}
