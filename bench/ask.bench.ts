import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { startApp } from '../src/app';
import { parseConfig } from '../src/config';
import { HOSPITAL_A_DOCS } from '../tests/helpers/corpus';

/**
 * `npm run bench`: latency of our `ask` (key check, rate window, quota reservation, retrieval, offline answer,
 * conversation write, usage record) against a bare Apollo Server answering a constant, both started here and
 * driven the same way, so the ratio holds on any machine. Bounded: a fixed number of requests on loopback.
 */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ADMIN = `sk_admin_${'B'.repeat(43)}`;
// BENCH_DATABASE_URL runs the same path on a PostgreSQL server instead of the embedded database.
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? '';

async function drive(url: string, headers: Record<string, string>, body: string): Promise<{ latencies: number[]; seconds: number; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < REQUESTS) {
      next++;
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const json = (await res.json()) as { errors?: unknown };
      if (res.status !== 200 || json.errors) errors++;
      latencies.push(performance.now() - t0);
    }
  }));
  return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000, errors };
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main() {
  const bare = new ApolloServer({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } });
  const { url: bareUrl } = await startStandaloneServer(bare, { listen: { port: 0, host: '127.0.0.1' } });

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-bench-'));
  const app = await startApp(parseConfig({ PORT: '0', DATA_DIR: tmp, ADMIN_API_KEY: ADMIN, LOG_LEVEL: 'silent', DATABASE_URL }), { host: '127.0.0.1' });
  const gqlUrl = `${app.server.url}/graphql`;
  const admin = async (query: string, variables: object = {}) =>
    ((await (await fetch(gqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ query, variables }) })).json()) as { data: any }).data;
  const created = await admin('mutation { createTenant(input: { name: "Bench", contactEmail: "b@example.org", plan: ENTERPRISE }) { tenant { id } apiKey { secret } } }');
  const tenantId = created.createTenant.tenant.id;
  await admin(`mutation { updateTenant(id: "${tenantId}", input: { rateOverride: 1000000 }) { id } }`);
  await admin('mutation($t: ID!, $d: [DocumentInput!]!) { addDocuments(tenantId: $t, documents: $d) { chunkCount } }', { t: tenantId, d: HOSPITAL_A_DOCS });

  const askBody = JSON.stringify({ query: 'mutation { ask(input: { question: "How do I connect to the VPN from home?" }) { answer grounded citations { title } quota { used } } }' });
  // Warm both paths (JIT, connection pools) before measuring.
  await drive(bareUrl, {}, JSON.stringify({ query: '{ hello }' }));
  await drive(gqlUrl, { authorization: `Bearer ${created.createTenant.apiKey.secret}` }, askBody);
  const baseline = await drive(bareUrl, {}, JSON.stringify({ query: '{ hello }' }));
  const ask = await drive(gqlUrl, { authorization: `Bearer ${created.createTenant.apiKey.secret}` }, askBody);

  const row = (name: string, r: typeof ask) =>
    `${name.padEnd(34)} p50 ${pct(r.latencies, 50).toFixed(2).padStart(7)} ms  p95 ${pct(r.latencies, 95).toFixed(2).padStart(7)} ms  p99 ${pct(r.latencies, 99).toFixed(2).padStart(7)} ms  ${(REQUESTS / r.seconds).toFixed(0).padStart(6)} req/s  errors ${r.errors}`;
  console.log(`${REQUESTS} requests, concurrency ${CONCURRENCY}, ${os.cpus().length} cores, node ${process.version}`);
  console.log(row('bare Apollo Server (constant)', baseline));
  console.log(row(DATABASE_URL ? 'ask (PostgreSQL server)' : 'ask (embedded defaults)', ask));
  console.log(`ratio ask / bare: p50 ×${(pct(ask.latencies, 50) / pct(baseline.latencies, 50)).toFixed(1)}  p99 ×${(pct(ask.latencies, 99) / pct(baseline.latencies, 99)).toFixed(1)}  throughput ×${((REQUESTS / baseline.seconds) / (REQUESTS / ask.seconds)).toFixed(1)} lower`);

  await app.close();
  await bare.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
