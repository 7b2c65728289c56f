/**
 * First-stage ideas for long forum posts, each measured on its own against the in-memory replica
 * (bench/retrieval-lab.ts): nDCG@10 with the reranker off, recall of the right document at 10, 20 and 50, the lab's
 * time per question, and nDCG@10 with the reranker refitted on that first stage by 2-fold cross-validation (the
 * procedure of bench/fit-rerank.ts: ridge logistic regression over rerank.ts's features of the 20 passages the first
 * stage ranks first, fitted on the odd-numbered DellQA questions and measured on the even ones, and the other way).
 *
 *   npx esbuild bench/recall-lab.ts --bundle --platform=node --packages=external --outfile=dist/lab/recall-lab.js && node dist/lab/recall-lab.js
 * Options: --variants=a,b (default all), --fit=0 skips the refit, --folds=FILE writes the two fold models for
 * `npm run eval -- --fold=odd|even --rerankmodel=FILE`, --model=FILE the model fitted on every DellQA question (it
 * reranks the other sets, the "refit" figure), each variant's own flags (below), the lab's --sets= and --every=.
 *
 * Measured on DellQA's development half (nDCG@10 reranked by the refitted model, 2-fold CV; the base is 0.377 before
 * the analyzer's rules for glued sentences, glued words and model variants, 0.385 after them):
 *   - mq-*: each sentence (s1) or window of 2–3 sentences (s2, s3) searched on its own, fused with the whole post
 *     (CombSUM of normalised scores, or RRF): every form within ±0.008 of its base, at 1.5–3 times the search time;
 *   - focus, sfocus, common: term weights times (idf / the question's highest idf)^p over the question or within each
 *     sentence, or only the commonest terms cut: up to +0.006, but long StackFAQ and long French lose (query-terms.ts);
 *   - k3, generic, hybrid: sentences weighed more alike: up to +0.012, the padded and long sets lose 0.03–0.15;
 *   - scap (each sentence's weight shared by its terms past --cap): −0.014; lenprior (a length prior): −0.005;
 *   - docmix (a document by its best passage plus --alpha × its other passages' scores; 91 of DellQA's 1,901
 *     documents have more than one chunk): α 0 (one passage per document for the reranker) 0.385, α 0.3 0.375, α 1
 *     0.367, and StackFAQ, whose documents have several chunks, 0.881 → 0.760 at α 0.3.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { focusTerms, postingKey, queryTerms, weightedSentences, type QueryTerms } from '../src/services/retrieval/query-terms';
import { withProximity } from '../src/services/retrieval/pg-retriever';
import { rerank, rerankFeatures, questionTerms, type RerankModel } from '../src/services/retrieval/rerank';
import { analyze, detectLanguage, LANGUAGES } from '../src/services/text/analyzer';
import { fitLogistic } from './logistic';
import { arg, baseParams, inFold, loadSets, mean, ndcgAt10, num, withCi, type LabParams, type LabSet, type MemIndex } from './retrieval-lab';

interface Row {
  id: string;
  document_id: string;
  heading: string;
  text: string;
  lang: 'en' | 'fr';
  title: string;
  score: number;
  bodyLen: number;
}

/** A first stage: the passages of a question, best first, with the terms the reranker is to read. */
type Stage = (index: MemIndex, query: string, params: LabParams, depth: number) => { rows: Row[]; terms: QueryTerms };

const toRows = (index: MemIndex, hits: { i: number; score: number }[]): Row[] =>
  hits.map(({ i, score }) => {
    const c = index.chunks[i];
    return { id: c.id, document_id: c.docId, heading: c.heading, text: c.text, lang: c.lang, title: c.title, score, bodyLen: c.bodyLen };
  });

/** One BM25F search of `terms`, then proximity; the reranker reads `terms` too. */
function searched(index: MemIndex, terms: QueryTerms, params: LabParams, depth: number, bm25 = params.bm25): { rows: Row[]; terms: QueryTerms } {
  if (terms.keys.length === 0) return { rows: [], terms };
  const rows = toRows(index, index.search(terms.keys, terms.weights, bm25, depth));
  return { rows: params.proximity > 0 ? (withProximity(rows as never, terms, params.proximity) as never) : rows, terms };
}

