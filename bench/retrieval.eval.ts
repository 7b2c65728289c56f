/**
 * Retrieval quality and latency of the PostgreSQL lexical index, beside plain BM25 on the same run and the same
 * index, with 95 % bootstrap confidence intervals, per set and per language:
 *   - StackFAQ (English, ../shared/eval/stackfaq), the same questions padded with forum chatter (the padded
 *     questions may lose at most 0.03 nDCG@10), and the same questions as long forum posts (longQuery);
 *   - the French hospital help-desk set (bench/french-helpdesk.json), plain, padded and long;
 *   - DellQA (English, ../shared/eval/dellqa-dev): real IT-support forum posts (a median of 78 words, with
 *     greetings, part numbers, URLs and run-on sentences), each with the accepted solution that resolved it.
 * Then the grounding policy on every set and off-topic questions on every tenant.
 *
 *   npm run eval                      (tsc build, then node dist/bench/retrieval.eval.js)
 * Options: --data=DIR (default ../shared/eval/stackfaq from the working directory), --dell=DIR (default
 * ../shared/eval/dellqa-dev), --k1= --b= --tw= --tb= BM25F
 * constants, --narr= weight of narrative sentences, --ctx= context weight, --story= story budget, --maxterms= and
 * --idfp= idf focus, --prox= proximity weight, --rrf=1 (--rrfterms= --rrfk=) fusion with the question sentences'
 * search, --rep= repeat-weight cap, --fbw= --fbd= --fbt= RM3 feedback
 * weight (off by default; --fbw=0.3 turns it on), passages and terms, --chatter=0 to keep chatter, --limit=N passages
 * fetched per query before grouping by document (default 50), --seed=N padding seed; for quick runs --every=N
 * (every Nth question, from the --offset=K-th; StackFAQ and DellQA), --systems=ours, --sets=stackfaq,stackfaq-long,french-padded,dellqa…,
 * --grounding=0, --rerank=0 (BM25 and proximity's order for long questions too: rerank.ts), --fold=odd|even keeps
 * DellQA's odd- or even-numbered questions and --rerankmodel=FILE reranks them with the model fitted on the other
 * fold (bench/fit-rerank.ts --folds=FILE): a cross-validated figure, --show=I
 * prints question I of each set as it is searched, --half=odd|even keeps the odd- or even-numbered French questions
 * (choose a rule on one half, confirm it on the other), and --losses=1 lists the questions their padded or long form
 * ranks lower, with the weight each of its sentences got. Grounding: --gcov= least coverage, --gchance= most chance
 * matches when the question holds a word the documents never use (--gcov=0.5 --gchance=Infinity: coverage only).
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import { MIGRATIONS } from '../src/migrations';
import { chunkDocument } from '../src/services/text/chunker';
import { DEFAULT_GROUNDING, GroundingPolicy } from '../src/services/retrieval/grounding-policy';
import { weightedSentences, type QueryOptions } from '../src/services/retrieval/query-terms';
import { PgRetrievalIndex } from '../src/services/retrieval/pg-retrieval-index';
import { DEFAULT_FEEDBACK, DEFAULT_RANKING, type RankingParams } from '../src/services/retrieval/pg-retriever';
import type { RerankModel } from '../src/services/retrieval/rerank';
import type { Retriever, Sql } from '../src/services/retrieval/types';
import type { Language } from '../src/services/text/analyzer';
import { FRENCH_DOCS, FRENCH_QUERIES, longQuery, OFF_TOPIC, padQuery, seededRandom, type EvalDoc, type EvalQuery } from './retrieval-sets';

// "Plain BM25": one bag of words (title counted as body text), textbook constants, every question word scored.
const PLAIN_BM25: RankingParams = {
  bm25: { k1: 1.2, b: 0.75, titleWeight: 1, titleB: 0.75 },
  query: { maxRepeatWeight: 1_000, dropChatter: false, narrativeWeight: 1, contextWeight: 1, storyBudget: 0, maxTerms: 0, idfPower: 0 },
  feedback: null,
  fusion: null,
  proximity: 0,
  rerank: null,
};

const MAX_PADDED_LOSS = 0.03;

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

function numberArg(name: string, fallback: number): number {
  const v = arg(name);
  return v === undefined ? fallback : Number(v);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

interface Scores {
  ndcg: number[];
  mrr: number[];
  recall: number[];
  latencies: number[];
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Percentile bootstrap of the mean, 1,000 resamples, seeded so reruns print the same interval. */
function bootstrap(xs: number[], resamples = 1000): [number, number] {
  const random = seededRandom(7);
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < xs.length; i++) sum += xs[Math.floor(random() * xs.length)];
    means.push(sum / xs.length);
  }
  means.sort((a, b) => a - b);
  return [means[Math.floor(0.025 * resamples)], means[Math.floor(0.975 * resamples)]];
}

