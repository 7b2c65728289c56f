import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../helpers/app';
import { DAY_MS, TestClock } from '../helpers/clock';
import { leaseMs } from '../../src/services/registry';
import { QuotaDocument } from '../operations/operations.generated';

/**
 * A process that dies mid-ask leaves its quota lease behind. These tests hold a lease the way a dying process
 * would (reserved, never settled), then let time pass: any live process reclaims it, gives the request back and
 * records the ask as ERROR, so every started ask ends in usage and nothing is charged for an answer never sent.
 */
describe('quota leases', () => {
  let t: TestApp;
  const clock = new TestClock();
  beforeAll(async () => {
    t = await startTestApp({}, undefined, { clock });
  });
  afterAll(async () => t?.close());

  const usageOf = async (key: string) => {
    const from = new Date(clock.now() - DAY_MS).toISOString();
    const to = new Date(clock.now() + DAY_MS).toISOString();
    return (await t.gql(`{ usage(from: "${from}", to: "${to}", granularity: MONTH) { total { requests succeeded refused failed } } }`, {}, { key })).body.data.usage.total;
  };

  it('reclaims the lease of a dead ask once it expires: the request is given back and recorded as ERROR', async () => {
    const a = await t.tenant('BUSINESS');
    await t.gql(`mutation { updateTenant(id: "${a.id}", input: { quotaOverride: 1 }) { id } }`);
    const { services } = t.app;
    // What a process does before it dies mid-ask: the lease is taken, and never settled.
    await services.quota.reserve(await services.tenants.scope(a.id), 1, { apiKeyId: a.keyId, operation: 'ask', ip: '10.0.0.9' }, null);
    expect((await t.gql(QuotaDocument, {}, { key: a.key })).body.data.quota).toMatchObject({ used: 1, remaining: 0 });

    // Before it expires, nobody touches it (the ask may still be running somewhere).
    expect(await services.quota.reclaimExpired()).toBe(0);
    clock.advance(leaseMs(services.config) + 1_000);
    expect(await services.quota.reclaimExpired()).toBe(1);
    expect(await services.quota.reclaimExpired()).toBe(0);

    expect((await t.gql(QuotaDocument, {}, { key: a.key })).body.data.quota).toMatchObject({ used: 0, remaining: 1 });
    expect(await usageOf(a.key)).toEqual({ requests: 1, succeeded: 0, refused: 0, failed: 1 });
    const [record] = await t.database.dataSource.query(`SELECT outcome, code FROM usage_record WHERE tenant_id = $1`, [a.id]);
    expect(record).toEqual({ outcome: 'ERROR', code: 'LEASE_EXPIRED' });
  });

  it('settles a lease whose ask outlived it without counting the request twice', async () => {
    const a = await t.tenant('BUSINESS');
    const { services } = t.app;
    const scope = await services.tenants.scope(a.id);
    const { lease } = await services.quota.reserve(scope, null, { apiKeyId: a.keyId, operation: 'ask', ip: null }, null);
    clock.advance(leaseMs(services.config) + 1_000);
    expect(await services.quota.reclaimExpired()).toBe(1);
    // The slow ask finally answers: the client got it, so it counts once, on top of the ERROR already recorded.
    await services.quota.settle(scope, lease, true, {
      tenantId: a.id, apiKeyId: a.keyId, operation: 'ask', outcome: 'SUCCEEDED', code: null, latencyMs: 1, inputTokens: 0, outputTokens: 0, ip: null,
    }, null);
    expect((await t.gql(QuotaDocument, {}, { key: a.key })).body.data.quota.used).toBe(1);
    expect(await usageOf(a.key)).toEqual({ requests: 2, succeeded: 1, refused: 0, failed: 1 });
  });

  it('gives the lease back, stores nothing and records NOT_FOUND when the conversation vanished before the settle', async () => {
    const a = await t.tenant('BUSINESS');
    const { services } = t.app;
    const scope = await services.tenants.scope(a.id);
    const { lease } = await services.quota.reserve(scope, null, { apiKeyId: a.keyId, operation: 'ask', ip: null }, null);
    // A follow-up to a conversation purged between the ask's history read and its settle.
    const exchange = services.conversations.exchange(a.keyId, '00000000-0000-4000-8000-000000000001', 'And on a Mac?', 'Install the client.', []);
    const settled = services.quota.settle(scope, lease, true, {
      tenantId: a.id, apiKeyId: a.keyId, operation: 'ask', outcome: 'SUCCEEDED', code: null, latencyMs: 1, inputTokens: 0, outputTokens: 0, ip: null,
    }, exchange);
    await expect(settled).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await t.gql(QuotaDocument, {}, { key: a.key })).body.data.quota.used).toBe(0);
    expect(await usageOf(a.key)).toEqual({ requests: 1, succeeded: 0, refused: 0, failed: 1 });
    const [record] = await t.database.dataSource.query(`SELECT outcome, code FROM usage_record WHERE tenant_id = $1`, [a.id]);
    expect(record).toEqual({ outcome: 'FAILED', code: 'NOT_FOUND' });
    expect(await t.database.dataSource.query(`SELECT id FROM message WHERE tenant_id = $1`, [a.id])).toEqual([]);
  });

  it('leaves no lease behind after asks that succeed, are refused or fail', async () => {
    const a = await t.tenant('BUSINESS');
    await t.gql(`mutation($t: ID!) { addDocuments(tenantId: $t, documents: [{ title: "VPN", content: "Install GlobalProtect and sign in." }]) { chunkCount } }`, { t: a.id });
    await t.gql(`mutation { ask(input: { question: "How do I install the VPN?" }) { answer } }`, {}, { key: a.key });
    await t.gql(`mutation { ask(input: { question: "x", conversationId: "00000000-0000-0000-0000-000000000000" }) { answer } }`, {}, { key: a.key });
    const [{ n }] = await t.database.dataSource.query('SELECT count(*)::int AS n FROM quota_lease WHERE tenant_id = $1', [a.id]);
    expect(n).toBe(0);
    expect(await usageOf(a.key)).toEqual({ requests: 2, succeeded: 1, refused: 1, failed: 0 });
  });
});
