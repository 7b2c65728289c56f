import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../helpers/app';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
};

/**
 * Thousands of distinct queries (each valid, each new to the server) must not pile up in memory. Apollo's default
 * document cache held 126 MB more heap after 2,500 such queries (its size bound reads JSON, which
 * leaves out the tokens a parsed document keeps alive); with the bounded DocumentCache, 24 MB more.
 */
describe('memory under many distinct queries', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('keeps the heap within 60 MB of where it started after 2,500 distinct 40-alias queries', async () => {
    const post = (query: string) =>
      fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.55.0.1' }, body: JSON.stringify({ query }) }).then((r) => r.arrayBuffer());
    const distinct = (i: number) => `{ ${Array.from({ length: 40 }, (_, j) => `a${i}_${j}: plans { code name }`).join(' ')} }`;
    for (let i = 0; i < 100; i++) await post(distinct(-i - 1)); // warm-up
    const before = heapMb();
    for (let i = 0; i < 2_500; i += 20) await Promise.all(Array.from({ length: 20 }, (_, k) => post(distinct(i + k))));
    const after = heapMb();
    console.log(`heap after 2,500 distinct queries: ${before.toFixed(0)} → ${after.toFixed(0)} MB`);
    expect(after - before).toBeLessThan(60);
  }, 300_000);
});