interface Corpus {
  tenantId: string;
  datasetId: Map<string, string>;
  chunks: number;
}

async function load(sql: Sql, index: PgRetrievalIndex, slug: string, docs: EvalDoc[]): Promise<Corpus> {
  const [{ id: tenantId }] = await sql.query<{ id: string }[]>(
    `INSERT INTO tenant (slug, name, contact_email, plan_code) VALUES ($1, $1, 'eval@example.com', 'BUSINESS') RETURNING id`,
    [slug],
  );
  const datasetId = new Map<string, string>();
  let chunks = 0;
  for (const d of docs) {
    const documentId = randomUUID();
    datasetId.set(documentId, d.id);
    await sql.query(
      `INSERT INTO document (id, tenant_id, title, mime_type, content_hash) VALUES ($1, $2, $3, 'text/plain', $4)`,
      [documentId, tenantId, d.title, createHash('sha256').update(d.content).digest('hex')],
    );
    const pieces = chunkDocument(d.content, 'text/plain');
    chunks += pieces.length;
    await index.addDocument({ tenantId, documentId, title: d.title, sourceUrl: null, chunks: pieces });
  }
  return { tenantId, datasetId, chunks };
}

async function evaluate(retriever: Retriever, corpus: Corpus, queries: EvalQuery[], fetchLimit: number): Promise<Scores> {
  const scores: Scores = { ndcg: [], mrr: [], recall: [], latencies: [] };
  for (const q of queries) {
    const start = performance.now();
    const passages = await retriever.search(q.query, fetchLimit);
    scores.latencies.push(performance.now() - start);
    // Document relevance: each document ranked by its best chunk.
    const ranking: string[] = [];
    for (const p of passages) {
      const id = corpus.datasetId.get(p.documentId)!;
      if (!ranking.includes(id)) ranking.push(id);
    }
    const rank = ranking.slice(0, 10).indexOf(q.relevant) + 1;
    scores.ndcg.push(rank > 0 ? 1 / Math.log2(rank + 1) : 0);
    scores.mrr.push(rank > 0 ? 1 / rank : 0);
    scores.recall.push(rank > 0 ? 1 : 0);
  }
  return scores;
}

const fmt = (x: number): string => x.toFixed(3);

/**
 * --losses=1: the questions that rank their document lower once padded or made a long post, each with the weight
 * every sentence of the rewritten question got (query-terms.ts): where to look when a rewritten set loses.
 */
function showLosses(sets: { name: string; queries: EvalQuery[] }[], perQuestion: Map<string, number[]>, options: QueryOptions): void {
  for (const base of sets) {
    const before = perQuestion.get(`${base.name}/ours`);
    if (!before) continue;
    for (const rewritten of sets.filter((s) => s.name.startsWith(`${base.name} `))) {
      const after = perQuestion.get(`${rewritten.name}/ours`);
      if (!after) continue;
      console.log(`\n${rewritten.name}: questions that lose (plain nDCG → rewritten nDCG)`);
      rewritten.queries.forEach((q, i) => {
        if (after[i] >= before[i] - 1e-9) return;
        console.log(`  #${i} ${fmt(before[i])} → ${fmt(after[i])}  ${base.queries[i].query}`);
        for (const s of weightedSentences(q.query, options.narrativeWeight, options.contextWeight, options.dropChatter, options.storyBudget)) {
          console.log(`      ${s.weight.toFixed(2)}  ${s.text.replace(/\s+/g, ' ').trim()}`);
        }
      });
    }
  }
}
const withCi = (xs: number[]): string => {
  const [lo, hi] = bootstrap(xs);
  return `${fmt(mean(xs))} [${fmt(lo)}, ${fmt(hi)}]`;
};

