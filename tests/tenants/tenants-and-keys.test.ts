import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangePlanDocument,
  CreateTenantDocument,
  DeleteTenantDocument,
  IssueApiKeyDocument,
  KeyKind,
  MeDetailsDocument,
  MeDocument,
  PlansDocument,
  ReactivateTenantDocument,
  RevokeApiKeyDocument,
  RotateApiKeyDocument,
  SuspendTenantDocument,
  TenantKeysDocument,
  TenantsWithStatusDocument,
  UpdateTenantDocument,
} from '../operations/operations.generated';
import { ADMIN_KEY, startTestApp, TestApp } from '../helpers/app';
import { DAY_MS, TestClock } from '../helpers/clock';

describe('tenants and keys over HTTP', () => {
  let t: TestApp;
  // Tests that need the future move this clock; every tenant and key is created at its current time.
  const clock = new TestClock();
  beforeAll(async () => {
    t = await startTestApp({}, undefined, { clock });
  });
  afterAll(async () => {
    await t?.close();
  });

  const status = async (key: string) => (await t.gql(MeDocument, {}, { key })).status;

  it('lists the plans with the contract figures', async () => {
    const res = await t.gql(PlansDocument, {}, { key: null });
    expect(res.body.data!.plans).toEqual([
      { code: 'DEMO', monthlyQuota: 100, ratePerMinute: 5, priceCents: 0, extraKeyPriceCents: null },
      { code: 'STARTER', monthlyQuota: 1000, ratePerMinute: 10, priceCents: 9900, extraKeyPriceCents: null },
      { code: 'BUSINESS', monthlyQuota: 10000, ratePerMinute: 30, priceCents: 29900, extraKeyPriceCents: 5000 },
      { code: 'ENTERPRISE', monthlyQuota: null, ratePerMinute: 100, priceCents: 99900, extraKeyPriceCents: 5000 },
    ]);
  });

  it('creates a tenant whose key has the contract format and is stored only as a keyed hash', async () => {
    const res = await t.gql(CreateTenantDocument, { input: { name: 'Hôpital Saint-Luc', contactEmail: 'it@stluc.example', plan: 'STARTER' } });
    const { tenant, apiKey } = res.body.data!.createTenant;
    expect(tenant).toMatchObject({ slug: 'hopital-saint-luc', plan: { code: 'STARTER' }, status: 'ACTIVE', trialEndsAt: null });
    expect(apiKey.secret).toMatch(/^sk_starter_[A-Za-z0-9_-]{43}$/);
    expect(apiKey.key.prefix).toBe(apiKey.secret.slice(0, 16));

    const me = await t.gql(MeDetailsDocument, {}, { key: apiKey.secret });
    expect(me.status).toBe(200);
    expect(me.body.data!.me).toMatchObject({ id: tenant.id, quota: { limit: 1000, used: 0, remaining: 1000, ratePerMinute: 10 }, documentCount: 0 });
    expect(me.headers.get('ratelimit-limit')).toBeTruthy();

    // No table holds the secret, or the part after the prefix.
    const tables: { table_name: string }[] = await t.database.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    const secretPart = apiKey.secret.slice(16);
    for (const { table_name } of tables) {
      const dump = JSON.stringify(await t.database.dataSource.query(`SELECT * FROM "${table_name}"`));
      expect(dump, table_name).not.toContain(secretPart);
    }
    const audit = await t.database.dataSource.query(`SELECT actor, action FROM audit_entry WHERE target_id = $1`, [tenant.id]);
    expect(audit).toEqual([{ actor: 'env:ADMIN_API_KEY', action: 'createTenant' }]);
  });

  it('refuses missing, unknown and malformed keys with 401 UNAUTHENTICATED', async () => {
    for (const key of [null, 'nonsense', `sk_business_${'x'.repeat(43)}`]) {
      const res = await t.gql(MeDocument, {}, { key, ip: '10.1.0.1' });
      expect(res.status).toBe(401);
      expect(res.body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    }
    const viaHeader = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
      body: JSON.stringify({ query: '{ tenants { totalCount } }' }),
    });
    expect(viaHeader.status).toBe(200);
  });

  it('revokes a key at once', async () => {
    const a = await t.tenant('BUSINESS');
    expect(await status(a.key)).toBe(200);
    await t.gql(RevokeApiKeyDocument, { id: a.keyId });
    const res = await t.gql(MeDocument, {}, { key: a.key });
    expect(res.status).toBe(401);
    expect(res.body.errors![0].message).toMatch(/revoked/);
  });

  it('rotates a key with and without a grace period', async () => {
    const a = await t.tenant('BUSINESS');
    const rotated = await t.gql(RotateApiKeyDocument, { id: a.keyId, graceSeconds: 3600 });
    const next = rotated.body.data!.rotateApiKey;
    expect(next.secret).toMatch(/^sk_business_/);
    expect(await status(a.key)).toBe(200);
    expect(await status(next.secret)).toBe(200);
    const keys = (await t.gql(MeDetailsDocument, {}, { key: next.secret })).body.data!.me.keys;
    expect(keys.find((k) => k.id === a.keyId)!.expiresAt).toBeTruthy();

    const again = await t.gql(RotateApiKeyDocument, { id: next.key.id });
    const third = again.body.data!.rotateApiKey.secret;
    expect(await status(next.secret)).toBe(401);
    expect(await status(third)).toBe(200);
  });

  it('expires keys at expiresAt', async () => {
    const a = await t.tenant('BUSINESS');
    const soon = new Date(clock.now() + 3_600_000).toISOString();
    const issued = await t.gql(IssueApiKeyDocument, { tenantId: a.id, name: 'short', expiresAt: soon });
    const secret = issued.body.data!.issueApiKey.secret;
    expect(await status(secret)).toBe(200);
    clock.advance(3_600_000 + 1_000);
    const res = await t.gql(MeDocument, {}, { key: secret });
    expect(res.status).toBe(401);
    expect(res.body.errors![0].message).toMatch(/expired/);
    const keys = (await t.gql(TenantKeysDocument, { id: a.id })).body.data!.tenant!.keys;
    expect(keys.map((k) => k.status).sort()).toEqual(['ACTIVE', 'EXPIRED']);
  });

  it('suspends and reactivates a tenant', async () => {
    const a = await t.tenant('STARTER');
    await t.gql(SuspendTenantDocument, { id: a.id, reason: 'unpaid invoice' });
    const refused = await t.gql(MeDocument, {}, { key: a.key });
    expect(refused.status).toBe(403);
    expect(refused.body.errors![0].extensions.code).toBe('TENANT_SUSPENDED');
    const suspended = await t.gql(TenantsWithStatusDocument, { status: 'SUSPENDED' });
    expect(suspended.body.data!.tenants.edges.map((e) => e.node.id)).toContain(a.id);
    await t.gql(ReactivateTenantDocument, { id: a.id });
    expect(await status(a.key)).toBe(200);
  });

  it('gives DEMO tenants a 30-day trial, after which their keys get TENANT_SUSPENDED', async () => {
    const a = await t.tenant('DEMO');
    const me = await t.gql(MeDetailsDocument, {}, { key: a.key });
    const { createdAt, trialEndsAt } = me.body.data!.me;
    expect(new Date(trialEndsAt!).getTime() - new Date(createdAt).getTime()).toBe(30 * 86_400_000);
    expect(a.key).toMatch(/^sk_demo_/);
    expect(await status(a.key)).toBe(200);
    clock.advance(30 * DAY_MS + 1_000);
    const res = await t.gql(MeDocument, {}, { key: a.key });
    expect(res.status).toBe(403);
    expect(res.body.errors![0].extensions.code).toBe('TENANT_SUSPENDED');
  });

  it('holds one active publishable key on DEMO and STARTER, several on BUSINESS', async () => {
    const starter = await t.tenant('STARTER');
    const issue = (tenantId: string) => t.gql(IssueApiKeyDocument, { tenantId, name: 'desk', kind: KeyKind.Publishable });
    expect((await issue(starter.id)).body.data!.issueApiKey.secret).toMatch(/^pk_starter_[A-Za-z0-9_-]{43}$/);
    const refused = await issue(starter.id);
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(refused.body.errors![0].message).toMatch(/allows 1 active publishable key/);
    const business = await t.tenant('BUSINESS');
    await issue(business.id);
    const ok = await issue(business.id);
    expect(ok.body.data!.issueApiKey).toMatchObject({ key: { kind: 'PUBLISHABLE' } });
    expect(ok.body.data!.issueApiKey.secret).toMatch(/^pk_business_/);
  });

  it('updates overrides, changes plan and deletes a tenant with its rows', async () => {
    const a = await t.tenant('STARTER');
    const upd = await t.gql(UpdateTenantDocument, { id: a.id, input: { quotaOverride: 5, rateOverride: 2 } });
    expect(upd.body.data!.updateTenant).toEqual({ quotaOverride: 5, rateOverride: 2, quota: { limit: 5, ratePerMinute: 2 } });
    const cleared = await t.gql(UpdateTenantDocument, { id: a.id, input: { quotaOverride: null } });
    expect(cleared.body.data!.updateTenant).toMatchObject({ quotaOverride: null, rateOverride: 2 });
    const plan = await t.gql(ChangePlanDocument, { tenantId: a.id, plan: 'ENTERPRISE' });
    expect(plan.body.data!.changePlan).toEqual({ plan: { code: 'ENTERPRISE' }, quota: { limit: null } });
    expect((await t.gql(DeleteTenantDocument, { id: a.id })).body.data!.deleteTenant).toBe(true);
    expect(await status(a.key)).toBe(401);
    const rows = await t.database.dataSource.query(`SELECT count(*)::int AS n FROM api_key WHERE tenant_id = $1`, [a.id]);
    expect(rows[0].n).toBe(0);
  });
});
