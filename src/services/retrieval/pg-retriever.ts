import { analyze, type Language } from '../text/analyzer';
import { DEFAULT_QUERY, focusTerms, postingKey, queryTerms, type QueryOptions, type QueryTerms, type TermStats } from './query-terms';
import { passageTerms } from './passage-terms';
import { questionTerms, rerank, type RerankModel } from './rerank';
import { RERANK_MODEL } from './rerank-model';
import type { TenantIndex } from './tenant-index';
import type { TenantIndexCache } from './tenant-index-cache';
import type { Passage, Retriever, Sql } from './types';

/**
 * BM25F constants. The title field (document title and heading path) counts `titleWeight` times as much as body
 * text; each field has its own length normalisation. Defaults were tuned on StackFAQ (see bench/retrieval.eval.ts).
 */
export interface Bm25Params {
  k1: number;
  /** Length normalisation of the body field (0: none, 1: full). */
  b: number;
  titleWeight: number;
  /** Length normalisation of the title field. */
  titleB: number;
}

// k1 is above the usual 1.2–2 range because the title weight multiplies title frequencies before saturation: with
// k1 = 1.2 a title match saturates almost at once and the title weight is lost (StackFAQ nDCG@10: 0.855 at k1 = 1.2
// and titleWeight = 2.5; 0.869 at k1 = 2, titleWeight = 6; without the title field 0.770). With the weighted
// question terms (query-terms.ts), k1 = 2.6 and narrative weight 0.4 give StackFAQ 0.873 and lose 0.026 on the
// padded questions (k1 2.2 / 2.4 / 2.6 at narrative 0.4: 0.870 / 0.873 / 0.873, padded loss 0.028 / 0.029 / 0.026).
export const DEFAULT_BM25: Bm25Params = { k1: 2.6, b: 0.75, titleWeight: 6, titleB: 0.5 };

/**
 * Pseudo-relevance feedback (RM3): the best `docs` passages of a first search lend their `terms` most typical
 * words to a second search, mixed in with weight `weight` (0..1) against the question's own terms.
 */
export interface FeedbackParams {
  docs: number;
  terms: number;
  weight: number;
}

/**
 * Reciprocal rank fusion of the whole message's search with a search for what it asks (the terms of its question
 * sentences, at most `keyTerms` of the rarest per language; 0: all): a long message's ranking is pulled towards
 * the passages that match its question rather than its story.
 */
export interface FusionParams {
  keyTerms: number;
  /** The RRF constant: a passage at rank r in one list adds 1 / (k + r). */
  k: number;
}

export interface RankingParams {
  bm25: Bm25Params;
  query: QueryOptions;
  /** null: one search, no feedback. */
  feedback: FeedbackParams | null;
  /** null: no second search. */
  fusion: FusionParams | null;
  /**
   * Weight of the proximity bonus: the best passages are rescored with, for each pair of question terms, their
   * smaller weight / d², d being the closest distance (in terms) between the two in the passage. 0: off. (Without
   * idf: a variant weighted by idf scored the same, below.)
   */
  proximity: number;
  /** Reranking of long questions' passages (rerank.ts); null: BM25 and proximity's order. */
  rerank: RerankModel | null;
}

