import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/database';
import { startTestApp, TestApp } from '../helpers/app';
import { QuotaDocument } from '../operations/operations.generated';

/**
 * A PostgreSQL server of the test's own, stopped and started again under the app's feet: while it is down every
 * request that needs it answers 503 UPSTREAM_UNAVAILABLE with Retry-After (never a 500), and once it is back the
 * same process serves again without a restart. Needs Debian's PostgreSQL 15 and root (to run it as `postgres`).
 */
const PGBIN = '/usr/lib/postgresql/15/bin';
const runnable = fs.existsSync(`${PGBIN}/initdb`) && process.getuid?.() === 0;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(!runnable)('a PostgreSQL outage', () => {
  let t: TestApp;
  let dataDir: string;
  let port: number;
  const pgctl = (...args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', `${PGBIN}/pg_ctl`, '-D', dataDir, ...args], { stdio: 'ignore' });
  const start = () => pgctl('-l', path.join(dataDir, 'log'), '-w', 'start', '-o', `-p ${port} -k /tmp -c listen_addresses=127.0.0.1`);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-outage-'));
    fs.chownSync(dataDir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    execFileSync('runuser', ['-u', 'postgres', '--', `${PGBIN}/initdb`, '-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], { stdio: 'ignore' });
    port = await freePort();
    start();
    const database = await openDatabase({ url: `postgres://postgres@127.0.0.1:${port}/postgres`, dataDir: null });
    t = await startTestApp({ KEY_CACHE_TTL_MS: '0' }, database);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await t?.database.close().catch(() => undefined);
    try {
      pgctl('-m', 'immediate', 'stop');
    } catch {
      // already stopped
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 UPSTREAM_UNAVAILABLE with Retry-After while it is down, and recovers without a restart', async () => {
    const a = await t.tenant('BUSINESS');
    await t.gql(`mutation($t: ID!) { addDocuments(tenantId: $t, documents: [{ title: "VPN", content: "Install GlobalProtect and sign in." }]) { chunkCount } }`, { t: a.id });
    const ASK = `mutation { ask(input: { question: "How do I install the VPN?" }) { answer } }`;
    expect((await t.gql(ASK, {}, { key: a.key })).status).toBe(200);

    pgctl('-m', 'fast', '-w', 'stop');
    const during = await Promise.all([
      ...Array.from({ length: 10 }, () => t.gql(ASK, {}, { key: a.key })),
      t.gql('{ me { id } quota { used } }', {}, { key: a.key }),
      t.gql(`{ tenants { totalCount } }`),
    ]);
    for (const res of during) {
      expect(res.status).toBe(503);
      expect(res.body.errors![0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // The process itself is fine, and says what is missing.
    expect((await fetch(t.url.replace('/graphql', '/healthz'))).status).toBe(200);
    expect((await fetch(t.url.replace('/graphql', '/readyz'))).status).toBe(503);

    start();
    await expect.poll(async () => (await t.gql(ASK, {}, { key: a.key })).status, { timeout: 30_000, interval: 500 }).toBe(200);
    // Nothing the outage refused was charged: one ask before, one after.
    expect((await t.gql(QuotaDocument, {}, { key: a.key })).body.data.quota.used).toBe(2);
  }, 120_000);
});
