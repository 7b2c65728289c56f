import http from 'node:http';
import { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../helpers/app';
import { DAY_MS, TestClock } from '../helpers/clock';
import { AskPasswordResetDocument, PlansDocument, SeedPasswordResetDocument, UpdateTenantDocument } from '../operations/operations.generated';

/** A webhook receiver that fails its first `failures` calls with 500, then records. */
async function receiver(failures: number) {
  const received: any[] = [];
  let calls = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls++;
      if (calls <= failures) return void res.writeHead(500).end();
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, calls: () => calls, close: () => new Promise((r) => server.close(r)) };
}

describe('quota alert webhook', () => {
  let t: TestApp;
  let hook: Awaited<ReturnType<typeof receiver>>;
  beforeAll(async () => {
    hook = await receiver(1);
    t = await startTestApp({ ALERT_WEBHOOK_URL: hook.url });
  });
  afterAll(async () => {
    await t?.close();
    await hook?.close();
  });

  it('POSTs each threshold once, retrying a failing delivery', async () => {
    const a = await t.tenant('BUSINESS');
    await t.gql(UpdateTenantDocument, { id: a.id, input: { quotaOverride: 5 } });
    await t.gql(SeedPasswordResetDocument, { tenantId: a.id });
    for (let i = 0; i < 6; i++) await t.gql(AskPasswordResetDocument, {}, { key: a.key });
    await expect.poll(() => hook.received.length, { timeout: 5_000 }).toBe(2);
    expect(hook.received.map((p) => p.threshold).sort()).toEqual([100, 80]);
    expect(hook.received[0]).toMatchObject({ type: 'quota.threshold', tenantId: a.id, limit: 5 });
    expect(hook.calls()).toBe(3); // one failed attempt, then both delivered
  });
});

describe('a dead webhook', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/nothing-listens-here' });
  });
  afterAll(async () => t?.close());

  it('never fails or slows an ask', async () => {
    const a = await t.tenant('BUSINESS');
    await t.gql(UpdateTenantDocument, { id: a.id, input: { quotaOverride: 2 } });
    await t.gql(SeedPasswordResetDocument, { tenantId: a.id });
    const started = Date.now();
    expect((await t.gql(AskPasswordResetDocument, {}, { key: a.key })).status).toBe(200);
    expect((await t.gql(AskPasswordResetDocument, {}, { key: a.key })).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
    // Alerts are recorded just after the ask returns, off its path.
    await expect.poll(async () => (await t.app.services.alerts.list(a.id)).map((x) => x.threshold).sort()).toEqual([100, 80]);
  });
});

describe('retention', () => {
  let t: TestApp;
  const clock = new TestClock();
  beforeAll(async () => {
    t = await startTestApp({ CONVERSATION_RETENTION_DAYS: '90' }, undefined, { clock });
  });
  afterAll(async () => t?.close());

  it('purges conversations untouched for longer than the retention period, with their messages', async () => {
    const a = await t.tenant('BUSINESS');
    await t.gql(SeedPasswordResetDocument, { tenantId: a.id });
    const start = clock.now();
    const ask = async (conversationId?: string) =>
      (await t.gql(`mutation($c: ID) { ask(input: { question: "How do I reset my password?", conversationId: $c }) { conversationId } }`, { c: conversationId }, { key: a.key })).body.data.ask.conversationId;
    const ids = [await ask(), await ask()];
    // 60 days on, the second conversation gets a follow-up; 31 days later only the first is 91 days untouched.
    clock.advance(60 * DAY_MS);
    await ask(ids[1]);
    clock.advance(31 * DAY_MS);
    expect(await t.app.services.conversations.purge(t.app.services.config.conversationRetentionDays)).toBe(1);
    const left = await t.gql('{ conversations { edges { node { id } } } }', {}, { key: a.key });
    expect(left.body.data.conversations.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids[1]]);
    const [{ n }] = await t.database.dataSource.query('SELECT count(*)::int AS n FROM message WHERE conversation_id = $1', [ids[0]]);
    expect(n).toBe(0);
    // Quota and usage are billing records: retention of conversations doesn't touch them.
    const from = new Date(start - DAY_MS).toISOString();
    const to = new Date(clock.now() + DAY_MS).toISOString();
    const usage = await t.gql(`{ usage(from: "${from}", to: "${to}", granularity: MONTH) { total { succeeded } } }`, {}, { key: a.key });
    expect(usage.body.data.usage.total.succeeded).toBe(3);
  });
});

describe('readiness', () => {
  it('answers /readyz 503 and /status down, naming the database but no error text, when the database is gone', async () => {
    const { openTestDatabase } = await import('../helpers/database');
    const database = await openTestDatabase();
    const t = await startTestApp({}, database);
    const ready = await fetch(`${t.app.server.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'up', retriever: 'up', generator: 'up', limits: 'up' } });
    await database.close();
    const res = await fetch(`${t.app.server.url}/readyz`);
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.status).toBe('unavailable');
    expect(body.checks.database).toBe('down');
    // Up or down only: the reason (hosts, ports, backend messages) is in the server log.
    expect(Object.values(body.checks).every((v) => v === 'up' || v === 'down')).toBe(true);
    const status = await (await fetch(`${t.app.server.url}/status.json`)).json();
    expect(status).toMatchObject({ status: 'down', parts: { database: 'down' } });
    const page = await (await fetch(`${t.app.server.url}/status?lang=en`)).text();
    expect(page).not.toMatch(/failed|ECONNREFUSED|terminat|closed/i);
    expect((await fetch(`${t.app.server.url}/healthz`)).status).toBe(200);
    // A request that needs the database gets a masked error, never a hang or a stack trace.
    const gql = await t.gql(PlansDocument);
    expect(JSON.stringify(gql.body)).not.toMatch(/at .*\.js|ECONNREFUSED|pg/);
    await t.app.close();
  });
});