// RM3 measured on a third of StackFAQ and on the small French set (bench/retrieval.eval.ts --every=3): weight 0.3
// over 5 passages and 10 terms raised nDCG@10 from 0.864 to 0.870 (StackFAQ) and 0.958 to 0.985 (French), padded
// French 0.891 to 0.938, padded StackFAQ unchanged within noise (0.838 → 0.835); weight 0.5 over 3 passages lost on
// StackFAQ (0.860). Fed since by the best passage of each of the first documents, and keeping each document's chunk
// order (tests/documents/retrieval.test.ts), it lost a little everywhere on a quarter of StackFAQ and the 138
// French questions (StackFAQ 0.883 → 0.881, padded 0.863 → 0.853, long 0.786 → 0.778, French 0.725 → 0.720,
// padded 0.669 → 0.647, long 0.591 → 0.571), so it stays off. Fusion of the whole message with its question
// sentences (RRF, k 60) raised long posts a little (0.786 → 0.793) but lost on StackFAQ (0.883 → 0.871): off too.
// Proximity, with context 0.4 and story budget 2 (query-terms.ts): weight 0.5 gives 0.883 / 0.865 / 0.836 /
// 0.737 / 0.697 / 0.633 (StackFAQ / padded / long / French / French padded / French long; 0.883 / 0.870 / 0.817 /
// 0.725 / 0.681 / 0.614 without proximity or budget); weight 1 loses on StackFAQ (0.874). A variant weighted by
// idf (0.3) scored the same within noise (then at the price of one more statement per ask; the in-memory index
// would give idf for free, but the variant gained nothing). The price is analysing the fetched passages again.
export const DEFAULT_FEEDBACK: FeedbackParams = { docs: 5, terms: 10, weight: 0.3 };

// Reranking (rerank.ts) on DellQA's development half, cross-validated (fitted on one half of the questions, measured
// on the other): nDCG@10 0.346 → 0.377; StackFAQ 0.881 → 0.881, padded 0.875 → 0.865, long 0.861 → 0.850; French
// 0.737 → 0.737, padded 0.723 → 0.735, long 0.725 → 0.726 (bench/fit-rerank.ts, in-memory replica).
export const DEFAULT_RANKING: RankingParams = { bm25: DEFAULT_BM25, query: DEFAULT_QUERY, feedback: null, fusion: null, proximity: 0.5, rerank: RERANK_MODEL };

interface Row {
  id: string;
  document_id: string;
  heading: string;
  text: string;
  lang: Language;
  title: string;
  source_url: string | null;
  score: number;
  /** The query keys (`lang:term`) the chunk holds. */
  matched: string[];
}

/*
 * The ask's one search statement: the passages of the chunks the in-memory index ranked first (TenantIndex), and
 * the tenant's index version, which tells whether this process's index is stale (TenantIndexCache). One row with
 * null chunk columns when none of the chunks is there any more (or none was asked for), so the version always comes.
 */
const PASSAGES_SQL = `
  SELECT v.version, v.removals, c.seq, c.id, c.document_id, c.heading, c.text, c.lang, d.title, d.source_url
  FROM (
    SELECT coalesce(max(version), 0)::float8 AS version, coalesce(max(removals), 0)::float8 AS removals
    FROM chunk_stats WHERE tenant_id = $1
  ) v
  LEFT JOIN chunk c ON c.tenant_id = $1 AND c.seq = ANY($2::int[])
  -- LIMIT keeps this a lookup by primary key per chunk: joined plainly, a planner without statistics of document
  -- read all the tenant's documents into a hash (100 ms at 10k chunks instead of 1).
  LEFT JOIN LATERAL (
    SELECT title, source_url FROM document WHERE id = c.document_id AND tenant_id = $1 LIMIT 1
  ) d ON true`;

interface PassageRow extends Omit<Row, 'score' | 'matched'> {
  version: number;
  removals: number;
  seq: number | null;
}

// Prepared statement names are per connection; a new text needs a new name (pg refuses one name for two texts).
const PASSAGES_STATEMENT = 'askdesk_passages_v2';
// A search whose fetch finds the index stale refreshes it and searches again; past this many tries (writes landing
// all the while) it answers from what it has.
const ATTEMPTS = 3;

/** Lexical search over one tenant's chunks. The tenant is fixed here and bound into every statement. */
export class PgRetriever implements Retriever {
  constructor(
    private readonly sql: Sql,
    private readonly cache: TenantIndexCache,
    readonly tenantId: string,
    private readonly params: RankingParams = DEFAULT_RANKING,
  ) {}