/** Today's first stage: one BM25F search of the weighted question terms, then proximity. */
const plain: Stage = (index, query, params, depth) => searched(index, queryTerms(query, params.query), params, depth);

/**
 * The question's terms weighed sentence by sentence: each sentence adds `share(keys)[i]` × its weight to each of its
 * distinct terms, capped as queryTerms caps them.
 */
function bySentence(index: MemIndex, query: string, params: LabParams, share: (keys: string[]) => number[]): QueryTerms {
  const asked = detectLanguage(query);
  const q = params.query;
  const weights = new Map<string, number>();
  for (const lang of LANGUAGES) {
    for (const s of weightedSentences(query, q.narrativeWeight, q.contextWeight, q.dropChatter, q.storyBudget)) {
      const keys = [...new Set(analyze(s.text, lang, asked).filter((t) => t.length <= 64).map((t) => postingKey(lang, t)))];
      const shares = share(keys);
      keys.forEach((k, i) => weights.set(k, Math.min(q.maxRepeatWeight, (weights.get(k) ?? 0) + s.weight * shares[i])));
    }
  }
  return { keys: [...weights.keys()], weights: [...weights.values()], analyses: queryTerms(query, q).analyses };
}

/** CombSUM of lists normalised by their best score, each list with its weight; fused by passage. */
function combSum(lists: { rows: Row[]; weight: number }[]): Row[] {
  const fused = new Map<string, Row>();
  for (const { rows, weight } of lists) {
    const best = rows[0]?.score || 1;
    for (const r of rows) {
      const prior = fused.get(r.id);
      fused.set(r.id, { ...(prior ?? r), score: (prior?.score ?? 0) + (weight * r.score) / best });
    }
  }
  return [...fused.values()].sort((a, b) => b.score - a.score);
}

function rrf(lists: { rows: Row[]; weight: number }[], k: number): Row[] {
  const fused = new Map<string, Row>();
  for (const { rows, weight } of lists) {
    rows.forEach((r, rank) => {
      const prior = fused.get(r.id);
      fused.set(r.id, { ...(prior ?? r), score: (prior?.score ?? 0) + weight / (k + rank + 1) });
    });
  }
  return [...fused.values()].sort((a, b) => b.score - a.score);
}

/**
 * Multi-query fusion: the whole post's search fused with one search per piece of the post (a sentence, or a window
 * of `window` sentences), the pieces chosen by `pick`. `own` weighs the whole post's list against the pieces'.
 */
function multiQuery(options: {
  window: number;
  pick: 'all' | 'question' | 'ends';
  method: 'combsum' | 'rrf';
  own: number;
  byRole: boolean;
  minTerms: number;
}): Stage {
  return (index, query, params, depth) => {
    const whole = plain(index, query, params, depth);
    if (questionTerms(whole.terms) < options.minTerms) return whole;
    const sentences = weightedSentences(query, params.query.narrativeWeight, params.query.contextWeight, params.query.dropChatter, params.query.storyBudget);
    let pieces: { text: string; weight: number }[] = [];
    for (let i = 0; i < sentences.length; i += options.window === 1 ? 1 : options.window - 1) {
      const group = sentences.slice(i, i + options.window);
      pieces.push({ text: group.map((s) => s.text).join('\n'), weight: Math.max(...group.map((s) => s.weight)) });
      if (i + options.window >= sentences.length) break;
    }
    if (options.pick === 'question') pieces = pieces.filter((p) => p.weight === 1);
    if (options.pick === 'ends') pieces = pieces.length > 2 ? [pieces[0], pieces[pieces.length - 1]] : pieces;
    if (pieces.length < 2) return whole;
    const lists = [{ rows: whole.rows, weight: options.own }];
    for (const p of pieces) {
      const t = queryTerms(p.text, { ...params.query, narrativeWeight: 1, contextWeight: 1 });
      if (t.keys.length === 0) continue;
      const rows = toRows(index, index.search(t.keys, t.weights, params.bm25, depth));
      lists.push({ rows, weight: (options.byRole ? p.weight : 1) / pieces.length });
    }
    const fused = options.method === 'rrf' ? rrf(lists, 60) : combSum(lists);
    return { rows: fused.slice(0, depth), terms: whole.terms };
  };
}

