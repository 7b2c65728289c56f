import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/database';
import { startTestApp, TestApp } from '../helpers/app';
import { freshDatabaseUrl } from '../helpers/database';
import { AnthropicFake } from '../fakes/anthropic-fake';
import { AddDocumentsDocument } from '../../src/contract/operations.generated';
import { AskPasswordResetDocument, IssueApiKeyDocument, KeyKind, MeDocument, QuotaDocument, UpdateTenantDocument } from '../operations/operations.generated';

const DOC = [{ title: 'Password reset', content: 'To reset your password open the password portal and answer the security questions.' }];

function dayRange() {
  const now = new Date();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { from: from.toISOString(), to: new Date(from.getTime() + 86_400_000).toISOString(), month: from.toISOString().slice(0, 7) };
}

describe('metering on one server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('60 concurrent asks on a quota of 20: exactly 20 succeed, 40 get QUOTA_EXCEEDED (429)', async () => {
    const a = await t.tenant('BUSINESS');
    await t.gql(UpdateTenantDocument, { id: a.id, input: { quotaOverride: 20, rateOverride: 1000 } });
    await t.gql(AddDocumentsDocument, { tenantId: a.id, documents: DOC });
    const results = await Promise.all(Array.from({ length: 60 }, () => t.gql(AskPasswordResetDocument, {}, { key: a.key })));
    const ok = results.filter((r) => r.status === 200 && r.body.data?.ask);
    const refused = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(20);
    expect(refused).toHaveLength(40);
    for (const r of refused) {
      expect(r.body.errors![0].extensions.code).toBe('QUOTA_EXCEEDED');
      expect(new Date(r.body.errors![0].extensions.resetsAt).getUTCDate()).toBe(1);
    }
    const quota = (await t.gql(QuotaDocument, {}, { key: a.key })).body.data.quota;
    expect(quota).toMatchObject({ limit: 20, used: 20, remaining: 0 });
    const { from, to } = dayRange();
    const usage = (await t.gql(`{ usage(from: "${from}", to: "${to}") { total { requests succeeded refused failed } buckets { requests } } }`, {}, { key: a.key })).body.data.usage;
    expect(usage.total).toEqual({ requests: 60, succeeded: 20, refused: 40, failed: 0 });
    expect(usage.buckets).toHaveLength(1);
  });

  it('gives a DEMO tenant 5 asks a minute, then RATE_LIMITED with retryAfter and headers', async () => {
    const a = await t.tenant('DEMO');
    const responses = [];
    for (let i = 0; i < 7; i++) responses.push(await t.gql(AskPasswordResetDocument, {}, { key: a.key }));
    expect(responses.slice(0, 5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(responses[0].headers.get('ratelimit-limit')).toBe('5');
    expect(responses[4].headers.get('ratelimit-remaining')).toBe('0');
    const limited = responses[5];
    expect(limited.status).toBe(429);
    expect(limited.body.errors![0].extensions.code).toBe('RATE_LIMITED');
    expect(limited.body.errors![0].extensions.retryAfter).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBe(limited.body.errors![0].extensions.retryAfter);
    expect(limited.headers.get('ratelimit-reset')).toBeTruthy();
    // Refusals use no quota.
    expect((await t.gql(QuotaDocument, {}, { key: a.key })).body.data.quota.used).toBe(5);
  });

  it('blocks a key that keeps hammering past its limit, until unblockApiKey', async () => {
    const a = await t.tenant('DEMO');
    // DEMO: 5 per minute; more than 3 × 5 = 15 refusals in 10 minutes blocks the key.
    const statuses = [];
    for (let i = 0; i < 22; i++) statuses.push((await t.gql(AskPasswordResetDocument, {}, { key: a.key })).status);
    expect(statuses.slice(0, 5).every((s) => s === 200)).toBe(true);
    const blocked = await t.gql(MeDocument, {}, { key: a.key });
    expect(blocked.status).toBe(403);
    expect(blocked.body.errors![0].extensions.code).toBe('BLOCKED');
    expect(new Date(blocked.body.errors![0].extensions.until).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    const key = (await t.gql(`{ tenant(id: "${a.id}") { keys { id blockedUntil } } }`)).body.data.tenant.keys[0];
    expect(key.blockedUntil).toBeTruthy();
    const events = (await t.gql(`{ abuseEvents(tenantId: "${a.id}") { edges { node { kind apiKeyId } } } }`)).body.data.abuseEvents.edges;
    expect(events.map((e: { node: { kind: string } }) => e.node.kind)).toContain('RATE_HAMMERING_KEY_BLOCKED');
    await t.gql(`mutation { unblockApiKey(id: "${key.id}") { blockedUntil } }`);
    expect((await t.gql(MeDocument, {}, { key: a.key })).status).toBe(200);
  });

  it('blocks an IP that brute-forces keys, whatever key it presents, while others are served', async () => {
    const a = await t.tenant('BUSINESS');
    const attacker = '203.0.113.66';
    for (let i = 0; i < 20; i++) {
      const res = await t.gql(MeDocument, {}, { key: `sk_business_${String(i).padStart(43, 'x')}`, ip: attacker });
      expect(res.status).toBe(401);
    }
    const withGoodKey = await t.gql(MeDocument, {}, { key: a.key, ip: attacker });
    expect(withGoodKey.status).toBe(403);
    expect(withGoodKey.body.errors![0].extensions.code).toBe('BLOCKED');
    expect(withGoodKey.body.errors![0].extensions.until).toBeTruthy();
    expect((await t.gql(MeDocument, {}, { key: a.key, ip: '198.51.100.7' })).status).toBe(200);
    const events = (await t.gql(`{ abuseEvents(first: 50) { totalCount edges { node { kind ip detail } } } }`)).body.data.abuseEvents.edges;
    expect(events.find((e: { node: { kind: string; ip: string } }) => e.node.kind === 'AUTH_FAILURES_IP_BLOCKED' && e.node.ip === attacker)).toBeTruthy();
  });

  it('records a key-sharing event when a key is used from more than 20 IPs in an hour', async () => {
    const a = await t.tenant('BUSINESS');
    for (let i = 1; i <= 22; i++) await t.gql(MeDocument, {}, { key: a.key, ip: `192.0.2.${i}` });
    // The check runs beside the request, not in its path.
    const kinds = async () => (await t.gql(`{ abuseEvents(tenantId: "${a.id}") { edges { node { kind } } } }`)).body.data.abuseEvents.edges.map((e: { node: { kind: string } }) => e.node.kind);
    await expect.poll(kinds).toEqual(['KEY_SHARING']);
    expect((await t.gql(MeDocument, {}, { key: a.key, ip: '192.0.2.99' })).status).toBe(200);
  });

  it('reports usage by day and month, summarises tenants and invoices to the cent', async () => {
    const a = await t.tenant('BUSINESS');
    // Three publishable keys (two beyond the first are billed) and a second secret key (free).
    for (const name of ['widget', 'kiosk', 'package']) await t.gql(IssueApiKeyDocument, { tenantId: a.id, name, kind: KeyKind.Publishable });
    await t.gql(IssueApiKeyDocument, { tenantId: a.id, name: 'it team' });
    await t.gql(AddDocumentsDocument, { tenantId: a.id, documents: Array.from({ length: 12 }, (_, i) => ({ title: `Doc ${i}`, content: `Procedure number ${i} for the printers.` })) });
    for (let i = 0; i < 3; i++) expect((await t.gql(AskPasswordResetDocument, {}, { key: a.key })).status).toBe(200);
    await t.gql(`mutation { ask(input: { question: "" }) { answer } }`, {}, { key: a.key });
    const { from, to, month } = dayRange();
    const monthStart = `${month}-01T00:00:00.000Z`;
    const report = (await t.gql(`{ tenantUsage(tenantId: "${a.id}", from: "${monthStart}", to: "${to}", granularity: MONTH) { buckets { start requests succeeded refused } total { requests succeeded refused failed } } }`)).body.data.tenantUsage;
    expect(report.total).toEqual({ requests: 4, succeeded: 3, refused: 1, failed: 0 });
    expect(report.buckets).toEqual([{ start: monthStart, requests: 4, succeeded: 3, refused: 1 }]);
    const daily = (await t.gql(`{ tenantUsage(tenantId: "${a.id}", from: "${from}", to: "${to}") { buckets { requests } } }`)).body.data.tenantUsage;
    expect(daily.buckets).toEqual([{ requests: 4 }]);
    const summary = (await t.gql(`{ usageSummary(month: "${month}") { tenant { id } requests succeeded refused } }`)).body.data.usageSummary;
    expect(summary.find((r: { tenant: { id: string } }) => r.tenant.id === a.id)).toMatchObject({ requests: 4, succeeded: 3, refused: 1 });

    const invoice = (await t.gql(`{ invoice(tenantId: "${a.id}", month: "${month}") { month currency subtotalCents vatCents totalCents lines { description quantity unitCents amountCents } } }`)).body.data.invoice;
    // BUSINESS 299.00 € + 2 extra publishable keys × 50.00 € + 2 started lots of 10 documents × 150.00 € = 699.00 €; VAT 20 %.
    expect(invoice.lines.map((l: { quantity: number; unitCents: number; amountCents: number }) => [l.quantity, l.unitCents, l.amountCents])).toEqual([
      [1, 29900, 29900], [2, 5000, 10000], [2, 15000, 30000],
    ]);
    expect(invoice).toMatchObject({ currency: 'EUR', subtotalCents: 69900, vatCents: 13980, totalCents: 83880 });
    const bad = await t.gql(`{ invoice(tenantId: "${a.id}", month: "2026-13") { totalCents } }`);
    expect(bad.body.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'month' });
  });

  it('records each quota threshold once per month', async () => {
    const a = await t.tenant('BUSINESS');
    await t.gql(UpdateTenantDocument, { id: a.id, input: { quotaOverride: 5 } });
    await Promise.all(Array.from({ length: 8 }, () => t.gql(AskPasswordResetDocument, {}, { key: a.key })));
    await expect.poll(async () => (await t.app.services.alerts.list(a.id)).map((x) => x.threshold).sort()).toEqual([100, 80]);
  });
});