  async search(query: string, limit: number): Promise<Passage[]> {
    let terms = queryTerms(query, this.params.query);
    if (terms.keys.length === 0 || limit <= 0) return [];
    const { feedback, fusion, proximity } = this.params;
    // A long question's passages are reranked from a deeper list than asked for: the model finds the answer below
    // the first few more often than it moves the first ones.
    const reranking = this.params.rerank && questionTerms(terms) >= this.params.rerank.minTerms ? this.params.rerank : null;
    const depth = reranking ? Math.max(limit, reranking.depth) : limit;
    const { maxTerms, idfPower } = this.params.query;
    // The switches that focus the question on its rare terms need their statistics before the search; the others
    // read them from the index the search ranked with (the latest, should a search have refreshed it).
    const focusing = maxTerms > 0 || idfPower > 0;
    const before = focusing || fusion ? statsOf(await this.cache.get(this.tenantId), terms.keys) : null;
    if (before && focusing) terms = focusTerms(terms, before, this.params.query);
    if (terms.keys.length === 0) return [];
    // Proximity reorders the passages fetched, no more: fetching 20 for an ask's 8 raised long StackFAQ posts from
    // 0.802 to 0.812 nDCG@10 (limit 8) but cost 9 ms at p50 when the search statement rescored candidates per row.
    let { rows, index } = await this.run(terms, feedback ? Math.max(depth, feedback.docs * 4) : depth);
    if (feedback && rows.length > 0) {
      const second = await this.run(expand(terms.keys, terms.weights, bestOfEachDocument(rows, feedback.docs), feedback), depth);
      rows = keepChunkOrder(rows, second.rows);
      index = second.index;
    }
    if (fusion && before) {
      const key = keyTerms(terms, before, fusion.keyTerms);
      if (key.keys.length > 0 && key.keys.length < terms.keys.length) rows = fuse([rows, (await this.run(key, depth)).rows], fusion.k);
    }
    const stats = before ?? statsOf(index, terms.keys);
    if (proximity > 0) rows = withProximity(rows, terms, proximity);
    if (reranking && rows.length > 0) rows = rerank(query, rows, terms, stats, reranking);
    const unknown = mightBeUnknown(terms, rows) ? stats : null;
    return rows.slice(0, limit).map((r) => {
      const qt = terms.analyses.get(r.lang) ?? [];
      const held = new Set(r.matched);
      return {
        chunkId: r.id,
        documentId: r.document_id,
        title: r.title,
        sourceUrl: r.source_url,
        heading: r.heading,
        text: r.text,
        score: r.score,
        // The same share as the analyzer's coverage(): a chunk's terms are those of its title, heading and text
        // (those the index keeps, as are the question's), and the analysis terms are among the query keys.
        coverage: qt.length === 0 ? 0 : qt.filter((t) => held.has(postingKey(r.lang, t))).length / qt.length,
        evidence: unknown ? evidence(qt, r.lang, held, unknown) : { unknownTerms: 0 },
      };
    });
  }

  /**
   * Ranks in memory, then fetches the passages in one statement. Its version differs from the index's only right
   * after another statement added or removed chunks of the tenant: the index is refreshed and the search run again.
   */
  private async run({ keys, weights }: { keys: string[]; weights: number[] }, limit: number): Promise<{ rows: Row[]; index: TenantIndex }> {
    let index = await this.cache.get(this.tenantId);
    for (let attempt = 1; ; attempt++) {
      const hits = index.search(keys, weights, this.params.bm25, Math.floor(limit));
      const fetched = await this.select<PassageRow>(PASSAGES_STATEMENT, PASSAGES_SQL, [this.tenantId, `{${hits.seqs.join(',')}}`]);
      const seen = { version: Number(fetched[0].version), removals: Number(fetched[0].removals) };
      if (attempt < ATTEMPTS && (seen.version !== index.version.version || seen.removals !== index.version.removals)) {
        index = await this.cache.refresh(this.tenantId, index, seen);
        continue;
      }
      const bySeq = new Map(fetched.filter((r) => r.seq !== null).map((r) => [Number(r.seq), r]));
      const rows: Row[] = [];
      hits.seqs.forEach((seq, i) => {
        const r = bySeq.get(seq);
        if (!r) return;
        rows.push({
          id: r.id, document_id: r.document_id, heading: r.heading, text: r.text, lang: r.lang, title: r.title, source_url: r.source_url,
          score: hits.scores[i], matched: hits.matched[i],
        });
      });
      return { rows, index };
    }
  }