const VARIANTS: Record<string, Stage> = {
  plain,
  'mq-s1-all-sum': multiQuery({ window: 1, pick: 'all', method: 'combsum', own: 1, byRole: true, minTerms: 12 }),
  'mq-s1-all-sum-own2': multiQuery({ window: 1, pick: 'all', method: 'combsum', own: 2, byRole: true, minTerms: 12 }),
  'mq-s1-all-sum-norole': multiQuery({ window: 1, pick: 'all', method: 'combsum', own: 1, byRole: false, minTerms: 12 }),
  'mq-s2-all-sum': multiQuery({ window: 2, pick: 'all', method: 'combsum', own: 1, byRole: true, minTerms: 12 }),
  'mq-s3-all-sum': multiQuery({ window: 3, pick: 'all', method: 'combsum', own: 1, byRole: true, minTerms: 12 }),
  'mq-s1-q-sum': multiQuery({ window: 1, pick: 'question', method: 'combsum', own: 1, byRole: true, minTerms: 12 }),
  'mq-s1-ends-sum': multiQuery({ window: 1, pick: 'ends', method: 'combsum', own: 1, byRole: true, minTerms: 12 }),
  'mq-s1-all-rrf': multiQuery({ window: 1, pick: 'all', method: 'rrf', own: 1, byRole: true, minTerms: 12 }),
  // As PgRetriever would run it: the focused terms go on to proximity and the reranker.
  focus: (index, query, params, depth) => {
    const base = queryTerms(query, params.query);
    const p = num('idfp', 1);
    return searched(index, questionTerms(base) >= num('focusmin', 12) ? focusTerms(base, index.stats(), { ...params.query, idfPower: p }) : base, params, depth);
  },
  // Only the common terms lose weight: below the idf of a term held by a share --share of the chunks, weight × idf / that idf.
  common: (index, query, params, depth) => {
    const terms = queryTerms(query, params.query);
    if (terms.keys.length === 0) return { rows: [], terms };
    if (questionTerms(terms) >= num('focusmin', 12)) {
      const n = index.chunks.length;
      const cap = Math.log(1 + (n - num('share', 0.05) * n + 0.5) / (num('share', 0.05) * n + 0.5));
      terms.weights = terms.weights.map((w, i) => w * Math.min(1, index.idf(terms.keys[i]) / cap) ** num('idfp', 1));
    }
    return searched(index, terms, params, depth);
  },
  // The idf focus within each sentence: a sentence's rarest term keeps the sentence's weight, its others lose by
  // (idf / that idf)^p, so a story sentence full of rare names gains nothing over the question.
  sfocus: (index, query, params, depth) => {
    const base = queryTerms(query, params.query);
    if (questionTerms(base) < num('focusmin', 12)) return searched(index, base, params, depth);
    const p = num('idfp', 1);
    const terms = bySentence(index, query, params, (keys) => {
      const idfs = keys.map((k) => (index.df.get(k) ? index.idf(k) : 0));
      const top = Math.max(1e-9, ...idfs);
      return idfs.map((x) => (x / top) ** p);
    });
    return searched(index, terms, params, depth);
  },
  // Each sentence's terms share at most --cap terms' worth of its weight: a pasted list of thirty components counts
  // as much as a sentence of --cap words, not thirty.
  scap: (index, query, params, depth) => {
    const cap = num('cap', 10);
    return searched(index, bySentence(index, query, params, (keys) => keys.map(() => Math.min(1, cap / Math.max(1, keys.length)))), params, depth);
  },
  // A long question searched as plain BM25 would (every sentence alike, textbook constants) for its candidates; proximity
  // and the reranker still read the sentence roles.
  hybrid: (index, query, params, depth) => {
    const roles = queryTerms(query, params.query);
    if (roles.keys.length === 0 || questionTerms(roles) < num('hmin', 12)) return plain(index, query, params, depth);
    const w = num('hw', 1);
    const flat = queryTerms(query, { ...params.query, narrativeWeight: w, contextWeight: w, storyBudget: num('hstory', 0) });
    const bm25 = { k1: num('hk1', 1.2), b: num('hb', 0.75), titleWeight: num('htw', 1), titleB: num('htb', 0.75) };
    const rows = toRows(index, index.search(flat.keys, flat.weights, bm25, depth));
    return { rows: params.proximity > 0 ? (withProximity(rows as never, roles, params.proximity) as never) : rows, terms: roles };
  },
  // Candidates of both weightings, fused by reciprocal rank.
  'fuse-focus': (index, query, params, depth) => {
    const a = plain(index, query, params, depth);
    if (questionTerms(a.terms) < 12) return a;
    const b = VARIANTS.focus(index, query, params, depth);
    return { rows: rrf([{ rows: a.rows, weight: 1 }, { rows: b.rows, weight: num('fw', 1) }], 60).slice(0, depth), terms: a.terms };
  },
  // BM25's k3: a term's summed sentence weights w (uncapped) count w (k3 + 1) / (k3 + w).
  k3: (index, query, params, depth) => {
    const k3 = num('k3', 1);
    const raw = queryTerms(query, { ...params.query, maxRepeatWeight: 1e9 });
    return searched(index, { ...raw, weights: raw.weights.map((w) => (w * (k3 + 1)) / (k3 + w)) }, params, depth);
  },
  // A question sentence too vague to name the topic ("How can I restore it now?"): when the question sentences hold
  // fewer than --gm content terms, the story and context count --gw instead of their usual weights.
  generic: (index, query, params, depth) => {
    let terms = queryTerms(query, params.query);
    if (terms.keys.length === 0) return { rows: [], terms };
    const core = terms.analyses.get(detectLanguage(query)) ?? [];
    if (core.length < num('gm', 3)) {
      const w = num('gw', 1);
      terms = queryTerms(query, { ...params.query, narrativeWeight: w, contextWeight: w });
    }
    return searched(index, terms, params, depth);
  },
  // A document scored by its best passage plus --alpha × the scores of its other passages among the best 200 (0:
  // today's best passage; 1: the sum); each document keeps its best passage's place in the list.
  docmix: (index, query, params, depth) => {
    const first = plain(index, query, params, 200);
    const alpha = num('alpha', 0.3);
    const byDoc = new Map<string, { best: Row; rest: number }>();
    for (const r of first.rows) {
      const d = byDoc.get(r.document_id);
      if (!d) byDoc.set(r.document_id, { best: r, rest: 0 });
      else d.rest += r.score;
    }
    const rows = [...byDoc.values()].map(({ best, rest }) => ({ ...best, score: best.score + alpha * rest })).sort((a, b) => b.score - a.score);
    return { rows: rows.slice(0, depth), terms: first.terms };
  },
  // A document-length prior for long questions: the first stage's score (relative to the best) plus --lam × log of
  // the passage's length against the mean, over the best 200 passages.
  lenprior: (index, query, params, depth) => {
    const first = plain(index, query, params, 200);
    if (questionTerms(first.terms) < 12 || first.rows.length === 0) return { rows: first.rows.slice(0, depth), terms: first.terms };
    const best = first.rows[0].score || 1;
    const avgLength = index.bodyTotal / index.chunks.length + 1;
    const rows = first.rows
      .map((r) => ({ ...r, score: r.score / best + num('lam', 0.1) * Math.log((r.bodyLen + 1) / avgLength) }))
      .sort((a, b) => b.score - a.score);
    return { rows: rows.slice(0, depth), terms: first.terms };
  },
  'mq-s2-all-rrf': multiQuery({ window: 2, pick: 'all', method: 'rrf', own: 1, byRole: true, minTerms: 12 }),
};

