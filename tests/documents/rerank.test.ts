import { describe, expect, it } from 'vitest';
import { idf } from '../../src/services/retrieval/query-terms';
import { orderByModel, weighedKeys, type RerankRow } from '../../src/services/retrieval/rerank';

describe('reranking parts', () => {
  const terms = { keys: ['en:raid', 'en:perc', 'fr:disqu'], weights: [1, 0.25, 1], analyses: new Map() };
  const stats = { df: new Map([['en:raid', 40], ['en:perc', 2], ['fr:disqu', 5]]), chunks: 100 };

  it("weighs a question's terms in one language by their sentence's weight, as far as rarityPower says", () => {
    const weighed = weighedKeys(terms, stats, 'en');
    expect(weighed.map((k) => k.key)).toEqual(['en:raid', 'en:perc']);
    // A rare word of a story sentence (weight 0.25) counts as the story does…
    expect(weighed[1].rarity).toBeCloseTo(0.25 * idf(2, 100), 12);
    // …and at power 0 fully, however its sentence was weighed.
    expect(weighedKeys(terms, stats, 'en', 0)[1].rarity).toBeCloseTo(idf(2, 100), 12);
    expect(weighedKeys(terms, { ...stats, df: new Map([['en:raid', 40]]) }, 'en').map((k) => k.key)).toEqual(['en:raid']);
  });

  it("orders passages by the model's score and hands BM25's scores out in order", () => {
    const row = (id: string, score: number): RerankRow => ({ id, lang: 'en', title: id, heading: '', text: id, score });
    const rows = [row('a', 9), row('b', 5), row('c', 2)];
    const ordered = orderByModel(rows, [[1, 0], [1, 3], [1, 1]], [0.5, 1]);
    expect(ordered.map((r) => [r.id, r.score])).toEqual([['b', 9], ['c', 5], ['a', 2]]);
  });
});