  /** A statement as the named prepared statement where the runner has them, as a plain query otherwise. */
  private select<T>(name: string, text: string, params: unknown[]): Promise<T[]> {
    return this.sql.prepared ? this.sql.prepared<T>(name, text, params) : this.sql.query<T[]>(text, params);
  }
}

/**
 * Whether one of the question's terms, in the languages of the passages found, might be unknown to the tenant
 * (Passage.evidence): false when each is held by a passage found, so none can be.
 */
function mightBeUnknown(terms: QueryTerms, rows: Row[]): boolean {
  const held = new Set<string>();
  for (const r of rows) for (const key of r.matched) held.add(key);
  const langs = new Set(rows.map((r) => r.lang));
  return ![...langs].every((lang) => (terms.analyses.get(lang) ?? []).every((t) => held.has(postingKey(lang, t))));
}

/**
 * The statistics of `keys` in the tenant's in-memory index: exact and free (no statement). Every analysed term of
 * the question is one of its keys (queryTerms), so they serve the grounding evidence too.
 */
function statsOf(index: TenantIndex, keys: string[]): TermStats {
  return { df: new Map(keys.map((k) => [k, index.df(k)])), chunks: index.count };
}

/**
 * How many of the question's terms the tenant's chunks never hold, and how many chunks would hold the question terms
 * a passage holds if they fell into chunks independently (Passage.evidence). A term missing from the statistics has
 * document frequency 0; it counts as half a chunk in the product, so that the product stays above 0.
 */
function evidence(core: string[], lang: Language, held: Set<string>, stats: TermStats): NonNullable<Passage['evidence']> {
  let chance = stats.chunks;
  let unknownTerms = 0;
  for (const t of core) {
    const df = stats.df.get(postingKey(lang, t)) ?? 0;
    if (df === 0) unknownTerms++;
    if (held.has(postingKey(lang, t))) chance *= Math.max(df, 0.5) / Math.max(stats.chunks, 1);
  }
  return { chance, unknownTerms, chunks: stats.chunks };
}

/** RM3: the question's weights (normalised) mixed with the relevance model of the feedback passages. */
export function expand(keys: string[], weights: number[], rows: Row[], params: FeedbackParams): { keys: string[]; weights: number[] } {
  const best = Math.max(...rows.map((r) => Number(r.score)));
  const model = new Map<string, number>();
  for (const r of rows) {
    const words = analyze(`${r.title}\n${r.heading}\n${r.text}`, r.lang);
    if (words.length === 0) continue;
    // exp(score - best) stands in for the passage likelihood; scores are log-like sums of term weights.
    const p = Math.exp(Number(r.score) - best);
    for (const w of words) {
      const key = postingKey(r.lang, w);
      model.set(key, (model.get(key) ?? 0) + p / words.length);
    }
  }
  const top = [...model.entries()].sort((a, b) => b[1] - a[1]).slice(0, params.terms);
  const modelTotal = top.reduce((sum, [, v]) => sum + v, 0) || 1;
  const queryTotal = weights.reduce((sum, w) => sum + w, 0) || 1;
  const mixed = new Map<string, number>();
  keys.forEach((k, i) => mixed.set(k, ((1 - params.weight) * weights[i]) / queryTotal));
  for (const [k, v] of top) mixed.set(k, (mixed.get(k) ?? 0) + (params.weight * v) / modelTotal);
  return { keys: [...mixed.keys()], weights: [...mixed.values()] };
}

