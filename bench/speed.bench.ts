import 'reflect-metadata';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startApp, type App } from '../src/app';
import { parseConfig } from '../src/config';
import { machine, median, pct, report, Row } from './report';
import { scratchDatabase } from '../tests/helpers/database';
import { SyntheticCorpus } from './synthetic-corpus';
import { BUCKETS, loadUserQuestions, sampleBucket, type Bucket } from './user-questions';

/**
 * `npm run bench:speed` (also run by `npm run bench`): the speed figures and their targets — retrieval latency at 1k, 10k and
 * 100k chunks, ingestion rate, data directory size, `npm start` to /healthz (fresh and existing data directory) and
 * idle RSS — printed as a table against their targets and written to bench/results/speed.json.
 *
 * Retrieval is timed on questions as users ask them, by length bucket (≤ 8, 9–30, > 30 words): the synthetic
 * corpus's own questions, whose lengths are drawn from the real sets' (DellQA, StackFAQ, the French set) and whose
 * words come from the corpus vocabulary at its frequencies; and the real question texts themselves, which share
 * the corpus's common IT words but few of its rare ones (bench/user-questions.ts).
 *
 *   BENCH_SCALE=1k,10k,100k   corpus sizes to run (default 1k,10k; 100k takes minutes)
 *   BENCH_DATABASE_URL=…       also run the corpus sizes on a PostgreSQL server (a scratch database is created)
 *   BENCH_QUERIES=300          synthetic searches timed per length bucket and corpus size
 *   BENCH_REAL_QUERIES=100     real question texts timed per length bucket and corpus size
 *   BENCH_EVAL_DIR=…           where dellqa-dev/ and stackfaq/ are (default: the eval folder beside the checkout)
 *   BENCH_STARTS=3             start-ups timed (fresh and existing each); the median is reported; 0 skips them
 *
 * Everything is driven through the real code: documents go through DocumentService (chunker, analyzer, one
 * indexing statement per document), searches through the tenant's Retriever, start-up through `node dist/src/main.js`.
 */
const ADMIN = `sk_admin_${'S'.repeat(43)}`;
const SCALES = (process.env.BENCH_SCALE ?? '1k,10k').split(',').map((s) => s.trim()).filter(Boolean);
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? '';
const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
const REAL_QUERIES = Number(process.env.BENCH_REAL_QUERIES ?? 100);
const EVAL_DIR = process.env.BENCH_EVAL_DIR ?? path.resolve(__dirname, '../../../shared/eval');
const USER = loadUserQuestions(EVAL_DIR);
const STARTS = Number(process.env.BENCH_STARTS ?? 3);
const IDLE_MS = 3000;
const DOCS_PER_CALL = 100;
const MAIN = path.resolve(__dirname, '../src/main.js');

const rows: Row[] = [];
const details: Record<string, unknown> = {};


function sizeOf(target: string): number {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  return fs.readdirSync(target).reduce((sum, entry) => sum + sizeOf(path.join(target, entry)), 0);
}

function chunkCount(scale: string): number {
  const m = /^(\d+)(k?)$/i.exec(scale);
  if (!m) throw new Error(`BENCH_SCALE: "${scale}" is not a size like 1k, 10k, 100k or 2500`);
  return Number(m[1]) * (m[2] ? 1000 : 1);
}

