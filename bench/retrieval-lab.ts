/**
 * An in-memory replica of PgRetriever's ranking (the same analysis, the same BM25F formula, proximity after it),
 * for exploring ranking ideas on DellQA, StackFAQ and the French set in seconds rather than minutes. Every chunk is
 * scored exactly (the search statement scores the best candidates by stored impact), so figures can differ from
 * `npm run eval` in the third decimal: choose here, report from the eval.
 *
 *   npx esbuild bench/retrieval-lab.ts --bundle --platform=node --packages=external --outfile=/tmp/lab.js && node /tmp/lab.js
 * Options: the eval's BM25/query flags (--k1= --b= --tw= --tb= --narr= --ctx= --story= --rep= --prox= --rerank=0),
 * --sets=…, --every=N, and --notitle=1: a document whose title is the opening of its content gets no title field
 * (DellQA's titles are its first 80 characters). It prints nDCG@10 per set, with the odd- and even-numbered
 * questions apart. bench/fit-rerank.ts and bench/fit-term-necessity.ts fit models on it with 2-fold CV.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chunkDocument } from '../src/services/text/chunker';
import { analyze, detectLanguage, type Language } from '../src/services/text/analyzer';
import { queryTerms, postingKey, type QueryOptions, type QueryTerms, type TermStats } from '../src/services/retrieval/query-terms';
import { bestOfEachDocument, DEFAULT_RANKING, expand, withProximity, type Bm25Params, type FeedbackParams } from '../src/services/retrieval/pg-retriever';
import { rerank, questionTerms, type RerankModel, type RerankRow } from '../src/services/retrieval/rerank';
import { FRENCH_DOCS, FRENCH_QUERIES, longQuery, padQuery, seededRandom, type EvalDoc, type EvalQuery } from './retrieval-sets';

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}
const num = (name: string, fallback: number): number => (arg(name) === undefined ? fallback : Number(arg(name)));

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

export interface LabChunk {
  id: string;
  docId: string;
  lang: Language;
  title: string;
  heading: string;
  text: string;
  titleLen: number;
  bodyLen: number;
  tf: Map<string, [number, number]>;
}

export class MemIndex {
  chunks: LabChunk[] = [];
  df = new Map<string, number>();
  postings = new Map<string, number[]>();
  langChunks = new Map<string, number>();
  titleTotal = 0;
  bodyTotal = 0;
  docTerms = new Map<string, Set<string>>();

  constructor(docs: EvalDoc[], titleOf: (d: EvalDoc) => string = (d) => d.title) {
    for (const d of docs) {
      const pieces = chunkDocument(d.content, 'text/plain');
      const title = titleOf(d);
      const lang = detectLanguage([title, ...pieces.map((c) => c.text)].join('\n').slice(0, 5000));
      const all = this.docTerms.get(d.id) ?? new Set<string>();
      this.docTerms.set(d.id, all);
      for (const c of pieces) {
        const titleTerms = analyze(`${title}\n${c.heading}`, lang);
        const bodyTerms = analyze(c.text, lang);
        const tf = new Map<string, [number, number]>();
        for (const t of titleTerms) if (t.length <= 64) { const k = postingKey(lang, t); const v = tf.get(k) ?? [0, 0]; v[0]++; tf.set(k, v); }
        for (const t of bodyTerms) if (t.length <= 64) { const k = postingKey(lang, t); const v = tf.get(k) ?? [0, 0]; v[1]++; tf.set(k, v); }
        const i = this.chunks.length;
        this.chunks.push({ id: `${d.id}#${c.ordinal}`, docId: d.id, lang, title: d.title, heading: c.heading, text: c.text, titleLen: titleTerms.length, bodyLen: bodyTerms.length, tf });
        for (const k of tf.keys()) {
          this.df.set(k, (this.df.get(k) ?? 0) + 1);
          const p = this.postings.get(k) ?? [];
          p.push(i);
          this.postings.set(k, p);
          all.add(k);
        }
        this.langChunks.set(lang, (this.langChunks.get(lang) ?? 0) + 1);
        this.titleTotal += titleTerms.length;
        this.bodyTotal += bodyTerms.length;
      }
    }
  }

  /** Term statistics as the search statement returns them (rerank.ts): document frequencies and the chunk count. */
  stats(): { df: Map<string, number>; chunks: number } {
    return { df: this.df, chunks: this.chunks.length };
  }

  idf(key: string): number {
    const df = this.df.get(key) ?? 0;
    const n = this.langChunks.get(key.slice(0, key.indexOf(':'))) ?? this.chunks.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  search(keys: string[], weights: number[], bm25: Bm25Params, limit: number): { i: number; score: number }[] {
    const n = this.chunks.length;
    const avgTitle = Math.max(this.titleTotal / n, 1);
    const avgBody = Math.max(this.bodyTotal / n, 1);
    const scores = new Map<number, number>();
    keys.forEach((k, qi) => {
      if (!this.df.get(k)) return;
      const w = weights[qi] * this.idf(k);
      for (const i of this.postings.get(k)!) {
        const c = this.chunks[i];
        const [t, b] = c.tf.get(k)!;
        const x = (bm25.titleWeight * t) / (1 - bm25.titleB + (bm25.titleB * c.titleLen) / avgTitle) + b / (1 - bm25.b + (bm25.b * c.bodyLen) / avgBody);
        scores.set(i, (scores.get(i) ?? 0) + (w * x) / (bm25.k1 + x));
      }
    });
    return [...scores].map(([i, score]) => ({ i, score })).sort((a, b) => b.score - a.score || a.i - b.i).slice(0, limit);
  }
}