/** The best passage of each of the first `count` documents: feedback from documents, not from one document's chunks. */
export function bestOfEachDocument(rows: Row[], count: number): Row[] {
  const best = new Map<string, Row>();
  for (const r of rows) if (!best.has(r.document_id)) best.set(r.document_id, r);
  return [...best.values()].slice(0, count);
}

/**
 * The second pass decides which documents come first; within a document, its passages keep the first pass's order
 * (the question's own words choose the section to quote, not the words feedback lent it). Each document keeps the
 * places and scores the second pass gave it, so the list stays sorted by score.
 */
function keepChunkOrder(first: Row[], second: Row[]): Row[] {
  const firstRank = new Map(first.map((r, i) => [r.id, i]));
  const byDocument = new Map<string, Row[]>();
  for (const r of second) byDocument.set(r.document_id, [...(byDocument.get(r.document_id) ?? []), r]);
  for (const rows of byDocument.values()) {
    rows.sort((a, b) => (firstRank.get(a.id) ?? Infinity) - (firstRank.get(b.id) ?? Infinity));
  }
  const next = new Map<string, number>();
  return second.map((slot) => {
    const i = next.get(slot.document_id) ?? 0;
    next.set(slot.document_id, i + 1);
    return { ...byDocument.get(slot.document_id)![i], score: slot.score };
  });
}

/**
 * What the question asks: the terms of its question sentences (QueryTerms.analyses), at most `count` per language
 * by idf (0: all of them).
 */
function keyTerms(terms: QueryTerms, stats: TermStats, count: number): QueryTerms {
  const keys = [...terms.analyses].flatMap(([lang, core]) => core.map((t) => postingKey(lang, t)));
  const core: QueryTerms = { keys, weights: keys.map(() => 1), analyses: terms.analyses };
  return focusTerms(core, stats, { ...DEFAULT_QUERY, maxTerms: count });
}

/** Reciprocal rank fusion of passage lists; the fused score replaces the BM25 score. */
function fuse(lists: Row[][], k: number): Row[] {
  const fused = new Map<string, Row>();
  for (const list of lists) {
    list.forEach((r, rank) => {
      const prior = fused.get(r.id);
      fused.set(r.id, { ...(prior ?? r), score: Number(prior?.score ?? 0) + 1 / (k + rank + 1) });
    });
  }
  return [...fused.values()].sort((a, b) => Number(b.score) - Number(a.score));
}

/** BM25 plus a bonus for question terms that stand close together in the passage (see RankingParams.proximity). */
export function withProximity(rows: Row[], terms: QueryTerms, weight: number): Row[] {
  const query = new Map(terms.keys.map((k, i) => [k, terms.weights[i]]));
  return rows
    .map((r) => {
      const positions = new Map<string, number[]>();
      passageTerms(r).keyed.forEach((key, i) => {
        if (!query.has(key)) return;
        const held = positions.get(key);
        if (held) held.push(i);
        else positions.set(key, [i]);
      });
      const found = [...positions.keys()];
      let bonus = 0;
      for (let a = 0; a < found.length; a++) {
        for (let b = a + 1; b < found.length; b++) {
          const d = closest(positions.get(found[a])!, positions.get(found[b])!);
          bonus += Math.min(query.get(found[a])!, query.get(found[b])!) / (d * d);
        }
      }
      return { ...r, score: Number(r.score) + weight * bonus };
    })
    .sort((a, b) => b.score - a.score);
}

/** The smallest distance between two sorted position lists (at least 1). */
function closest(xs: number[], ys: number[]): number {
  let best = Infinity;
  for (let i = 0, j = 0; i < xs.length && j < ys.length; ) {
    best = Math.min(best, Math.abs(xs[i] - ys[j]));
    if (xs[i] < ys[j]) i++;
    else j++;
  }
  return Math.max(1, best);
}