async function createTenant(app: App): Promise<string> {
  const res = await fetch(`${app.server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({ query: 'mutation { createTenant(input: { name: "Speed", contactEmail: "s@example.org", plan: ENTERPRISE }) { tenant { id } } }' }),
  });
  const json = (await res.json()) as { data?: { createTenant: { tenant: { id: string } } }; errors?: unknown };
  if (!json.data) throw new Error(`createTenant failed: ${JSON.stringify(json.errors)}`);
  return json.data.createTenant.tenant.id;
}

/** Ingests until the tenant holds `target` chunks, times searches, and measures what the data takes on disk. */
async function corpusRun(backend: 'embedded' | 'server', scale: string): Promise<void> {
  const target = chunkCount(scale);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-speed-'));
  const scratch = backend === 'server' ? await scratchDatabase(SERVER_URL, 'bench') : null;
  const app = await startApp(
    parseConfig({ PORT: '0', DATA_DIR: dataDir, ADMIN_API_KEY: ADMIN, LOG_LEVEL: 'silent', DATABASE_URL: scratch?.url ?? '' }),
    { host: '127.0.0.1' },
  );
  const label = `${backend} ${scale}`;
  try {
    const tenantId = await createTenant(app);
    const corpus = new SyntheticCorpus(1);

    let chunks = 0;
    let docs = 0;
    const t0 = performance.now();
    while (chunks < target) {
      const batch = Array.from({ length: DOCS_PER_CALL }, (_, i) => corpus.document(docs + i));
      docs += batch.length;
      chunks += (await app.services.documents.add(null, await app.services.tenants.scope(tenantId), batch)).chunkCount;
      if (process.stdout.isTTY) process.stdout.write(`\r${label}: ${chunks} chunks`);
    }
    const ingestSeconds = (performance.now() - t0) / 1000;
    if (process.stdout.isTTY) process.stdout.write('\n');
    rows.push({ figure: `ingestion, ${backend} (${scale})`, measured: chunks / ingestSeconds, unit: 'chunks/s', target: backend === 'server' ? 1000 : 500, atMost: false });

    const retriever = app.services.index.forTenant(tenantId);
    // Per bucket, the synthetic questions (lengths of real ones, words of the corpus) and the real texts.
    const timed = BUCKETS.map((bucket, b) => ({
      bucket,
      synthetic: sampleBucket(USER.questions, bucket, QUERIES, 100 + b).map((q, i) => corpus.userQuestion(b * 1_000_000 + i, q.words)),
      real: sampleBucket(USER.questions, bucket, REAL_QUERIES, 200 + b).map((q) => q.text),
    }));
    // The first search loads the tenant's in-memory index (tenant-index-cache.ts): timed apart, as a process pays it
    // once per tenant after it starts.
    const l0 = performance.now();
    await retriever.search(corpus.userQuestion(2_999_999, 8), 5);
    const firstSearchMs = performance.now() - l0;
    for (let i = 0; i < 20; i++) await retriever.search(corpus.userQuestion(3_000_000 + i, 5 + i * 4), 5);
    const latencies = timed.map(() => ({ synthetic: [] as number[], real: [] as number[] }));
    // Interleaved across buckets and kinds, so a change in the machine's load falls on all of them alike.
    for (let i = 0; i < Math.max(QUERIES, REAL_QUERIES); i++) {
      for (const [b, t] of timed.entries()) {
        for (const kind of ['synthetic', 'real'] as const) {
          const question = t[kind][i];
          if (question === undefined) continue;
          const q0 = performance.now();
          await retriever.search(question, 5);
          latencies[b][kind].push(performance.now() - q0);
        }
      }
    }
    const big = target >= 100_000;
    const figures: Record<string, unknown> = {};
    for (const [b, { bucket }] of timed.entries()) {
      for (const kind of ['synthetic', 'real'] as const) {
        const sorted = latencies[b][kind].sort((x, y) => x - y);
        if (sorted.length === 0) continue;
        latencyRows(`${backend} (${scale}), ${kind === 'real' ? 'real question texts' : 'corpus questions'}, ${bucket.name}`, sorted, big);
        figures[`${kind} ${bucket.name}`] = { count: sorted.length, p50: pct(sorted, 50), p90: pct(sorted, 90), p99: pct(sorted, 99), max: sorted[sorted.length - 1] };
      }
    }

    const tables = await app.database.dataSource.query(
      `SELECT relname AS name, pg_total_relation_size(c.oid)::float8 AS bytes FROM pg_class c
       WHERE relname IN ('chunk', 'document') ORDER BY bytes DESC`,
    );
    // A posting is one distinct term of one chunk: what the in-memory index holds (tenant-index.ts).
    const [{ postings }] = await app.database.dataSource.query(`SELECT coalesce(sum(cardinality(string_to_array(terms, ' '))), 0)::float8 AS postings FROM chunk`);
    // The process's heap with the tenant's in-memory index loaded (after a collection, where --expose-gc allows one).
    (globalThis as { gc?: () => void }).gc?.();
    const heapBytes = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const [{ db }] = await app.database.dataSource.query(`SELECT pg_database_size(current_database())::float8 AS db`);
    details[label] = {
      chunks, documents: docs, ingestSeconds, postings,
      latencyMs: figures,
      firstSearchMs,
      heapBytes,
      tables: Object.fromEntries(tables.map((t: { name: string; bytes: number }) => [t.name, Number(t.bytes)])),
      databaseBytes: Number(db),
    };
  } finally {
    await app.close();
    await scratch?.drop();
  }
  if (backend === 'embedded') {
    const bytes = sizeOf(dataDir);
    // The WAL a checkpoint leaves (src/pglite.ts) apart from the tables, so a change in either shows.
    Object.assign(details[label] as Record<string, unknown>, { dataDirBytes: bytes, walBytes: sizeOf(path.join(dataDir, 'pgdata', 'pg_wal')) });
    if (target === 10_000 || target === 100_000) {
      rows.push({ figure: `data directory (${scale})`, measured: bytes / 1e6, unit: 'MB', target: target === 10_000 ? 120 : 900, atMost: true });
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** Retrieval targets: p50 ≤ 10 ms and p99 ≤ 50 ms up to 10k chunks, ≤ 20 and ≤ 100 ms at 100k. */
function latencyRows(label: string, sorted: number[], big: boolean): void {
  rows.push({ figure: `retrieval p50, ${label}`, measured: pct(sorted, 50), unit: 'ms', target: big ? 20 : 10, atMost: true });
  rows.push({ figure: `retrieval p99, ${label}`, measured: pct(sorted, 99), unit: 'ms', target: big ? 100 : 50, atMost: true });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Spawns `node dist/src/main.js`, times it to the first 200 from /healthz, then reads its RSS once idle. */
async function startOnce(dataDir: string): Promise<{ ms: number; rssMb: number }> {
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), DATA_DIR: dataDir, ADMIN_API_KEY: ADMIN, LOG_LEVEL: 'warn', DATABASE_URL: '', REDIS_URL: '', WEAVIATE_URL: '', ANTHROPIC_API_KEY: '' };
  const t0 = performance.now();
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ms = 0;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`main.js exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return { ms, rssMb: rssKb / 1024 };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function startRuns(): Promise<void> {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build`);
  const fresh: { ms: number; rssMb: number }[] = [];
  const existing: { ms: number; rssMb: number }[] = [];
  for (let i = 0; i < STARTS; i++) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-start-'));
    try {
      fresh.push(await startOnce(dataDir));
      existing.push(await startOnce(dataDir));
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  details.startups = { fresh, existing };
  rows.push({ figure: 'npm start → /healthz, fresh data dir', measured: median(fresh.map((r) => r.ms)) / 1000, unit: 's', target: 5, atMost: true });
  rows.push({ figure: 'npm start → /healthz, existing data dir', measured: median(existing.map((r) => r.ms)) / 1000, unit: 's', target: 2, atMost: true });
  rows.push({ figure: 'idle RSS after a fresh start, embedded', measured: median(fresh.map((r) => r.rssMb)), unit: 'MB', target: 250, atMost: true });
  rows.push({ figure: 'idle RSS, existing data dir, embedded', measured: median(existing.map((r) => r.rssMb)), unit: 'MB', target: 250, atMost: true });
}

async function main() {
  const started = machine();
  for (const file of USER.missing) console.log(`user questions: ${file} is missing, its questions are left out (BENCH_EVAL_DIR)`);
  details.userQuestions = Object.fromEntries(BUCKETS.map((bucket: Bucket) => [bucket.name, USER.questions.filter((q) => q.words >= bucket.min && q.words <= bucket.max).length]));
  for (const scale of SCALES) {
    await corpusRun('embedded', scale);
    if (SERVER_URL) await corpusRun('server', scale);
  }
  if (STARTS > 0) await startRuns();
  report('speed', started, rows, details);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
