/**
 * Retrieval quality and latency of the PostgreSQL lexical index on StackFAQ, against the BM25 reference, plus the
 * grounding policy's behaviour on the same questions and on off-topic ones.
 *
 *   npm run eval                      (tsc build, then node dist/bench/retrieval.eval.js)
 *   npx tsx bench/retrieval.eval.ts   (no build; tsx is not a dependency, npx fetches it)
 * Options: --data=DIR (default ../shared/eval/stackfaq from the working directory), --k1= --b= --tw= --tb= to try
 * other BM25F constants, --limit=N passages fetched per query before grouping by document (default 50).
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import { MIGRATIONS } from '../src/migrations';
import { chunkDocument } from '../src/services/text/chunker';
import { GroundingPolicy } from '../src/services/retrieval/grounding-policy';
import { PgRetrievalIndex } from '../src/services/retrieval/pg-retrieval-index';
import { DEFAULT_BM25, type Bm25Params } from '../src/services/retrieval/pg-retriever';
import type { Sql } from '../src/services/retrieval/types';

const REFERENCE = { ndcg: 0.807, mrr: 0.761, recall: 0.95 };

// Questions no IT-support corpus should claim to answer; some share everyday words with StackFAQ threads.
const OFF_TOPIC = [
  'What is the capital of Peru?',
  'recette de la tarte aux pommes',
  'How do I bake sourdough bread at home?',
  'Who won the football world cup in 1998?',
  'What is the boiling point of water on Mount Everest?',
  'How do I change a flat tyre on my bicycle?',
  'How many calories are in a banana?',
  'What is the best way to learn to play the guitar?',
  'When did the Roman empire fall?',
  'How do I open a savings account at my bank?',
  'What are the symptoms of the flu?',
  'How do I get a fishing licence?',
  'Which planets have rings?',
  'How long should I boil an egg?',
  'What time does the post office close on Saturday?',
  'Can my dog eat chocolate?',
  'How do I remove a red wine stain from a carpet?',
  'What is the population of Tokyo?',
  'Quelle est la capitale du Pérou ?',
  'Comment faire une pâte à crêpes sans grumeaux ?',
  'Quel temps fera-t-il demain à Lyon ?',
  'Combien de temps faut-il cuire des pâtes ?',
  'Qui a écrit Les Misérables ?',
  'Comment planter des tomates dans mon jardin ?',
  'Quels sont les horaires de la piscine municipale ?',
  'Comment réparer une chambre à air de vélo ?',
  'Où partir en vacances cet été en famille ?',
  'Quelle est la meilleure saison pour visiter le Japon ?',
  'Comment apprendre à nager à un enfant ?',
  'Pourquoi le ciel est-il bleu ?',
];

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

async function main(): Promise<void> {
  const dataDir = resolve(arg('data') ?? resolve(process.cwd(), '../shared/eval/stackfaq'));
  const params: Bm25Params = {
    k1: numberArg('k1', DEFAULT_BM25.k1),
    b: numberArg('b', DEFAULT_BM25.b),
    titleWeight: numberArg('tw', DEFAULT_BM25.titleWeight),
    titleB: numberArg('tb', DEFAULT_BM25.titleB),
  };
  const fetchLimit = numberArg('limit', 50);
  const docs = readJsonl<{ id: string; title: string; content: string }>(resolve(dataDir, 'docs.jsonl'));
  const queries = readJsonl<{ query: string; relevant: string }>(resolve(dataDir, 'queries.jsonl'));

  const db = new PGlite();
  const sql: Sql = { query: async (text, values) => (await db.query(text, values as unknown[])).rows as never };
  const runner = { query: (text: string, values?: unknown[]) => sql.query(text, values) };
  for (const Migration of MIGRATIONS) await new Migration().up(runner as never);
  const [{ id: tenantId }] = await sql.query<{ id: string }[]>(
    `INSERT INTO tenant (slug, name, contact_email, plan_code) VALUES ('stackfaq', 'StackFAQ', 'eval@example.com', 'BUSINESS') RETURNING id`,
  );

  const index = new PgRetrievalIndex(sql, params);
  const datasetId = new Map<string, string>();
  const t0 = performance.now();
  let chunkCount = 0;
  for (const d of docs) {
    const documentId = randomUUID();
    datasetId.set(documentId, d.id);
    await sql.query(
      `INSERT INTO document (id, tenant_id, title, mime_type, content_hash) VALUES ($1, $2, $3, 'text/plain', $4)`,
      [documentId, tenantId, d.title, createHash('sha256').update(d.content).digest('hex')],
    );
    const chunks = chunkDocument(d.content, 'text/plain');
    chunkCount += chunks.length;
    await index.addDocument({ tenantId, documentId, title: d.title, sourceUrl: null, chunks });
  }
  const indexMs = performance.now() - t0;

  const retriever = index.forTenant(tenantId);
  const policy = new GroundingPolicy();
  // Warm-up: PGlite plans and caches on first use; the first query is not what a running server sees.
  for (const q of queries.slice(0, 20)) await retriever.search(q.query, fetchLimit);

  let ndcg = 0;
  let mrr = 0;
  let recall = 0;
  let grounded = 0;
  let groundedOnRelevant = 0;
  const latencies: number[] = [];
  for (const q of queries) {
    const start = performance.now();
    const passages = await retriever.search(q.query, fetchLimit);
    latencies.push(performance.now() - start);

    // Document relevance: each document ranked by its best chunk.
    const ranking: string[] = [];
    for (const p of passages) {
      const id = datasetId.get(p.documentId)!;
      if (!ranking.includes(id)) ranking.push(id);
    }
    const rank = ranking.slice(0, 10).indexOf(q.relevant) + 1;
    if (rank > 0) {
      ndcg += 1 / Math.log2(rank + 1);
      mrr += 1 / rank;
      recall += 1;
    }
    const decision = policy.select(q.query, passages.slice(0, 10));
    if (decision.grounded) {
      grounded++;
      if (decision.passages.some((p) => datasetId.get(p.documentId) === q.relevant)) groundedOnRelevant++;
    }
  }
  const rejected: string[] = [];
  const accepted: string[] = [];
  for (const q of OFF_TOPIC) {
    const decision = policy.select(q, await retriever.search(q, 10));
    (decision.grounded ? accepted : rejected).push(q);
  }

  latencies.sort((a, b) => a - b);
  const n = queries.length;
  const fmt = (x: number): string => x.toFixed(3);
  console.log(`StackFAQ: ${docs.length} documents, ${chunkCount} chunks, ${n} queries (indexed in ${indexMs.toFixed(0)} ms)`);
  console.log(`BM25F k1=${params.k1} b=${params.b} titleWeight=${params.titleWeight} titleB=${params.titleB}`);
  console.log('metric      postgres  bm25-ref');
  console.log(`nDCG@10     ${fmt(ndcg / n)}     ${fmt(REFERENCE.ndcg)}`);
  console.log(`MRR@10      ${fmt(mrr / n)}     ${fmt(REFERENCE.mrr)}`);
  console.log(`Recall@10   ${fmt(recall / n)}     ${fmt(REFERENCE.recall)}`);
  console.log(
    `latency ms  p50 ${percentile(latencies, 50).toFixed(1)}  p95 ${percentile(latencies, 95).toFixed(1)}  ` +
      `p99 ${percentile(latencies, 99).toFixed(1)}`,
  );
  console.log(
    `grounding   StackFAQ grounded ${grounded}/${n} (${((100 * grounded) / n).toFixed(1)}%), ` +
      `with the relevant thread among the kept passages ${groundedOnRelevant}/${n}; ` +
      `off-topic rejected ${rejected.length}/${OFF_TOPIC.length}`,
  );
  for (const q of accepted) console.log(`  off-topic but grounded: ${q}`);
  await db.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