/**
 * The reranking model: the production one, or with --rerankmodel=FILE (bench/fit-rerank.ts --folds=FILE) the one
 * fitted on the other fold of DellQA than --fold's, so that a DellQA figure is cross-validated.
 */
function rerankModel(): RerankModel | null {
  const file = arg('rerankmodel');
  if (!file) return DEFAULT_RANKING.rerank;
  const fold = arg('fold');
  if (fold !== 'odd' && fold !== 'even') throw new Error('--rerankmodel needs --fold=odd|even');
  return (JSON.parse(readFileSync(file, 'utf8')) as Record<string, RerankModel>)[fold];
}

async function main(): Promise<void> {
  const dataDir = resolve(arg('data') ?? resolve(process.cwd(), '../shared/eval/stackfaq'));
  const ranking: RankingParams = {
    bm25: {
      k1: numberArg('k1', DEFAULT_RANKING.bm25.k1),
      b: numberArg('b', DEFAULT_RANKING.bm25.b),
      titleWeight: numberArg('tw', DEFAULT_RANKING.bm25.titleWeight),
      titleB: numberArg('tb', DEFAULT_RANKING.bm25.titleB),
    },
    query: {
      maxRepeatWeight: numberArg('rep', DEFAULT_RANKING.query.maxRepeatWeight),
      dropChatter: numberArg('chatter', DEFAULT_RANKING.query.dropChatter ? 1 : 0) === 1,
      narrativeWeight: numberArg('narr', DEFAULT_RANKING.query.narrativeWeight),
      contextWeight: numberArg('ctx', DEFAULT_RANKING.query.contextWeight),
      storyBudget: numberArg('story', DEFAULT_RANKING.query.storyBudget),
      maxTerms: numberArg('maxterms', DEFAULT_RANKING.query.maxTerms),
      idfPower: numberArg('idfp', DEFAULT_RANKING.query.idfPower),
    },
    fusion:
      numberArg('rrf', DEFAULT_RANKING.fusion ? 1 : 0) > 0
        ? { keyTerms: numberArg('rrfterms', DEFAULT_RANKING.fusion?.keyTerms ?? 0), k: numberArg('rrfk', DEFAULT_RANKING.fusion?.k ?? 60) }
        : null,
    proximity: numberArg('prox', DEFAULT_RANKING.proximity),
    rerank: numberArg('rerank', DEFAULT_RANKING.rerank ? 1 : 0) > 0 ? rerankModel() : null,
    feedback:
      numberArg('fbw', DEFAULT_RANKING.feedback?.weight ?? 0) > 0
        ? {
            docs: numberArg('fbd', DEFAULT_FEEDBACK.docs),
            terms: numberArg('fbt', DEFAULT_FEEDBACK.terms),
            weight: numberArg('fbw', DEFAULT_RANKING.feedback?.weight ?? 0),
          }
        : null,
  };
  const fetchLimit = numberArg('limit', 50);
  const seed = numberArg('seed', 12);
  const stackDocs = readJsonl<EvalDoc>(resolve(dataDir, 'docs.jsonl'));
  const every = numberArg('every', 1);
  // --offset=K with --every=N: questions K, K + N, …, so that two runs can split the set into halves.
  const offset = numberArg('offset', 0);
  const sampled = (_: unknown, i: number): boolean => i % every === offset % every;
  const stackQueries = readJsonl<EvalQuery>(resolve(dataDir, 'queries.jsonl')).filter(sampled);
  const dellDir = resolve(arg('dell') ?? resolve(process.cwd(), '../shared/eval/dellqa-dev'));
  const dellDocs = readJsonl<EvalDoc>(resolve(dellDir, 'docs.jsonl'));
  // --fold=odd|even: DellQA's odd- or even-numbered questions (1-based), the folds of bench/fit-rerank.ts.
  const fold = arg('fold');
  const inFold = (_: unknown, i: number): boolean => !fold || (fold === 'odd' ? i % 2 === 0 : i % 2 === 1);
  const dellQueries = readJsonl<EvalQuery>(resolve(dellDir, 'queries.jsonl')).filter(inFold).filter(sampled);
  // The French set is small enough to run whole in every quick run.
  const frenchQueries = FRENCH_QUERIES;
  // --half=odd|even: the odd- or even-numbered French questions (1-based), so that a rule chosen on one half is
  // checked on the other. Padding is drawn by each question's place in the whole set, as in a full run.
  const half = arg('half');
  const inHalf = (_: unknown, i: number): boolean => !half || (half === 'odd' ? i % 2 === 0 : i % 2 === 1);
  const systems = (arg('systems') ?? 'ours,bm25').split(',');

  const db = new PGlite();
  const sql: Sql = { query: async (text, values) => (await db.query(text, values as unknown[])).rows as never };
  const runner = { query: (text: string, values?: unknown[]) => sql.query(text, values) };
  // Every migration, so the evaluated index has the current schema.
  for (const Migration of MIGRATIONS) await new Migration().up(runner as never);

  const ours = new PgRetrievalIndex(sql, ranking);
  const plain = new PgRetrievalIndex(sql, PLAIN_BM25);
  const chosen = arg('sets')?.split(',');
  // A French-only quick run without grounding need not index StackFAQ (a third of its time).
  const needStack = !chosen || chosen.some((c) => c.startsWith('stackfaq')) || arg('grounding') !== '0';
  const needDell = !chosen || chosen.includes('dellqa');
  const none: Corpus = { tenantId: '', datasetId: new Map(), chunks: 0 };
  const t0 = performance.now();
  const stack = needStack ? await load(sql, ours, 'stackfaq', stackDocs) : none;
  const indexMs = performance.now() - t0;
  const french = await load(sql, ours, 'french', FRENCH_DOCS);
  const t1 = performance.now();
  const dell = needDell ? await load(sql, ours, 'dellqa', dellDocs) : none;
  const dellIndexMs = performance.now() - t1;

  const rewrite = (qs: EvalQuery[], lang: Language, how: typeof padQuery): EvalQuery[] =>
    qs.map((q, i) => ({ query: how(q.query, i, lang, seed), relevant: q.relevant }));
  const sets: { name: string; lang: Language; corpus: Corpus; queries: EvalQuery[] }[] = [
    { name: 'StackFAQ', lang: 'en' as const, corpus: stack, queries: stackQueries },
    { name: 'StackFAQ padded', lang: 'en' as const, corpus: stack, queries: rewrite(stackQueries, 'en', padQuery) },
    { name: 'StackFAQ long', lang: 'en' as const, corpus: stack, queries: rewrite(stackQueries, 'en', longQuery) },
    { name: 'French', lang: 'fr' as const, corpus: french, queries: frenchQueries.filter(inHalf) },
    { name: 'French padded', lang: 'fr' as const, corpus: french, queries: rewrite(frenchQueries, 'fr', padQuery).filter(inHalf) },
    { name: 'French long', lang: 'fr' as const, corpus: french, queries: rewrite(frenchQueries, 'fr', longQuery).filter(inHalf) },
    { name: 'DellQA', lang: 'en' as const, corpus: dell, queries: dellQueries },
  ].filter((s) => !chosen || chosen.some((c) => s.name.toLowerCase().replace(/ /g, '-') === c));
  if (arg('show')) for (const s of sets) console.log(`${s.name}:\n  ${s.queries[Number(arg('show'))]?.query}`);

  // Warm-up: PGlite plans and caches on first use; the first query is not what a running server sees.
  const warm = needStack ? { corpus: stack, queries: stackQueries } : { corpus: french, queries: frenchQueries };
  for (const q of warm.queries.slice(0, 20)) await ours.forTenant(warm.corpus.tenantId).search(q.query, fetchLimit);

  console.log(`StackFAQ: ${stackDocs.length} documents, ${stack.chunks} chunks (indexed in ${indexMs.toFixed(0)} ms); ` +
    `French: ${FRENCH_DOCS.length} documents; padding seed ${seed}` +
    (needDell ? `; DellQA: ${dellDocs.length} documents, ${dell.chunks} chunks (indexed in ${dellIndexMs.toFixed(0)} ms)` : ''));
  console.log(`ours: ${JSON.stringify(ranking)}`);
  console.log(`bm25: plain BM25 (k1 1.2, b 0.75, title as body text, every question word)`);
  console.log('set               lang n     system  nDCG@10 [95% CI]      MRR@10 [95% CI]       R@10 [95% CI]');
  const ndcgOf = new Map<string, number>();
  const perQuestion = new Map<string, number[]>();
  const latencies = new Map<string, number[]>();
  const evalStart = performance.now();
  for (const set of sets) {
    for (const [system, index] of [['ours', ours], ['bm25', plain]] as const) {
      if (!systems.includes(system)) continue;
      const s = await evaluate(index.forTenant(set.corpus.tenantId), set.corpus, set.queries, fetchLimit);
      if (system === 'ours') latencies.set(set.name, s.latencies);
      ndcgOf.set(`${set.name}/${system}`, mean(s.ndcg));
      perQuestion.set(`${set.name}/${system}`, s.ndcg);
      console.log(
        `${set.name.padEnd(17)} ${set.lang}   ${String(set.queries.length).padEnd(5)} ${system.padEnd(7)} ` +
          `${withCi(s.ndcg)}  ${withCi(s.mrr)}  ${withCi(s.recall)}`,
      );
    }
  }
  for (const [plainSet, paddedSet] of [['StackFAQ', 'StackFAQ padded'], ['French', 'French padded']]) {
    if (!ndcgOf.has(`${plainSet}/ours`) || !ndcgOf.has(`${paddedSet}/ours`)) continue;
    if (!systems.includes('bm25')) {
      console.log(`padded loss ${plainSet}: ${fmt(ndcgOf.get(`${plainSet}/ours`)! - ndcgOf.get(`${paddedSet}/ours`)!)}`);
      continue;
    }
    const loss = ndcgOf.get(`${plainSet}/ours`)! - ndcgOf.get(`${paddedSet}/ours`)!;
    const lossBm25 = ndcgOf.get(`${plainSet}/bm25`)! - ndcgOf.get(`${paddedSet}/bm25`)!;
    console.log(
      `padded check ${plainSet}: nDCG@10 loss ${fmt(loss)} (bm25 ${fmt(lossBm25)}) → ` +
        `${loss <= MAX_PADDED_LOSS ? 'PASS' : 'FAIL'} (≤ ${MAX_PADDED_LOSS})`,
    );
  }
  if (arg('losses')) showLosses(sets, perQuestion, ranking.query);
  console.log(`searches took ${((performance.now() - evalStart) / 1000).toFixed(1)} s in all`);
  for (const [name, times] of latencies) {
    times.sort((a, b) => a - b);
    console.log(
      `latency ms (ours, ${name.padEnd(17)}) p50 ${percentile(times, 50).toFixed(1)}  p95 ${percentile(times, 95).toFixed(1)}  ` +
        `p99 ${percentile(times, 99).toFixed(1)}`,
    );
  }

  if (arg('grounding') === '0') return db.close();
  // Grounding as an ask decides it, on the best 10 of the passages fetched: how many questions of each set are
  // answered, how many of those keep their relevant document among the passages cited, and how many off-topic
  // questions are refused on each tenant.
  const policy = new GroundingPolicy({
    ...DEFAULT_GROUNDING,
    minCoverage: numberArg('gcov', DEFAULT_GROUNDING.minCoverage),
    maxChance: numberArg('gchance', DEFAULT_GROUNDING.maxChance),
  });
  for (const set of sets) {
    const retriever = ours.forTenant(set.corpus.tenantId);
    let grounded = 0;
    let onRelevant = 0;
    for (const q of set.queries) {
      const decision = policy.select(q.query, (await retriever.search(q.query, fetchLimit)).slice(0, 10));
      if (!decision.grounded) continue;
      grounded++;
      if (decision.passages.some((p) => set.corpus.datasetId.get(p.documentId) === q.relevant)) onRelevant++;
    }
    const n = set.queries.length;
    console.log(
      `grounding   ${set.name.padEnd(17)} grounded ${grounded}/${n} (${((100 * grounded) / n).toFixed(1)}%), ` +
        `with the relevant document among the kept passages ${onRelevant}/${n}`,
    );
  }
  for (const [name, corpus] of [['StackFAQ', stack], ['French', french], ['DellQA', dell]] as const) {
    if (!corpus.tenantId) continue;
    const retriever = ours.forTenant(corpus.tenantId);
    const accepted: string[] = [];
    for (const q of OFF_TOPIC) {
      if (policy.select(q, await retriever.search(q, 10)).grounded) accepted.push(q);
    }
    console.log(`grounding   off-topic on the ${name} documents: refused ${OFF_TOPIC.length - accepted.length}/${OFF_TOPIC.length}`);
    for (const q of accepted) console.log(`  off-topic but grounded: ${q}`);
  }
  await db.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