/** The first stage's rows and the reranked order's documents for one question. */
function ranking(rows: Row[]): string[] {
  const docs: string[] = [];
  for (const r of rows) if (!docs.includes(r.document_id)) docs.push(r.document_id);
  return docs;
}

const DEPTH = 50;
// Fitted on the first 20 passages (the production model's depth); applied to all 50, as the eval does (its limit of 50
// is deeper than the model's 20).
const RERANK_DEPTH = 20;
const APPLY_DEPTH = num('apply', DEPTH);

function rerankTop(query: string, rows: Row[], terms: QueryTerms, index: MemIndex, model: RerankModel): Row[] {
  if (questionTerms(terms) < model.minTerms) return rows;
  return [...rerank(query, rows.slice(0, APPLY_DEPTH), terms, index.stats(), model), ...rows.slice(APPLY_DEPTH)];
}

function fitOn(set: LabSet, firsts: { rows: Row[]; terms: QueryTerms }[], picked: (i: number) => boolean): RerankModel {
  const data: { x: number[]; y: number }[] = [];
  set.queries.forEach((q, i) => {
    const { rows, terms } = firsts[i];
    if (!picked(i) || rows.length === 0) return;
    const top = rows.slice(0, RERANK_DEPTH);
    rerankFeatures(q.query, top, terms, set.index.stats()).forEach((x, r) => data.push({ x, y: top[r].document_id === q.relevant ? 1 : 0 }));
  });
  return { coefficients: fitLogistic(data, num('ridge', 1)), minTerms: 12, depth: RERANK_DEPTH };
}