export interface LabParams {
  bm25: Bm25Params;
  query: QueryOptions;
  proximity: number;
  /** Rewrites the query terms before the search (term weighting ideas). */
  reweight?: (terms: QueryTerms, index: MemIndex, query: string) => QueryTerms;
  /** BM25F constants by question (length-dependent ideas). */
  bm25For?: (terms: QueryTerms) => Bm25Params;
  proximityFor?: (terms: QueryTerms) => number;
  /** RM3 feedback for the questions it returns non-null for. */
  feedbackFor?: (terms: QueryTerms) => FeedbackParams | null;
  rerank?: RerankModel | null;
  /** Reorders the passages of the questions `rerank` applies to in its stead (models with features of their own). */
  rerankWith?: (query: string, rows: RerankRow[], terms: QueryTerms, stats: TermStats) => RerankRow[];
}

export function rankDocs(index: MemIndex, query: string, params: LabParams, limit = 50): string[] {
  let terms = queryTerms(query, params.query);
  if (params.reweight) terms = params.reweight(terms, index, query);
  if (terms.keys.length === 0) return [];
  const bm25 = params.bm25For ? params.bm25For(terms) : params.bm25;
  const toRows = (hits: { i: number; score: number }[]) =>
    hits.map(({ i, score }) => {
      const c = index.chunks[i];
      return { id: c.id, document_id: c.docId, heading: c.heading, text: c.text, lang: c.lang, title: c.title, score };
    });
  const depth = params.rerank && questionTerms(terms) >= params.rerank.minTerms ? Math.max(limit, params.rerank.depth) : limit;
  let rows = toRows(index.search(terms.keys, terms.weights, bm25, depth));
  const feedback = params.feedbackFor?.(terms);
  if (feedback && rows.length > 0) {
    const expanded = expand(terms.keys, terms.weights, bestOfEachDocument(rows as never, feedback.docs), feedback);
    rows = toRows(index.search(expanded.keys, expanded.weights, bm25, limit));
  }
  const prox = params.proximityFor ? params.proximityFor(terms) : params.proximity;
  if (prox > 0) rows = withProximity(rows as never, terms, prox) as never;
  if (params.rerank) {
    rows = params.rerankWith && rows.length > 1 && questionTerms(terms) >= params.rerank.minTerms
      ? (params.rerankWith(query, rows, terms, index.stats()) as never)
      : rerank(query, rows, terms, index.stats(), params.rerank);
  }
  const ranking: string[] = [];
  for (const r of rows) if (!ranking.includes(r.document_id)) ranking.push(r.document_id);
  return ranking;
}

