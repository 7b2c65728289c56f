import { analyze, contentTerms, coverage, LANGUAGES, type Language } from './analyzer';
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

// Longer terms are indexed nowhere (see PgRetrievalIndex), so asking for them would only cost a lookup.
export const MAX_TERM_LENGTH = 64;

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
 * per language and each chunk is scored with the terms of its own language. Document frequencies, chunk count and
 * average field lengths are read from the tenant's own rows at query time: the index range scans that fetch the
 * postings are needed for scoring anyway, and statistics computed this way cannot go stale. The statistics are
 * MATERIALIZED because the planner, seeing one row, would otherwise recompute them for every posting.
 */
const SEARCH_SQL = `
  WITH q AS (
    SELECT term, lang, weight FROM unnest($2::text[], $3::text[], $4::float8[]) AS q(term, lang, weight)
  ),
  stats AS MATERIALIZED (
    SELECT count(*)::float8 AS n,
           greatest(coalesce(avg(title_len), 0), 1)::float8 AS avg_title,
           greatest(coalesce(avg(body_len), 0), 1)::float8 AS avg_body
    FROM chunk WHERE tenant_id = $1
  ),
  hits AS (
    SELECT chunk_id, term, title_tf, body_tf FROM chunk_term WHERE tenant_id = $1 AND term = ANY($5::text[])
  ),
  df AS MATERIALIZED (SELECT term, count(*)::float8 AS df FROM hits GROUP BY term),
  scored AS (
    SELECT h.chunk_id,
           sum(q.weight * ln(1 + (s.n - df.df + 0.5) / (df.df + 0.5)) * x.tf / ($7::float8 + x.tf)) AS score
    FROM hits h
    JOIN chunk c ON c.id = h.chunk_id AND c.tenant_id = $1
    JOIN q ON q.term = h.term AND q.lang = c.lang
    JOIN df ON df.term = h.term
    CROSS JOIN stats s
    CROSS JOIN LATERAL (
      SELECT $9::float8 * h.title_tf / (1 - $10::float8 + $10::float8 * c.title_len / s.avg_title)
             + h.body_tf / (1 - $8::float8 + $8::float8 * c.body_len / s.avg_body) AS tf
    ) x
    GROUP BY h.chunk_id
    ORDER BY score DESC, h.chunk_id
    LIMIT $6
  )
  SELECT c.id, c.document_id, c.heading, c.text, c.lang, d.title, d.source_url, sc.score
  FROM scored sc
  JOIN chunk c ON c.id = sc.chunk_id
  JOIN document d ON d.id = c.document_id AND d.tenant_id = $1
  ORDER BY sc.score DESC, c.id`;

/** Lexical search over one tenant's chunks. The tenant is fixed here and bound into every statement. */
export class PgRetriever implements Retriever {
  constructor(
    private readonly sql: Sql,
    readonly tenantId: string,
    private readonly params: Bm25Params = DEFAULT_BM25,
  ) {}

  async search(query: string, limit: number): Promise<Passage[]> {
    const terms: string[] = [];
    const langs: string[] = [];
    const weights: number[] = [];
    for (const lang of LANGUAGES) {
      const counts = new Map<string, number>();
      for (const t of analyze(query, lang)) {
        if (t.length <= MAX_TERM_LENGTH) counts.set(t, (counts.get(t) ?? 0) + 1);
      }
      for (const [term, n] of counts) {
        terms.push(term);
        langs.push(lang);
        weights.push(n);
      }
    }
    if (terms.length === 0 || limit <= 0) return [];

    const { k1, b, titleWeight, titleB } = this.params;
    const rows = await this.sql.query<Row[]>(SEARCH_SQL, [
      this.tenantId, terms, langs, weights, [...new Set(terms)], Math.floor(limit), k1, b, titleWeight, titleB,
    ]);

    const queryTerms = new Map<Language, string[]>();
    return rows.map((r) => {
      let qt = queryTerms.get(r.lang);
      if (!qt) queryTerms.set(r.lang, (qt = contentTerms(query, r.lang)));
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
}
