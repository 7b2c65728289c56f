import { describe, expect, it } from 'vitest';
import { ChunkMemo } from '../../src/services/text/chunk-memo';

describe('ChunkMemo', () => {
  it('derives once per chunk and source, anew when the source changed, and stays within its bound', () => {
    const memo = new ChunkMemo<number>(100);
    let runs = 0;
    const length = (s: string) => (runs++, s.length);
    expect(memo.get('a', 'twelve chars', length)).toBe(12);
    expect(memo.get('a', 'twelve chars', length)).toBe(12);
    expect(runs).toBe(1);
    // A renamed document's chunk keeps its id: the new text is analysed, never the old result served.
    expect(memo.get('a', 'renamed', length)).toBe(7);
    expect(runs).toBe(2);
    // 30 entries of 10 characters exceed 100: the oldest are dropped, the newest kept.
    for (let i = 0; i < 30; i++) memo.get(`c${i}`, 'x'.repeat(10), length);
    runs = 0;
    memo.get('c29', 'x'.repeat(10), length);
    memo.get('c0', 'x'.repeat(10), length);
    expect(runs).toBe(1);
  });
});
