import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { print, type DocumentNode } from 'graphql';
import { ADMIN_KEY } from '../helpers/app';
import { build, launch, ROOT, ServerProcess } from '../helpers/server-process';
import { freshDatabaseUrl } from '../helpers/database';
import { AnthropicFake } from '../fakes/anthropic-fake';
import { AddDocumentsDocument } from '../../src/contract/operations.generated';
import { AskPasswordResetDocument, CreateTenantDocument, UpdateTenantDocument, type PlanCode, type UpdateTenantInput } from '../operations/operations.generated';

/**
 * Real server processes (`node dist/src/main.js`, as deployed) sharing one PostgreSQL server and one Redis: the
 * contract's "however many server processes" case. They start together on a fresh database, so the migration
 * lock is exercised too. Needs the servers, so it runs in CI's service-backed pass. The crash test of the
 * embedded database needs nothing and always runs.
 */
const shared = process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL;

/** One operation to one process: a generated document, or a string for a one-off selection. */
async function gql(server: ServerProcess, operation: string | DocumentNode, key: string, ip = '10.9.0.1', variables: Record<string, unknown> = {}) {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-forwarded-for': ip },
    body: JSON.stringify({ query: typeof operation === 'string' ? operation : print(operation), variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: { extensions: Record<string, unknown> }[] } };
}

async function tenant(server: ServerProcess, plan: PlanCode, overrides: UpdateTenantInput | null = null) {
  const admin = (operation: DocumentNode, variables: Record<string, unknown>) => gql(server, operation, ADMIN_KEY, undefined, variables);
  const created = await admin(CreateTenantDocument, { input: { name: `Proc ${Math.random()}`, contactEmail: 'p@example.org', plan } });
  const { tenant: t, apiKey } = created.body.data.createTenant;
  if (overrides) await admin(UpdateTenantDocument, { id: t.id, input: overrides });
  await admin(AddDocumentsDocument, { tenantId: t.id, documents: [{ title: 'Password reset', content: 'To reset your password open the password portal and answer the security questions.' }] });
  return { id: t.id as string, key: apiKey.secret as string };
}

async function kill(server: ServerProcess): Promise<void> {
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGKILL');
  await exited;
}

describe('the embedded database after a crash', () => {
  const processes: ServerProcess[] = [];
  afterAll(() => processes.forEach((p) => p.child.kill('SIGKILL')));

  it('keeps every answered request when the server is killed with SIGKILL', async () => {
    build();
    const env = {
      PORT: '0', ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'warn', DATABASE_URL: '', REDIS_URL: '',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-crash-')),
    };
    const first = await launch(env, processes);
    const a = await tenant(first, 'STARTER');
    for (let i = 0; i < 3; i++) expect((await gql(first, AskPasswordResetDocument, a.key)).status).toBe(200);
    await kill(first);
    const second = await launch(env, processes);
    const after = await gql(second, '{ quota { used } me { documentCount } conversations { totalCount } }', a.key);
    expect(after.body.data).toEqual({ quota: { used: 3 }, me: { documentCount: 1 }, conversations: { totalCount: 3 } });
  }, 180_000);
});