export function ndcgAt10(ranking: string[], relevant: string): number {
  const rank = ranking.slice(0, 10).indexOf(relevant) + 1;
  return rank > 0 ? 1 / Math.log2(rank + 1) : 0;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
export function withCi(xs: number[]): string {
  const random = seededRandom(7);
  const means: number[] = [];
  for (let r = 0; r < 1000; r++) {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[Math.floor(random() * xs.length)];
    means.push(s / xs.length);
  }
  means.sort((a, b) => a - b);
  return `${mean(xs).toFixed(3)} [${means[25].toFixed(3)}, ${means[975].toFixed(3)}]`;
}

export interface LabSet {
  name: string;
  index: MemIndex;
  queries: EvalQuery[];
}

export function loadSets(titleOf?: (d: EvalDoc) => string): LabSet[] {
  const stackDir = resolve(arg('data') ?? resolve(process.cwd(), '../shared/eval/stackfaq'));
  const dellDir = resolve(arg('dell') ?? resolve(process.cwd(), '../shared/eval/dellqa-dev'));
  const chosen = arg('sets')?.split(',');
  const want = (name: string): boolean => !chosen || chosen.includes(name);
  const sets: LabSet[] = [];
  const every = num('every', 1);
  const sampled = (_: unknown, i: number): boolean => i % every === 0;
  if (['stackfaq', 'stackfaq-padded', 'stackfaq-long'].some(want)) {
    const index = new MemIndex(readJsonl<EvalDoc>(resolve(stackDir, 'docs.jsonl')), titleOf);
    const qs = readJsonl<EvalQuery>(resolve(stackDir, 'queries.jsonl')).filter(sampled);
    if (want('stackfaq')) sets.push({ name: 'stackfaq', index, queries: qs });
    if (want('stackfaq-padded')) sets.push({ name: 'stackfaq-padded', index, queries: qs.map((q, i) => ({ query: padQuery(q.query, i, 'en', 12), relevant: q.relevant })) });
    if (want('stackfaq-long')) sets.push({ name: 'stackfaq-long', index, queries: qs.map((q, i) => ({ query: longQuery(q.query, i, 'en', 12), relevant: q.relevant })) });
  }
  if (['french', 'french-padded', 'french-long'].some(want)) {
    const index = new MemIndex(FRENCH_DOCS, titleOf);
    if (want('french')) sets.push({ name: 'french', index, queries: FRENCH_QUERIES });
    if (want('french-padded')) sets.push({ name: 'french-padded', index, queries: FRENCH_QUERIES.map((q, i) => ({ query: padQuery(q.query, i, 'fr', 12), relevant: q.relevant })) });
    if (want('french-long')) sets.push({ name: 'french-long', index, queries: FRENCH_QUERIES.map((q, i) => ({ query: longQuery(q.query, i, 'fr', 12), relevant: q.relevant })) });
  }
  if (want('dellqa')) {
    sets.push({ name: 'dellqa', index: new MemIndex(readJsonl<EvalDoc>(resolve(dellDir, 'docs.jsonl')), titleOf), queries: readJsonl<EvalQuery>(resolve(dellDir, 'queries.jsonl')).filter(sampled) });
  }
  return sets;
}

export function baseParams(): LabParams {
  const d = DEFAULT_RANKING;
  return {
    bm25: { k1: num('k1', d.bm25.k1), b: num('b', d.bm25.b), titleWeight: num('tw', d.bm25.titleWeight), titleB: num('tb', d.bm25.titleB) },
    query: {
      ...d.query,
      maxRepeatWeight: num('rep', d.query.maxRepeatWeight),
      narrativeWeight: num('narr', d.query.narrativeWeight),
      contextWeight: num('ctx', d.query.contextWeight),
      storyBudget: num('story', d.query.storyBudget),
    },
    proximity: num('prox', d.proximity),
    rerank: num('rerank', d.rerank ? 1 : 0) > 0 ? d.rerank : null,
  };
}

/** nDCG@10 per question of one set. */
export function scoreSet(set: LabSet, params: LabParams): number[] {
  return set.queries.map((q) => ndcgAt10(rankDocs(set.index, q.query, params), q.relevant));
}

/** The two folds of a set's questions: odd-numbered (1st, 3rd, …) and even-numbered. */
export const inFold = (fold: 'odd' | 'even', i: number): boolean => (fold === 'odd' ? i % 2 === 0 : i % 2 === 1);

export { arg, num, mean };

if (process.argv[1]?.endsWith('lab.js')) {
  const sets = loadSets(arg('notitle') === '1' ? (d) => (d.content.startsWith(d.title.trim()) ? '' : d.title) : undefined);
  const params = baseParams();
  for (const set of sets) {
    const xs = scoreSet(set, params);
    const odd = xs.filter((_, i) => inFold('odd', i));
    const even = xs.filter((_, i) => inFold('even', i));
    console.log(`${set.name.padEnd(16)} n ${String(xs.length).padEnd(5)} ${withCi(xs)}  odd ${mean(odd).toFixed(3)} even ${mean(even).toFixed(3)}`);
  }
}
