import { analyze, coverage, type Language } from '../text/analyzer';
import { DEFAULT_QUERY, postingKey, queryTerms, type QueryOptions } from './query-terms';
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

// k1 is at the high end of the usual 1.2–2 range because the title weight multiplies title frequencies before
// saturation: with k1 = 1.2 a title match saturates almost at once and the title weight is lost (StackFAQ
// nDCG@10: 0.855 at k1 = 1.2 and titleWeight = 2.5; 0.869 at k1 = 2, titleWeight = 6; without the title field 0.770).
export const DEFAULT_BM25: Bm25Params = { k1: 2, b: 0.75, titleWeight: 6, titleB: 0.5 };

/**
 * Pseudo-relevance feedback (RM3): the best `docs` passages of a first search lend their `terms` most typical
 * words to a second search, mixed in with weight `weight` (0..1) against the question's own terms.
 */
export interface FeedbackParams {
  docs: number;
  terms: number;
  weight: number;
}

export interface RankingParams {
  bm25: Bm25Params;
  query: QueryOptions;
  /** null: one search, no feedback. */
  feedback: FeedbackParams | null;
}

// RM3 measured on a third of StackFAQ and on the French set (bench/retrieval.eval.ts --every=3): weight 0.3 over
// 5 passages and 10 terms raised nDCG@10 from 0.864 to 0.870 (StackFAQ) and 0.958 to 0.985 (French), padded French
// 0.891 to 0.938, padded StackFAQ unchanged within noise (0.838 → 0.835); weight 0.5 over 3 passages lost on
// StackFAQ (0.860). It costs a second index lookup per search, never a scan. It stays off by default: within one
// document it moves the wrong chunk first ("How do I reset my password?" then ranks the document's "Locked
// accounts" section above its reset procedure, tests/retrieval.test.ts), and the answer quotes that chunk. Fusing
// the two passes (e.g. reciprocal rank fusion, first pass weighted higher) is the next thing to measure.
export const DEFAULT_FEEDBACK: FeedbackParams = { docs: 5, terms: 10, weight: 0.3 };

export const DEFAULT_RANKING: RankingParams = { bm25: DEFAULT_BM25, query: DEFAULT_QUERY, feedback: null };

interface Row {
  id: string;
  document_id: string;
  heading: string;
  text: string;
  lang: Language;
  title: string;
  source_url: string | null;
  score: number | string;
}

/*
 * One statement per search (PGlite serialises every query through one connection). The question is analysed once
 * per language; each analysis is a set of language-tagged posting keys, so a chunk is scored with the terms of its
 * own language. Document frequencies are counted from the postings at query time (the index range scans that fetch
 * them are needed for scoring anyway, and counts taken this way cannot go stale); chunk count and length totals
 * come from chunk_stats, which triggers keep exact. The CTEs are MATERIALIZED because the planner, seeing one row, would otherwise
 * recompute them for every posting.
 */
const SEARCH_SQL = `
  WITH q AS MATERIALIZED (
    SELECT term, weight FROM unnest($2::text[], $3::float8[]) AS q(term, weight)
  ),
  stats AS MATERIALIZED (
    SELECT chunks::float8 AS n,
           greatest(title_len::float8 / greatest(chunks, 1), 1) AS avg_title,
           greatest(body_len::float8 / greatest(chunks, 1), 1) AS avg_body
    FROM chunk_stats WHERE tenant_id = $1
  ),
  hits AS MATERIALIZED (
    SELECT chunk_id, term, title_tf, body_tf, title_len, body_len
    FROM chunk_term WHERE tenant_id = $1 AND term = ANY($2::text[])
  ),
  df AS MATERIALIZED (SELECT term, count(*)::float8 AS df FROM hits GROUP BY term),
  scored AS (
    SELECT h.chunk_id,
           sum(q.weight * ln(1 + (s.n - df.df + 0.5) / (df.df + 0.5)) * x.tf / ($5::float8 + x.tf)) AS score
    FROM hits h
    JOIN q ON q.term = h.term
    JOIN df ON df.term = h.term
    CROSS JOIN stats s
    CROSS JOIN LATERAL (
      SELECT $7::float8 * h.title_tf / (1 - $8::float8 + $8::float8 * h.title_len / s.avg_title)
             + h.body_tf / (1 - $6::float8 + $6::float8 * h.body_len / s.avg_body) AS tf
    ) x
    GROUP BY h.chunk_id
    ORDER BY score DESC, h.chunk_id
    LIMIT $4
  )
  SELECT c.id, c.document_id, c.heading, c.text, c.lang, d.title, d.source_url, sc.score
  FROM scored sc
  JOIN chunk c ON c.id = sc.chunk_id AND c.tenant_id = $1
  JOIN document d ON d.id = c.document_id AND d.tenant_id = $1
  ORDER BY sc.score DESC, c.id`;

/** Lexical search over one tenant's chunks. The tenant is fixed here and bound into every statement. */
export class PgRetriever implements Retriever {
  constructor(
    private readonly sql: Sql,
    readonly tenantId: string,
    private readonly params: RankingParams = DEFAULT_RANKING,
  ) {}

  async search(query: string, limit: number): Promise<Passage[]> {
    const terms = queryTerms(query, this.params.query);
    if (terms.keys.length === 0 || limit <= 0) return [];
    const feedback = this.params.feedback;
    let rows = await this.run(terms.keys, terms.weights, feedback ? Math.max(limit, feedback.docs) : limit);
    if (feedback && rows.length > 0) {
      const expanded = expand(terms.keys, terms.weights, rows.slice(0, feedback.docs), feedback);
      rows = await this.run(expanded.keys, expanded.weights, limit);
    }
    return rows.slice(0, limit).map((r) => {
      const qt = terms.analyses.get(r.lang) ?? [];
      return {
        chunkId: r.id,
        documentId: r.document_id,
        title: r.title,
        sourceUrl: r.source_url,
        heading: r.heading,
        text: r.text,
        score: Number(r.score),
        coverage: coverage(qt, `${r.title}\n${r.heading}\n${r.text}`, r.lang),
      };
    });
  }

  private run(keys: string[], weights: number[], limit: number): Promise<Row[]> {
    const { k1, b, titleWeight, titleB } = this.params.bm25;
    return this.sql.query<Row[]>(SEARCH_SQL, [this.tenantId, keys, weights, Math.floor(limit), k1, b, titleWeight, titleB]);
  }
}

/** RM3: the question's weights (normalised) mixed with the relevance model of the feedback passages. */
function expand(keys: string[], weights: number[], rows: Row[], params: FeedbackParams): { keys: string[]; weights: number[] } {
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
