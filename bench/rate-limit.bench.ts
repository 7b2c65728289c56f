import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { MemorySharedState } from '../src/services/shared-state/memory-shared-state';
import { RedisSharedState } from '../src/services/shared-state/redis-shared-state';
import type { SharedState } from '../src/services/shared-state/shared-state';
import { ManualClock } from '../tests/helpers/manual-clock';

/**
 * `npm run bench:rate` (also run by `npm run bench`): the cost of one `take` on a full rolling window, at a limit of 10
 * and of 100 000, in process and on Redis. The window is filled with `limit` calls spread over the minute, so every
 * bucket holds calls, then calls are timed at the window's end (each refused: the case a timestamp list paid most
 * for). O(1) means the 100 000 row costs about what the 10 row does. Redis: BENCH_REDIS_URL or REDIS_URL.
 */
const WINDOW_MS = 60_000;
const LIMITS = [10, 100_000];
const MEMORY_CALLS = 200_000;
// In process one call is far below the timer's resolution, so calls are timed in batches and divided.
const MEMORY_BATCH = 100;
const REDIS_CALLS = Number(process.env.BENCH_REDIS_CALLS ?? 5_000);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL;

interface Figures {
  median: number;
  p99: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** Fills `key`'s window with `limit` admitted calls spread over the minute, `parallel` in flight at a time. */
async function fill(state: SharedState, clock: ManualClock, key: string, limit: number, parallel: number): Promise<void> {
  const step = WINDOW_MS / limit;
  const start = clock.now();
  const moveTo = (at: number) => clock.advance(at - clock.now());
  for (let done = 0; done < limit; done += parallel) {
    const n = Math.min(parallel, limit - done);
    moveTo(start + Math.floor(done * step));
    const decisions = await Promise.all(Array.from({ length: n }, () => state.take(key, limit, WINDOW_MS)));
    if (decisions.some((d) => !d.allowed)) throw new Error(`filling ${key}: a call was refused before the window was full`);
  }
  moveTo(start + WINDOW_MS - 1);
  if ((await state.take(key, limit, WINDOW_MS)).allowed) throw new Error(`${key}: the window is not full`);
}

/**
 * Microseconds per call for each limit's key: `calls` calls each, timed `batch` at a time. The keys take turns batch
 * by batch, so a busy moment on this (shared) machine falls on both rows alike instead of skewing the ratio.
 */
async function time(stores: Map<number, SharedState>, calls: number, batch: number): Promise<Map<number, Figures>> {
  const limits = [...stores.keys()];
  const perCall = new Map<number, number[]>(limits.map((l) => [l, []]));
  for (let i = 0; i < calls; i += batch) {
    for (const limit of i % (2 * batch) === 0 ? limits : [...limits].reverse()) {
      const state = stores.get(limit)!;
      const t0 = process.hrtime.bigint();
      for (let j = 0; j < batch; j++) await state.take(`bench:${limit}`, limit, WINDOW_MS);
      perCall.get(limit)!.push(Number(process.hrtime.bigint() - t0) / 1e3 / batch);
    }
  }
  return new Map(limits.map((l) => {
    const sorted = perCall.get(l)!.sort((a, b) => a - b);
    return [l, { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) }];
  }));
}

/** One store per limit (so neither key sits in the other's map or hash slot), each on its own clock. */
async function run(name: string, open: (clock: ManualClock) => Promise<SharedState>, calls: number, batch: number, parallel: number): Promise<void> {
  const stores = new Map<number, SharedState>();
  try {
    for (const limit of LIMITS) {
      const clock = new ManualClock();
      stores.set(limit, await open(clock));
      await fill(stores.get(limit)!, clock, `bench:${limit}`, limit, parallel);
    }
    await time(stores, Math.min(calls, 10_000), batch); // warm-up (JIT, script cache)
    report(name, await time(stores, calls, batch));
  } finally {
    await Promise.all([...stores.values()].map((s) => s.close()));
  }
}

function report(name: string, figures: Map<number, Figures>): void {
  for (const [limit, f] of figures) {
    console.log(`${name.padEnd(11)} limit ${String(limit).padStart(7)}  median ${f.median.toFixed(3).padStart(8)} µs/call  p99 ${f.p99.toFixed(3).padStart(8)} µs/call`);
  }
  const [small, large] = LIMITS.map((l) => figures.get(l)!);
  console.log(`${name.padEnd(11)} ratio 100k/10: median ×${(large.median / small.median).toFixed(2)}  p99 ×${(large.p99 / small.p99).toFixed(2)}  (target: within 20 %)`);
}

async function main() {
  console.log(`take() on a full ${WINDOW_MS / 1000} s window, ${os.cpus().length} cores, node ${process.version}`);
  await run('in-process', async (clock) => new MemorySharedState(clock), MEMORY_CALLS, MEMORY_BATCH, 1);
  if (!REDIS_URL) {
    console.log('Redis      skipped: set BENCH_REDIS_URL (or REDIS_URL) to measure take() on Redis.');
    return;
  }
  const prefix = `bench-${randomBytes(4).toString('hex')}:`;
  await run('Redis', async (clock) => {
    const redis = new RedisSharedState(REDIS_URL, prefix, clock);
    if (!(await redis.connectedWithin(5_000))) throw new Error(`Redis at ${REDIS_URL} is unreachable`);
    return redis;
  }, REDIS_CALLS, 1, 500);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
