import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../helpers/app';
import { ManualClock } from '../helpers/manual-clock';
import { leaseMs } from '../../src/services/registry';
import { countStatements } from '../helpers/statements';

/**
 * The visitor cap (`visitorAsksPerDay`): one visitor of a publishable key gets at most that many answers in a UTC
 * day, exactly, however many asks arrive at once; over it, 429 QUOTA_EXCEEDED with scope VISITOR and the next
 * midnight UTC. Refused asks use neither the visitor's day nor the tenant's month.
 */

const ASK = `mutation { ask(input: { question: "How do I reset my password?" }) { answer quota { used } } }`;
const DOC = [{ title: 'Password reset', content: 'To reset your password open the password portal and answer the security questions.' }];
const V = 'visitor-valentine-00000001';
const W = 'visitor-william-0000000002';

describe('visitor cap', () => {
  let t: TestApp;
  // 2026-11-02 09:00 UTC: the day ends at 2026-11-03 00:00 UTC.
  const clock = new ManualClock();

  const tenantWithCap = async (input: Record<string, unknown>) => {
    const a = await t.tenant('BUSINESS');
    await t.gql(`mutation($id: ID!, $i: UpdateTenantInput!) { updateTenant(id: $id, input: $i) { id } }`, { id: a.id, i: { rateOverride: 1000, ...input } });
    await t.gql(`mutation($t: ID!, $d: [DocumentInput!]!) { addDocuments(tenantId: $t, documents: $d) { chunkCount } }`, { t: a.id, d: DOC });
    const pk = (await t.gql(`mutation($t: ID!) { issueApiKey(tenantId: $t, name: "widget", kind: PUBLISHABLE) { secret } }`, { t: a.id })).body.data.issueApiKey.secret;
    return { ...a, pk };
  };
  const askAs = (key: string, visitor?: string) => t.gql(ASK, {}, { key, headers: visitor ? { 'x-askdesk-visitor': visitor } : {} });
  const used = async (key: string) => (await t.gql('{ quota { used } }', {}, { key })).body.data.quota.used;

  beforeAll(async () => {
    t = await startTestApp({}, undefined, { clock });
  });
  afterAll(async () => t?.close());

  it('gives one visitor exactly its cap of 12 concurrent asks, refuses the rest with scope VISITOR, and other visitors keep theirs', async () => {
    const a = await tenantWithCap({ visitorAsksPerDay: 3 });
    const results = await Promise.all(Array.from({ length: 12 }, () => askAs(a.pk, V)));
    const ok = results.filter((r) => r.status === 200 && r.body.data?.ask);
    const refused = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(9);
    for (const r of refused) {
      expect(r.body.errors![0].extensions).toEqual({ code: 'QUOTA_EXCEEDED', scope: 'VISITOR', resetsAt: '2026-11-03T00:00:00.000Z' });
    }
    // Refused asks used no quota: the month counts the three answers.
    expect(await used(a.key)).toBe(3);
    expect((await Promise.all([askAs(a.pk, W), askAs(a.pk, W), askAs(a.pk, W), askAs(a.pk, W)])).map((r) => r.status).sort()).toEqual([200, 200, 200, 429]);
    // The IT team's secret key is not capped.
    for (let i = 0; i < 4; i++) expect((await askAs(a.key, V)).status).toBe(200);
    expect(await used(a.key)).toBe(10);

    clock.advance(15 * 3_600_000); // 2026-11-03 00:00 UTC: a new day
    expect((await askAs(a.pk, V)).status).toBe(200);
  });

  it('counts the asks of a publishable key sent without a visitor id together, so leaving the header out lifts no cap', async () => {
    const a = await tenantWithCap({ visitorAsksPerDay: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await askAs(a.pk)).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await askAs(a.pk, V)).status).toBe(200);
  });

  it('gives the visitor its ask back when the month refuses it, and caps nobody once the cap is cleared', async () => {
    const a = await tenantWithCap({ visitorAsksPerDay: 4, quotaOverride: 2 });
    const results = await Promise.all(Array.from({ length: 4 }, () => askAs(a.pk, V)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 429, 429]);
    for (const r of results.filter((x) => x.status === 429)) expect(r.body.errors![0].extensions.scope).toBeUndefined();
    await t.gql(`mutation($id: ID!) { updateTenant(id: $id, input: { quotaOverride: 100 }) { id } }`, { id: a.id });
    // Two answers counted for V today, so two more are left of its four.
    expect((await Promise.all(Array.from({ length: 3 }, () => askAs(a.pk, V)))).map((r) => r.status).sort()).toEqual([200, 200, 429]);
    await t.gql(`mutation($id: ID!) { updateTenant(id: $id, input: { visitorAsksPerDay: null }) { visitorAsksPerDay } }`, { id: a.id });
    expect((await askAs(a.pk, V)).status).toBe(200);
    expect(await used(a.key)).toBe(5);
  });

  it("shares one lease statement among a visitor at its cap, a visitor near it and the IT team's asks, refusing exactly the visitors' extra asks", async () => {
    const a = await tenantWithCap({ visitorAsksPerDay: 3 });
    const X = 'visitor-xavier-00000000003';
    for (let i = 0; i < 3; i++) expect((await askAs(a.pk, V)).status).toBe(200); // V is at its cap
    for (let i = 0; i < 2; i++) expect((await askAs(a.pk, W)).status).toBe(200); // W has one ask left
    const counter = countStatements();
    // One ask first, so that the others arrive while its statement runs and go together in the next batches.
    const asks = [askAs(a.key), ...[V, a.key, W, a.key, V, X, W, a.key, X, V, a.key, W, a.key].map((who) => (who === a.key ? askAs(a.key) : askAs(a.pk, who)))];
    const results = await Promise.all(asks);
    counter.stop();
    const who = [a.key, V, a.key, W, a.key, V, X, W, a.key, X, V, a.key, W, a.key];
    const statuses = (of: string) => results.filter((_, i) => who[i] === of).map((r) => r.status).sort();
    expect(statuses(a.key)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(statuses(V)).toEqual([429, 429, 429]);
    expect(statuses(W)).toEqual([200, 429, 429]);
    expect(statuses(X)).toEqual([200, 200]);
    const midnight = new Date((Math.floor(clock.now() / 86_400_000) + 1) * 86_400_000).toISOString();
    for (const r of results.filter((x) => x.status === 429)) {
      expect(r.body.errors![0].extensions).toEqual({ code: 'QUOTA_EXCEEDED', scope: 'VISITOR', resetsAt: midnight });
    }
    // Leases were taken for several asks at once, and every count is exact: the month holds the 5 + 9 answers.
    expect(counter.statements.filter((s) => /INSERT INTO quota_lease/.test(s)).length).toBeLessThan(results.length);
    expect(await used(a.key)).toBe(14);
    const days = await t.database.dataSource.query('SELECT visitor_id, used FROM visitor_ask_counter WHERE tenant_id = $1 ORDER BY visitor_id', [a.id]);
    expect(days).toEqual([{ visitor_id: V, used: 3 }, { visitor_id: W, used: 3 }, { visitor_id: X, used: 2 }]);
    const [{ n }] = await t.database.dataSource.query('SELECT count(*)::int AS n FROM quota_lease WHERE tenant_id = $1', [a.id]);
    expect(n).toBe(0);
  });

  it("refuses exactly the asks past the month's end in a batch of visitors' and the IT team's asks, giving the visitors' days back", async () => {
    const a = await tenantWithCap({ visitorAsksPerDay: 5, quotaOverride: 4 });
    expect((await askAs(a.pk, V)).status).toBe(200);
    const who = [a.key, V, W, a.key, V, W, a.key, V];
    const results = await Promise.all(who.map((k) => (k === a.key ? askAs(a.key) : askAs(a.pk, k))));
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    for (const r of results.filter((x) => x.status === 429)) expect(r.body.errors![0].extensions.scope).toBeUndefined();
    expect(await used(a.key)).toBe(4);
    // Each visitor's day counts its answers only.
    const answered = (v: string) => 1 * Number(v === V) + results.filter((r, i) => who[i] === v && r.status === 200).length;
    const days = await t.database.dataSource.query('SELECT visitor_id, used FROM visitor_ask_counter WHERE tenant_id = $1 ORDER BY visitor_id', [a.id]);
    expect(days.filter((d: { used: number }) => d.used > 0)).toEqual([{ visitor_id: V, used: answered(V) }, { visitor_id: W, used: answered(W) }].filter((d) => d.used > 0));
  });

  it("keeps each ask's own audience in a shared batch: another visitor's follow-up is NOT_FOUND while the visitor and the IT team go on", async () => {
    const a = await tenantWithCap({ visitorAsksPerDay: 100 });
    const FOLLOW = 'mutation($c: ID) { ask(input: { question: "How do I reset my password?", conversationId: $c }) { conversationId } }';
    const follow = (key: string, visitor: string | null, c: string | null) => t.gql(FOLLOW, { c }, { key, headers: visitor ? { 'x-askdesk-visitor': visitor } : {} });
    const c = (await follow(a.pk, V, null)).body.data.ask.conversationId;
    const results = await Promise.all([follow(a.pk, W, c), follow(a.key, null, c), follow(a.pk, V, c), follow(a.pk, W, c), follow(a.pk, V, c), follow(a.key, null, c)]);
    expect(results.map((r) => r.body.errors?.[0]?.extensions?.code ?? 'ANSWERED')).toEqual(['NOT_FOUND', 'ANSWERED', 'ANSWERED', 'NOT_FOUND', 'ANSWERED', 'ANSWERED']);
    const conversation = await t.gql('query($id: ID!) { conversation(id: $id) { messages { role } } }', { id: c }, { key: a.key });
    expect(conversation.body.data.conversation.messages).toHaveLength(2 + 4 * 2);
    // W's follow-ups used neither the month nor W's day.
    expect(await used(a.key)).toBe(5);
    const [w] = await t.database.dataSource.query('SELECT used FROM visitor_ask_counter WHERE tenant_id = $1 AND visitor_id = $2', [a.id, W]);
    expect(w?.used ?? 0).toBe(0);
  });

  it("gives the visitor's ask back when a dead process's lease is reclaimed, and counts it again if the ask answered after all", async () => {
    const a = await tenantWithCap({ visitorAsksPerDay: 1 });
    const { services } = t.app;
    const day = new Date(clock.now()).toISOString().slice(0, 10);
    const visitor = { day, visitorId: V, cap: 1 };
    const count = async () => (await t.database.dataSource.query('SELECT used FROM visitor_ask_counter WHERE tenant_id = $1 AND visitor_id = $2', [a.id, V]))[0]?.used;
    // What a process does before it dies mid-ask: the lease (with the visitor's ask) is taken, and never settled.
    const scope = await services.tenants.scope(a.id);
    const { lease } = await services.quota.reserve(scope, null, { apiKeyId: null, operation: 'ask', ip: null }, null, visitor);
    expect(await count()).toBe(1);
    expect((await askAs(a.pk, V)).status).toBe(429);
    clock.advance(leaseMs(services.config) + 1_000);
    expect(await services.quota.reclaimExpired()).toBe(1);
    expect(await count()).toBe(0);
    // The slow ask answers after all: the client got it, so the visitor's day counts it again, as the month does.
    await services.quota.settle(scope, lease, true, {
      tenantId: a.id, apiKeyId: null, operation: 'ask', outcome: 'SUCCEEDED', code: null, latencyMs: 1, inputTokens: 0, outputTokens: 0, ip: null,
    }, null);
    expect(await count()).toBe(1);
  });

  it("forgets the visitors' counts of past days in the retention sweep", async () => {
    const count = async () => (await t.database.dataSource.query('SELECT count(*)::int AS n FROM visitor_ask_counter'))[0].n;
    expect(await count()).toBeGreaterThan(0);
    clock.advance(2 * 86_400_000);
    expect(await t.app.services.quota.purgeVisitorCounts()).toBeGreaterThan(0);
    expect(await count()).toBe(0);
  });

  it('refuses a cap below 1', async () => {
    const a = await t.tenant('BUSINESS');
    const res = await t.gql(`mutation($id: ID!) { updateTenant(id: $id, input: { visitorAsksPerDay: 0 }) { id } }`, { id: a.id });
    expect(res.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'visitorAsksPerDay' });
  });
});
