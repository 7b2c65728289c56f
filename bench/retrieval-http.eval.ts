import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startApp } from '../src/app';
import { parseConfig } from '../src/config';

/**
 * StackFAQ through the public API, as a client would: the documents go in with addDocuments, every query goes
 * through `retrievalTest` over HTTP, and nDCG@10, MRR@10, Recall@10 and latency are computed from the hits.
 *   npm run eval:http [-- --data=../shared/eval/stackfaq]
 */
const REFERENCE = { ndcg: 0.807, mrr: 0.761, recall: 0.95 };
const ADMIN = `sk_admin_${'E'.repeat(43)}`;

async function main() {
  const dataArg = process.argv.find((a) => a.startsWith('--data='))?.slice(7);
  const dataDir = path.resolve(dataArg ?? '../shared/eval/stackfaq');
  const docs = fs.readFileSync(path.join(dataDir, 'docs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const queries = fs.readFileSync(path.join(dataDir, 'queries.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-eval-'));
  const app = await startApp(parseConfig({ PORT: '0', DATA_DIR: tmp, ADMIN_API_KEY: ADMIN, LOG_LEVEL: 'silent', OTHER_OPS_PER_MINUTE: '1000000' }), { host: '127.0.0.1' });
  const gql = async (query: string, variables: object) => {
    const res = await fetch(`${app.server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: any; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const tenantId = (await gql('mutation { createTenant(input: { name: "StackFAQ", contactEmail: "eval@example.org", plan: ENTERPRISE }) { tenant { id } } }', {})).createTenant.tenant.id;
  const idOf = new Map<string, string>();
  for (let i = 0; i < docs.length; i += 25) {
    const batch = docs.slice(i, i + 25);
    const added = await gql('mutation($t: ID!, $d: [DocumentInput!]!) { addDocuments(tenantId: $t, documents: $d) { documents { id title } } }', {
      t: tenantId, d: batch.map((d: { title: string; content: string }) => ({ title: d.title, content: d.content })),
    });
    added.addDocuments.documents.forEach((d: { id: string }, j: number) => idOf.set(d.id, batch[j].id));
  }

  let ndcg = 0, mrr = 0, recall = 0;
  const latencies: number[] = [];
  for (const q of queries) {
    const started = performance.now();
    const hits = (await gql('query($t: ID!, $q: String!) { retrievalTest(tenantId: $t, query: $q, first: 10) { documentId } }', { t: tenantId, q: q.query })).retrievalTest;
    latencies.push(performance.now() - started);
    const rank = hits.findIndex((h: { documentId: string }) => idOf.get(h.documentId) === q.relevant);
    if (rank >= 0) {
      ndcg += 1 / Math.log2(rank + 2);
      mrr += 1 / (rank + 1);
      recall += 1;
    }
  }
  const n = queries.length;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1);
  console.log(`StackFAQ through retrievalTest over HTTP: ${docs.length} documents, ${n} queries`);
  console.log(`  nDCG@10   ${(ndcg / n).toFixed(3)}   (BM25 reference ${REFERENCE.ndcg})`);
  console.log(`  MRR@10    ${(mrr / n).toFixed(3)}   (BM25 reference ${REFERENCE.mrr})`);
  console.log(`  Recall@10 ${(recall / n).toFixed(3)}   (BM25 reference ${REFERENCE.recall})`);
  console.log(`  latency per retrievalTest request (ms): p50 ${pct(50)}  p95 ${pct(95)}  p99 ${pct(99)}`);
  await app.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