describe('a generator failure', () => {
  let t: TestApp;
  let fake: AnthropicFake;
  beforeAll(async () => {
    fake = new AnthropicFake();
    t = await startTestApp({ ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: await fake.start(), GENERATION_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('leaves the quota unchanged and shows in usage as failed', async () => {
    const a = await t.tenant('STARTER');
    await t.gql(AddDocumentsDocument, { tenantId: a.id, documents: DOC });
    fake.setBehaviour({ kind: 'http-error', status: 500 });
    const res = await t.gql(AskPasswordResetDocument, {}, { key: a.key });
    expect(res.status).toBe(503);
    expect((await t.gql(QuotaDocument, {}, { key: a.key })).body.data.quota.used).toBe(0);
    const { from, to } = dayRange();
    const usage = (await t.gql(`{ usage(from: "${from}", to: "${to}") { total { requests failed succeeded } } }`, {}, { key: a.key })).body.data.usage;
    expect(usage.total).toEqual({ requests: 1, failed: 1, succeeded: 0 });
  });
});

// Two server instances, each with its own connection pool, key cache and limiter client, sharing one PostgreSQL
// server and one Redis, as two processes would. Needs the servers, so it runs in CI's service-backed pass.
const shared = process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL;
describe.skipIf(!shared)('metering across two server instances sharing PostgreSQL and Redis', () => {
  let one: TestApp;
  let two: TestApp;
  beforeAll(async () => {
    const url = await freshDatabaseUrl();
    const prefix = `two-${Date.now()}:`;
    const env = { REDIS_PREFIX: prefix };
    one = await startTestApp(env, await openDatabase({ url, dataDir: null }));
    two = await startTestApp(env, await openDatabase({ url, dataDir: null }));
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await one?.database.close();
    await two?.database.close();
  });

  it('still gives exactly 20 of 60 concurrent asks on a quota of 20', async () => {
    const a = await one.tenant('BUSINESS');
    await one.gql(UpdateTenantDocument, { id: a.id, input: { quotaOverride: 20, rateOverride: 1000 } });
    await one.gql(AddDocumentsDocument, { tenantId: a.id, documents: DOC });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).gql(AskPasswordResetDocument, {}, { key: a.key })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(20);
    expect(results.filter((r) => r.status === 429 && r.body.errors![0].extensions.code === 'QUOTA_EXCEEDED')).toHaveLength(40);
  });

  it("keeps visitors' days and the month exact when both instances batch visitors' and the IT team's asks together", async () => {
    const a = await one.tenant('BUSINESS');
    await one.gql(UpdateTenantDocument, { id: a.id, input: { quotaOverride: 20, rateOverride: 1000, visitorAsksPerDay: 3 } });
    await one.gql(AddDocumentsDocument, { tenantId: a.id, documents: DOC });
    const pk = (await one.gql(IssueApiKeyDocument, { tenantId: a.id, name: 'widget', kind: KeyKind.Publishable })).body.data.issueApiKey.secret;
    const visitors = Array.from({ length: 4 }, (_, v) => `visitor-two-instances-${v}000`);
    // Each visitor asks 5 times, over both instances, among 16 asks of the IT team: 36 asks for a month of 20.
    const who = Array.from({ length: 36 }, (_, i) => (i % 9 < 5 ? visitors[Math.floor(i / 9)] : null));
    const results = await Promise.all(who.map((v, i) => (i % 2 ? one : two).gql(AskPasswordResetDocument, {}, v ? { key: pk, headers: { 'x-askdesk-visitor': v } } : { key: a.key })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(20);
    expect(results.filter((r) => r.status === 429 && r.body.errors![0].extensions.code === 'QUOTA_EXCEEDED')).toHaveLength(16);
    const days: { visitor_id: string; used: number }[] = await one.database.dataSource.query('SELECT visitor_id, used FROM visitor_ask_counter WHERE tenant_id = $1', [a.id]);
    for (const v of visitors) {
      const answered = results.filter((r, i) => who[i] === v && r.status === 200).length;
      expect(answered).toBeLessThanOrEqual(3);
      expect(days.find((d) => d.visitor_id === v)?.used ?? 0).toBe(answered);
    }
    expect((await one.gql(QuotaDocument, {}, { key: a.key })).body.data.quota.used).toBe(20);
  });

  it('allows a DEMO tenant 5 asks a minute in total, not 5 per instance', async () => {
    const a = await one.tenant('DEMO');
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? one : two).gql(AskPasswordResetDocument, {}, { key: a.key })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429 && r.body.errors![0].extensions.code === 'RATE_LIMITED')).toHaveLength(7);
  });

  it('shares IP blocks between instances', async () => {
    const a = await one.tenant('BUSINESS');
    const ip = '203.0.113.99';
    for (let i = 0; i < 20; i++) await (i % 2 ? one : two).gql(MeDocument, {}, { key: `sk_business_${String(i).padStart(43, 'y')}`, ip });
    expect((await one.gql(MeDocument, {}, { key: a.key, ip })).status).toBe(403);
    expect((await two.gql(MeDocument, {}, { key: a.key, ip })).status).toBe(403);
  });
});