function measure(name: string, stage: Stage, sets: LabSet[], params: LabParams, fit: boolean): void {
  const parts: string[] = [];
  // DellQA first: the model fitted on all its questions reranks the other sets, as bench/fit-rerank.ts does.
  let refit: RerankModel | null = null;
  const folds: Record<string, RerankModel> = {};
  for (const set of [...sets].sort((a, b) => Number(b.name === 'dellqa') - Number(a.name === 'dellqa'))) {
    const t0 = performance.now();
    const firsts = set.queries.map((q) => stage(set.index, q.query, params, DEPTH));
    const ms = (performance.now() - t0) / set.queries.length;
    const off = set.queries.map((q, i) => ndcgAt10(ranking(firsts[i].rows), q.relevant));
    const prod = set.queries.map((q, i) => ndcgAt10(ranking(params.rerank ? rerankTop(q.query, firsts[i].rows, firsts[i].terms, set.index, params.rerank) : firsts[i].rows), q.relevant));
    const refitted = refit && set.name !== 'dellqa' ? ` refit ${mean(set.queries.map((q, i) => ndcgAt10(ranking(rerankTop(q.query, firsts[i].rows, firsts[i].terms, set.index, refit!)), q.relevant))).toFixed(3)}` : '';
    let line = `${set.name}${refitted} off ${mean(off).toFixed(3)} (odd ${mean(off.filter((_, i) => inFold('odd', i))).toFixed(3)} even ${mean(off.filter((_, i) => inFold('even', i))).toFixed(3)}) prodmodel ${mean(prod).toFixed(3)} ${ms.toFixed(2)}ms`;
    if (set.name === 'dellqa') {
      const at = (k: number) => mean(set.queries.map((q, i) => (ranking(firsts[i].rows).slice(0, k).includes(q.relevant) ? 1 : 0))).toFixed(3);
      line += ` R@10 ${at(10)} R@20 ${at(20)} R@50 ${at(50)}`;
      if (fit) {
        const held: number[] = new Array(set.queries.length);
        refit = fitOn(set, firsts, () => true);
        for (const [train, test] of [['odd', 'even'], ['even', 'odd']] as const) {
          const model = fitOn(set, firsts, (i) => inFold(train, i));
          folds[test] = model;
          set.queries.forEach((q, i) => {
            if (inFold(test, i)) held[i] = ndcgAt10(ranking(rerankTop(q.query, firsts[i].rows, firsts[i].terms, set.index, model)), q.relevant);
          });
        }
        line = `${line} CV ${withCi(held)} odd ${mean(held.filter((_, i) => inFold('odd', i))).toFixed(3)} even ${mean(held.filter((_, i) => inFold('even', i))).toFixed(3)}`;
      }
    }
    parts.push(line);
  }
  console.log(`${name.padEnd(24)} ${parts.join(' | ')}`);
  if (arg('folds') && folds.odd) writeFileSync(arg('folds')!, `${JSON.stringify(folds)}\n`);
  if (arg('model') && refit) writeFileSync(arg('model')!, `${JSON.stringify(refit)}\n`);
}

function main(): void {
  const sets = loadSets();
  const params = baseParams();
  const chosen = arg('variants')?.split(',') ?? Object.keys(VARIANTS);
  for (const name of chosen) measure(name, VARIANTS[name], sets, params, arg('fit') !== '0');
}

main();
