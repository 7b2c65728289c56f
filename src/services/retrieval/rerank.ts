import { analyze, type Language } from '../text/analyzer';
import { ngrams, passageTerms, titleKeys } from './passage-terms';
import { idf, postingKey, type QueryTerms, type TermStats } from './query-terms';

/**
 * Reranking of a long question's passages by a linear model over what BM25 sums away: whether the passage holds the
 * question's rarest terms (in an eighty-word forum post BM25's sum lets twenty common words outweigh the one part
 * number that names the problem), runs of the question's words in the same order (an accepted answer quotes the
 * post it answers), how much of the question's weight and of its question sentences the passage covers, and its
 * length. The coefficients (RERANK_MODEL, rerank-model.ts) are fitted by bench/fit-rerank.ts.
 */
export const RERANK_FEATURES = [
  'bias',
  'relativeScore',
  'rankDiscount',
  'bigrams',
  'trigrams',
  'weightCoverage',
  'idfCoverage',
  'length',
  'codes',
  'titleIdfShare',
  'coreCoverage',
  'distinctMatched',
  'rarestMatched',
  'top3Matched',
  'idfSquaredCoverage',
] as const;

export interface RerankModel {
  /** One coefficient per RERANK_FEATURES name. */
  coefficients: number[];
  /** Questions with fewer terms than this (in one language) keep BM25's order. */
  minTerms: number;
  /** Passages fetched and reranked for such a question, however few are asked for. */
  depth: number;
}

/** What reranking reads of a passage: its text and the order BM25 (with proximity) gave it. */
export interface RerankRow {
  id: string;
  lang: Language;
  title: string;
  heading: string;
  text: string;
  score: number | string;
}

/** The number of distinct terms of the question in its longest language: the length the model is gated on. */
export function questionTerms(terms: QueryTerms): number {
  const count = new Map<string, number>();
  for (const key of terms.keys) {
    const lang = key.slice(0, key.indexOf(':'));
    count.set(lang, (count.get(lang) ?? 0) + 1);
  }
  return Math.max(0, ...count.values());
}

function shared(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n;
}

/** A question term with its weight, its rarity as the question weighs it, and whether it holds a digit (a code). */
interface WeighedKey {
  key: string;
  weight: number;
  rarity: number;
  code: boolean;
}

/** The features (RERANK_FEATURES order) of each row, in the rows' order. */
export function rerankFeatures(query: string, rows: RerankRow[], terms: QueryTerms, stats: TermStats): number[][] {
  const weight = new Map(terms.keys.map((k, i) => [k, terms.weights[i]]));
  const idfOf = (key: string): number => idf(stats.df.get(key) ?? 0, Math.max(stats.chunks, 1));
  const best = Math.max(...rows.map((r) => Number(r.score)));
  const byLang = new Map<Language, { keys: string[]; weighed: WeighedKey[]; bigrams: Set<string>; trigrams: Set<string>; top3: string[]; totals: number[]; maxIdf: number; core: string[] }>();
  const forLang = (lang: Language) => {
    let q = byLang.get(lang);
    if (!q) {
      const keys = terms.keys.filter((k) => k.startsWith(`${lang}:`) && (stats.df.get(k) ?? 0) > 0);
      const words = analyze(query, lang);
      const totalWeight = keys.reduce((s, k) => s + weight.get(k)!, 0);
      const totalIdf = keys.reduce((s, k) => s + weight.get(k)! * idfOf(k), 0);
      // Rarity as the question weighs its sentences: a rare word of the story counts as the story does.
      const rarity = (k: string): number => weight.get(k)! * idfOf(k);
      const totalSquared = keys.reduce((s, k) => s + rarity(k) ** 2, 0);
      q = {
        keys,
        // Computed once per question rather than once per passage: twenty passages by forty terms.
        weighed: keys.map((key) => ({ key, weight: weight.get(key)!, rarity: rarity(key), code: /\d/.test(key) })),
        bigrams: ngrams(words, 2),
        trigrams: ngrams(words, 3),
        top3: [...keys].sort((a, b) => rarity(b) - rarity(a)).slice(0, 3),
        totals: [totalWeight || 1, totalIdf || 1, totalSquared || 1],
        maxIdf: Math.max(1e-9, ...keys.map(rarity)),
        core: (terms.analyses.get(lang) ?? []).map((t) => postingKey(lang, t)),
      };
      byLang.set(lang, q);
    }
    return q;
  };
  const analysed = rows.map(passageTerms);
  // Length against the passages found, not in words: what counts as long differs from one tenant's documents to another's.
  const meanLength = analysed.reduce((s, p) => s + p.terms.length, 0) / rows.length;
  return rows.map((r, rank) => {
    const q = forLang(r.lang);
    const passage = analysed[rank];
    const words = passage.terms;
    const held = passage.keys;
    const inTitle = titleKeys(r.lang, r.title);
    let weightHeld = 0;
    let idfHeld = 0;
    let squaredHeld = 0;
    let titleIdf = 0;
    let codes = 0;
    let distinct = 0;
    let rarest = 0;
    for (const { key, weight: w, rarity, code } of q.weighed) {
      if (inTitle.has(key)) titleIdf += rarity;
      if (!held.has(key)) continue;
      weightHeld += w;
      idfHeld += rarity;
      squaredHeld += rarity ** 2;
      distinct++;
      rarest = Math.max(rarest, rarity);
      if (code) codes++;
    }
    return [
      1,
      best > 0 ? Number(r.score) / best : 0,
      1 / Math.log2(rank + 2),
      Math.log1p(shared(q.bigrams, passage.bigrams)),
      Math.log1p(shared(q.trigrams, passage.trigrams)),
      weightHeld / q.totals[0],
      idfHeld / q.totals[1],
      Math.log((words.length + 1) / (meanLength + 1)),
      Math.log1p(codes),
      titleIdf / q.totals[1],
      q.core.length > 0 ? q.core.filter((k) => held.has(k)).length / q.core.length : 0,
      Math.log1p(distinct),
      rarest / q.maxIdf,
      q.top3.filter((k) => held.has(k)).length / Math.max(1, q.top3.length),
      squaredHeld / q.totals[2],
    ];
  });
}

/**
 * The rows in the model's order (RerankModel); short questions keep BM25's. The scores stay BM25's, handed out in
 * order (the first passage gets the best score, the second the second best…): a score still says how a passage
 * compares with the best one (GroundingPolicy.minRelativeScore) as it did, and the list stays sorted.
 */
export function rerank<T extends RerankRow>(query: string, rows: T[], terms: QueryTerms, stats: TermStats, model: RerankModel): T[] {
  if (rows.length < 2 || questionTerms(terms) < model.minTerms) return rows;
  const features = rerankFeatures(query, rows, terms, stats);
  const z = features.map((x) => x.reduce((s, v, j) => s + v * model.coefficients[j], 0));
  const scores = rows.map((r) => Number(r.score)).sort((a, b) => b - a);
  return rows
    .map((r, i) => ({ r, z: z[i], i }))
    .sort((a, b) => b.z - a.z || a.i - b.i)
    .map(({ r }, rank) => ({ ...r, score: scores[rank] }));
}
