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
  /**
   * How far a term's rarity follows the weight its sentence gives it: rarity = weight^rarityPower × idf (1 when
   * absent). Lower powers let a rare word of the story count fully: they score higher on DellQA's forum posts and
   * lower on questions padded with chatter (bench/fit-rerank.ts --raritypower=).
   */
  rarityPower?: number;
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
export interface WeighedKey {
  key: string;
  weight: number;
  rarity: number;
  code: boolean;
}

/** The question's terms in one language that the tenant's passages hold, each with its weight and rarity. */
export function weighedKeys(terms: QueryTerms, stats: TermStats, lang: Language, rarityPower = 1): WeighedKey[] {
  const n = Math.max(stats.chunks, 1);
  const weighed: WeighedKey[] = [];
  terms.keys.forEach((key, i) => {
    const df = stats.df.get(key) ?? 0;
    if (!key.startsWith(`${lang}:`) || df === 0) return;
    // Rarity as the question weighs its sentences: a rare word of the story counts as the story does.
    weighed.push({ key, weight: terms.weights[i], rarity: terms.weights[i] ** rarityPower * idf(df, n), code: /\d/.test(key) });
  });
  return weighed;
}

/** The features (RERANK_FEATURES order) of each row, in the rows' order. */
export function rerankFeatures(query: string, rows: RerankRow[], terms: QueryTerms, stats: TermStats, rarityPower = 1): number[][] {
  const best = Math.max(...rows.map((r) => Number(r.score)));
  const byLang = new Map<Language, { weighed: WeighedKey[]; bigrams: Set<string>; trigrams: Set<string>; top3: string[]; totals: number[]; maxIdf: number; core: string[] }>();
  const forLang = (lang: Language) => {
    let q = byLang.get(lang);
    if (!q) {
      // Computed once per question rather than once per passage: twenty passages by forty terms.
      const weighed = weighedKeys(terms, stats, lang, rarityPower);
      const words = analyze(query, lang);
      const totalWeight = weighed.reduce((s, k) => s + k.weight, 0);
      const totalIdf = weighed.reduce((s, k) => s + k.rarity, 0);
      const totalSquared = weighed.reduce((s, k) => s + k.rarity ** 2, 0);
      q = {
        weighed,
        bigrams: ngrams(words, 2),
        trigrams: ngrams(words, 3),
        top3: [...weighed].sort((a, b) => b.rarity - a.rarity).slice(0, 3).map((k) => k.key),
        totals: [totalWeight || 1, totalIdf || 1, totalSquared || 1],
        maxIdf: Math.max(1e-9, ...weighed.map((k) => k.rarity)),
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
  return orderByModel(rows, rerankFeatures(query, rows, terms, stats, model.rarityPower), model.coefficients);
}

/** The rows sorted by the linear model's score of their features, keeping BM25's scores in order (see rerank). */
export function orderByModel<T extends RerankRow>(rows: T[], features: number[][], coefficients: number[]): T[] {
  const z = features.map((x) => x.reduce((s, v, j) => s + v * coefficients[j], 0));
  const scores = rows.map((r) => Number(r.score)).sort((a, b) => b - a);
  return rows
    .map((r, i) => ({ r, z: z[i], i }))
    .sort((a, b) => b.z - a.z || a.i - b.i)
    .map(({ r }, rank) => ({ ...r, score: scores[rank] }));
}
