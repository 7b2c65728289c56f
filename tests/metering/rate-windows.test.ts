import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryRateWindows } from '../../src/services/shared-state/memory-rate-windows';
import { MemorySharedState } from '../../src/services/shared-state/memory-shared-state';
import { RedisSharedState } from '../../src/services/shared-state/redis-shared-state';
import type { SharedState } from '../../src/services/shared-state/shared-state';
import { SLOTS } from '../../src/services/shared-state/sliding-window';
import { ManualClock } from '../helpers/manual-clock';

const MINUTE = 60_000;
const redisUrl = process.env.TEST_REDIS_URL;
const opened: SharedState[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

interface Backend {
  name: string;
  skip: boolean;
  /** A fresh store on `clock`; stores made by one backend instance share their windows (one Redis prefix). */
  make(): { open(clock: ManualClock): Promise<SharedState> };
}

const backends: Backend[] = [
  {
    name: 'in-process',
    skip: false,
    make() {
      let state: MemorySharedState | undefined;
      return { open: async (clock) => (state ??= new MemorySharedState(clock)) };
    },
  },
  {
    name: 'Redis',
    skip: !redisUrl,
    make() {
      const prefix = `test-rw-${randomBytes(4).toString('hex')}:`;
      return {
        open: async (clock) => {
          const state = new RedisSharedState(redisUrl!, prefix, clock);
          opened.push(state);
          expect(await state.connectedWithin(5_000)).toBe(true);
          return state;
        },
      };
    },
  },
];

/** Admitted instants must never put more than `limit` calls in any rolling minute (ending at an admission). */
function maxInAnyMinute(admitted: number[]): number {
  let max = 0;
  for (let i = 0, start = 0; i < admitted.length; i++) {
    while (admitted[start] <= admitted[i] - MINUTE) start++;
    max = Math.max(max, i - start + 1);
  }
  return max;
}

for (const backend of backends) {
  describe.skipIf(backend.skip)(`take on the ${backend.name} shared state`, () => {
    it('admits exactly `limit` of 200 concurrent calls, and counts none of the refused ones', async () => {
      const clock = new ManualClock();
      const b = backend.make();
      // Two stores over the same windows stand for two processes (with Redis, two connections).
      const stores = [await b.open(clock), await b.open(clock)];
      const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => stores[i % 2].take('tenant:a:ask', 50, MINUTE)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
      expect(decisions.filter((d) => !d.allowed).every((d) => d.remaining === 0 && d.resetSeconds >= 1)).toBe(true);
      // Another key is a separate window.
      expect((await stores[0].take('tenant:b:ask', 50, MINUTE)).remaining).toBe(49);
      // Refusals were not counted: one minute (and a bucket) later the whole limit is back.
      clock.advance(MINUTE + 1_000);
      const later = await Promise.all(Array.from({ length: 60 }, () => stores[1].take('tenant:a:ask', 50, MINUTE)));
      expect(later.filter((d) => d.allowed)).toHaveLength(50);
    });

    it('rolls the window with the clock and gives a truthful retryAfter', async () => {
      const clock = new ManualClock();
      const store = await backend.make().open(clock);
      const take = () => store.take('k', 5, MINUTE);
      for (let i = 0; i < 3; i++) expect((await take()).allowed).toBe(true);
      clock.advance(30_000);
      expect(await take()).toMatchObject({ allowed: true, remaining: 1 });
      expect(await take()).toMatchObject({ allowed: true, remaining: 0 });
      const refused = await take();
      expect(refused).toMatchObject({ allowed: false, limit: 5, remaining: 0 });
      // The three oldest calls leave the window 30 s from now (at most one bucket later); not before 30 s.
      expect(refused.resetSeconds).toBeGreaterThanOrEqual(30);
      expect(refused.resetSeconds).toBeLessThanOrEqual(31);
      clock.advance(refused.resetSeconds * 1000 - 2_000);
      expect((await take()).allowed).toBe(false);
      clock.advance(2_000);
      // Waiting exactly retryAfter is enough, and three slots came back at once.
      expect(await take()).toMatchObject({ allowed: true, remaining: 2 });
      expect((await take()).allowed).toBe(true);
      expect((await take()).allowed).toBe(true);
      expect((await take()).allowed).toBe(false);
    });

    it('never admits more than `limit` in any rolling minute, and a client that waits retryAfter is admitted', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 8 }),
          fc.array(fc.record({ gap: fc.integer({ min: 0, max: 25_000 }), obey: fc.boolean() }), { minLength: 1, maxLength: 60 }),
          async (limit, calls) => {
            const clock = new ManualClock(Date.UTC(2026, 10, 2) + Math.floor(Math.random() * 1000));
            const store = await backend.make().open(clock);
            const admitted: number[] = [];
            let retryAt: number | null = null;
            for (const { gap, obey } of calls) {
              // Obeying a refusal means calling exactly retryAfter seconds after it, with no other call meanwhile.
              if (retryAt !== null && obey) clock.advance(retryAt - clock.now());
              else clock.advance(gap);
              const obeyed = retryAt !== null && obey;
              const d = await store.take('k', limit, MINUTE);
              if (obeyed) expect(d.allowed).toBe(true);
              if (d.allowed) admitted.push(clock.now());
              retryAt = d.allowed ? null : clock.now() + d.resetSeconds * 1000;
              expect(d.resetSeconds).toBeGreaterThanOrEqual(1);
              expect(d.resetSeconds).toBeLessThanOrEqual(62);
            }
            expect(maxInAnyMinute(admitted)).toBeLessThanOrEqual(limit);
          },
        ),
        { numRuns: backend.name === 'Redis' ? 40 : 200 },
      );
    });

    it('reports remaining and a reset that tells when the oldest counted call leaves', async () => {
      const clock = new ManualClock(Date.UTC(2026, 10, 2, 9, 0, 0));
      const store = await backend.make().open(clock);
      expect(await store.take('k', 3, MINUTE)).toMatchObject({ allowed: true, limit: 3, remaining: 2 });
      clock.advance(20_000);
      const second = await store.take('k', 3, MINUTE);
      expect(second).toMatchObject({ allowed: true, remaining: 1 });
      expect(second.resetSeconds).toBeGreaterThanOrEqual(40);
      expect(second.resetSeconds).toBeLessThanOrEqual(41);
    });
  });
}