describe.skipIf(!shared)('several server processes sharing PostgreSQL and Redis', () => {
  let env: Record<string, string>;
  const processes: ServerProcess[] = [];

  beforeAll(async () => {
    build();
    env = {
      PORT: '0',
      DATABASE_URL: (await freshDatabaseUrl())!,
      REDIS_URL: process.env.TEST_REDIS_URL!,
      REDIS_PREFIX: `procs-${Date.now()}:`,
      ADMIN_API_KEY: ADMIN_KEY,
      KEY_PEPPER: 'shared-pepper-for-all-processes',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-procs-')),
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'warn',
    };
    await Promise.all([launch(env, processes), launch(env, processes)]);
  }, 120_000);

  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
  });

  it('gives exactly 20 of 60 concurrent asks on a quota of 20, across both processes', async () => {
    const [one, two] = processes;
    const a = await tenant(one, 'BUSINESS', { quotaOverride: 20, rateOverride: 1000 });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => gql(i % 2 ? one : two, AskPasswordResetDocument, a.key)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(20);
    expect(results.filter((r) => r.status === 429 && r.body.errors![0].extensions.code === 'QUOTA_EXCEEDED')).toHaveLength(40);
    expect((await gql(two, '{ quota { used remaining } }', a.key)).body.data.quota).toEqual({ used: 20, remaining: 0 });
  });

  it('allows a DEMO tenant 5 asks a minute in total, not 5 per process', async () => {
    const [one, two] = processes;
    const a = await tenant(two, 'DEMO');
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => gql(i % 2 ? one : two, AskPasswordResetDocument, a.key)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429 && r.body.errors![0].extensions.code === 'RATE_LIMITED')).toHaveLength(7);
  });

  it('shares IP blocks: failures spread over both processes block the IP on both', async () => {
    const [one, two] = processes;
    const a = await tenant(one, 'BUSINESS');
    const ip = '203.0.113.77';
    for (let i = 0; i < 20; i++) await gql(i % 2 ? one : two, '{ me { id } }', `sk_business_${String(i).padStart(43, 'z')}`, ip);
    expect((await gql(one, '{ me { id } }', a.key, ip)).status).toBe(403);
    expect((await gql(two, '{ me { id } }', a.key, ip)).status).toBe(403);
    expect((await gql(two, '{ me { id } }', a.key, '198.51.100.20')).status).toBe(200);
  });

  it('loses nothing accepted when a process is killed: a new process serves the same tenants and counts', async () => {
    const [one] = processes;
    const a = await tenant(one, 'STARTER');
    for (let i = 0; i < 3; i++) expect((await gql(one, AskPasswordResetDocument, a.key)).status).toBe(200);
    await kill(one);
    const three = await launch(env, processes);
    const quota = await gql(three, '{ quota { used } me { documentCount } }', a.key);
    expect(quota.body.data).toEqual({ quota: { used: 3 }, me: { documentCount: 1 } });
    expect((await gql(three, AskPasswordResetDocument, a.key)).status).toBe(200);
  });
});

describe.skipIf(!shared)('a process killed with asks in flight', () => {
  const processes: ServerProcess[] = [];
  const fake = new AnthropicFake();
  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await fake.close();
  });

  it('charges only answers that were sent, and ends every started ask in usage (ERROR) once another process reclaims it', async () => {
    build();
    const baseURL = await fake.start();
    // Slow answers, so the asks are mid-generation at the kill; short time-outs, so leases expire within the test.
    fake.setBehaviour({ kind: 'slow', delayMs: 300, text: 'Open the password portal and answer the security questions.' });
    const env = {
      PORT: '0', DATABASE_URL: (await freshDatabaseUrl())!, REDIS_URL: process.env.TEST_REDIS_URL!, REDIS_PREFIX: `kill-${Date.now()}:`,
      ADMIN_API_KEY: ADMIN_KEY, KEY_PEPPER: 'shared-pepper-for-all-processes', LOG_LEVEL: 'warn', TRUST_PROXY: 'true',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-kill-')),
      ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: baseURL, ANTHROPIC_MODEL: 'test-model',
      GENERATION_TIMEOUT_MS: '3000', RETRIEVAL_TIMEOUT_MS: '1000',
    };
    const first = await launch(env, processes);
    const a = await tenant(first, 'BUSINESS', { rateOverride: 1000 });
    const inFlight = Array.from({ length: 10 }, () => gql(first, AskPasswordResetDocument, a.key).then((r) => r.status, () => 'cut'));
    // Kill once all ten are under way: each holds its quota lease and is waiting on the slow answer.
    const db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    await expect.poll(async () => (await db.query('SELECT count(*)::int AS n FROM quota_lease')).rows[0].n, { timeout: 20_000 }).toBe(10);
    await kill(first);
    const statuses = await Promise.all(inFlight);
    const answered = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s === 'cut').length).toBeGreaterThan(0);

    const second = await launch(env, processes);
    const window = `from: "${new Date(Date.now() - 86_400_000).toISOString()}", to: "${new Date(Date.now() + 86_400_000).toISOString()}"`;
    // Leases last 2 × (1 s + 3 s) + 5 s; the new process reclaims them on its next sweep.
    await expect.poll(async () => (await gql(second, `{ usage(${window}) { total { requests succeeded failed } } }`, a.key)).body.data.usage.total, { timeout: 45_000, interval: 1_000 })
      .toEqual({ requests: 10, succeeded: answered, failed: 10 - answered });
    expect((await gql(second, '{ quota { used } }', a.key)).body.data.quota.used).toBe(answered);
    expect((await db.query('SELECT count(*)::int AS n FROM quota_lease')).rows[0].n).toBe(0);
    await db.end();
  }, 120_000);
});