describe('memory held by rate windows', () => {
  it('drops idle keys once their window has passed (the in-process store does not grow without bound)', async () => {
    const clock = new ManualClock();
    const windows = new MemoryRateWindows(clock);
    for (let i = 0; i < 1_000; i++) windows.take(`key:${i}`, 10, MINUTE);
    clock.advance(30_000);
    windows.take('key:0', 10, MINUTE);
    expect(windows.size).toBe(1_000);
    // A minute and a bucket after their last call, all but key:0 (used 30 s later) are gone.
    clock.advance(31_000);
    windows.take('key:new', 10, MINUTE);
    expect(windows.size).toBe(2);
    clock.advance(30_000);
    windows.take('key:new', 10, MINUTE);
    expect(windows.size).toBe(1);
  });

  it.skipIf(!redisUrl)('holds a bounded, limit-independent amount per key in Redis', async () => {
    const clock = new ManualClock();
    const prefix = `test-rwm-${randomBytes(4).toString('hex')}:`;
    const state = new RedisSharedState(redisUrl!, prefix, clock);
    opened.push(state);
    expect(await state.connectedWithin(5_000)).toBe(true);
    const redis = new Redis(redisUrl!);
    const usage = async () => Number(await redis.call('MEMORY', 'USAGE', `${prefix}rl:large`));
    const minuteOf = async (calls: number) => {
      for (let i = 0; i < calls; i++) {
        await state.take('large', 100_000, MINUTE);
        clock.advance(MINUTE / calls);
      }
    };
    try {
      // A full minute of traffic on a limit of 100 000, then a minute of four times as much: the key stays the
      // same size, one counter per bucket.
      await minuteOf(600);
      const before = await usage();
      await minuteOf(2_400);
      const after = await usage();
      // The newest bucket (8 bytes), the total and one counter per slot (4 bytes each).
      expect(await redis.strlen(`${prefix}rl:large`)).toBe(8 + 4 + 4 * SLOTS);
      expect(before).toBeLessThan(2_048);
      expect(after).toBeLessThanOrEqual(before * 1.1);
    } finally {
      redis.disconnect();
    }
  });
});
