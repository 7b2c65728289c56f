import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app';
import { ConfigError, parseConfig } from '../../src/config';
import { openDatabase } from '../../src/database';
import { buildAppSchema, printAppSchema } from '../../src/schema';
import { ADMIN_KEY, startTestApp, TestApp } from '../helpers/app';
import { DAY_MS, TestClock } from '../helpers/clock';
import { freshDatabaseUrl } from '../helpers/database';

const ME = `{ me { id slug name plan { code } status quota { limit used remaining resetsAt ratePerMinute } keys { id prefix status } documentCount } }`;

describe('foundation: server, tenants and keys over HTTP', () => {
  let t: TestApp;
  // Tests that need the future move this clock; every tenant and key is created at its current time.
  const clock = new TestClock();
  beforeAll(async () => {
    t = await startTestApp({}, undefined, { clock });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    const base = t.app.server.url;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).status).toBe('ready');
    await t.gql('{ plans { code } }');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('graphql_requests_total{operation="plans",outcome="ok"}');
    expect(metrics).toContain('graphql_request_duration_seconds_bucket');
  });

  it('lists the plans with the contract figures', async () => {
    const res = await t.gql('{ plans { code monthlyQuota ratePerMinute priceCents extraKeyPriceCents } }', {}, { key: null });
    expect(res.body.data.plans).toEqual([
      { code: 'DEMO', monthlyQuota: 100, ratePerMinute: 5, priceCents: 0, extraKeyPriceCents: null },
      { code: 'STARTER', monthlyQuota: 1000, ratePerMinute: 10, priceCents: 9900, extraKeyPriceCents: null },
      { code: 'BUSINESS', monthlyQuota: 10000, ratePerMinute: 30, priceCents: 29900, extraKeyPriceCents: 5000 },
      { code: 'ENTERPRISE', monthlyQuota: null, ratePerMinute: 100, priceCents: 99900, extraKeyPriceCents: 5000 },
    ]);
  });

  it('creates a tenant whose key has the contract format and is stored only as a keyed hash', async () => {
    const res = await t.gql(
      `mutation { createTenant(input: { name: "Hôpital Saint-Luc", contactEmail: "it@stluc.example", plan: STARTER }) {
          tenant { id slug plan { code } status trialEndsAt } apiKey { secret key { id prefix status } } } }`,
    );
    const { tenant, apiKey } = res.body.data.createTenant;
    expect(tenant).toMatchObject({ slug: 'hopital-saint-luc', plan: { code: 'STARTER' }, status: 'ACTIVE', trialEndsAt: null });
    expect(apiKey.secret).toMatch(/^sk_starter_[A-Za-z0-9_-]{43}$/);
    expect(apiKey.key.prefix).toBe(apiKey.secret.slice(0, 16));

    const me = await t.gql(ME, {}, { key: apiKey.secret });
    expect(me.status).toBe(200);
    expect(me.body.data.me).toMatchObject({ id: tenant.id, quota: { limit: 1000, used: 0, remaining: 1000, ratePerMinute: 10 }, documentCount: 0 });
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
      const res = await t.gql('{ me { id } }', {}, { key, ip: '10.1.0.1' });
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

  it('keeps a client key inside its tenant: admin operations are FORBIDDEN, other tenants NOT_FOUND', async () => {
    const a = await t.tenant('BUSINESS');
    const b = await t.tenant('BUSINESS');
    const forbidden = await t.gql(`{ tenants { totalCount } }`, {}, { key: a.key });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.errors![0].extensions.code).toBe('FORBIDDEN');
    const create = await t.gql(`mutation { deleteTenant(id: "${b.id}") }`, {}, { key: a.key });
    expect(create.status).toBe(403);

    const ask = await t.gql(`mutation { ask(input: { question: "How do I reset my password?" }) { conversationId } }`, {}, { key: b.key });
    const conversationId = ask.body.data.ask.conversationId;
    const foreign = await t.gql(`query($id: ID!) { conversation(id: $id) { id } }`, { id: conversationId }, { key: a.key });
    expect(foreign.status).toBe(200);
    expect(foreign.body.data.conversation).toBeNull();
    expect(foreign.body.errors![0].extensions.code).toBe('NOT_FOUND');
    const own = await t.gql(`query($id: ID!) { conversation(id: $id) { id } }`, { id: conversationId }, { key: b.key });
    expect(own.body.data.conversation.id).toBe(conversationId);
  });

  it('revokes a key at once', async () => {
    const a = await t.tenant('BUSINESS');
    expect((await t.gql('{ me { id } }', {}, { key: a.key })).status).toBe(200);
    await t.gql(`mutation { revokeApiKey(id: "${a.keyId}") { status } }`);
    const res = await t.gql('{ me { id } }', {}, { key: a.key });
    expect(res.status).toBe(401);
    expect(res.body.errors![0].message).toMatch(/revoked/);
  });

  it('rotates a key with and without a grace period', async () => {
    const a = await t.tenant('BUSINESS');
    const rotated = await t.gql(`mutation { rotateApiKey(id: "${a.keyId}", graceSeconds: 3600) { secret key { id status } } }`);
    const next = rotated.body.data.rotateApiKey;
    expect(next.secret).toMatch(/^sk_business_/);
    expect((await t.gql('{ me { id } }', {}, { key: a.key })).status).toBe(200);
    expect((await t.gql('{ me { id } }', {}, { key: next.secret })).status).toBe(200);
    const keys = (await t.gql('{ me { keys { id status expiresAt } } }', {}, { key: next.secret })).body.data.me.keys;
    expect(keys.find((k: { id: string }) => k.id === a.keyId).expiresAt).toBeTruthy();

    const again = await t.gql(`mutation { rotateApiKey(id: "${next.key.id}") { secret } }`);
    const third = again.body.data.rotateApiKey.secret;
    expect((await t.gql('{ me { id } }', {}, { key: next.secret })).status).toBe(401);
    expect((await t.gql('{ me { id } }', {}, { key: third })).status).toBe(200);
  });

  it('expires keys at expiresAt', async () => {
    const a = await t.tenant('BUSINESS');
    const soon = new Date(clock.now() + 3_600_000).toISOString();
    const issued = await t.gql(`mutation($at: DateTime) { issueApiKey(tenantId: "${a.id}", name: "short", expiresAt: $at) { secret key { status expiresAt } } }`, { at: soon });
    const secret = issued.body.data.issueApiKey.secret;
    expect((await t.gql('{ me { id } }', {}, { key: secret })).status).toBe(200);
    clock.advance(3_600_000 + 1_000);
    const res = await t.gql('{ me { id } }', {}, { key: secret });
    expect(res.status).toBe(401);
    expect(res.body.errors![0].message).toMatch(/expired/);
    const keys = (await t.gql(`{ tenant(id: "${a.id}") { keys { status } } }`)).body.data.tenant.keys;
    expect(keys.map((k: { status: string }) => k.status).sort()).toEqual(['ACTIVE', 'EXPIRED']);
  });

  it('suspends and reactivates a tenant', async () => {
    const a = await t.tenant('STARTER');
    await t.gql(`mutation { suspendTenant(id: "${a.id}", reason: "unpaid invoice") { status } }`);
    const refused = await t.gql('{ me { id } }', {}, { key: a.key });
    expect(refused.status).toBe(403);
    expect(refused.body.errors![0].extensions.code).toBe('TENANT_SUSPENDED');
    const suspended = await t.gql(`{ tenants(status: SUSPENDED) { totalCount edges { node { id } } } }`);
    expect(suspended.body.data.tenants.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(a.id);
    await t.gql(`mutation { reactivateTenant(id: "${a.id}") { status } }`);
    expect((await t.gql('{ me { id } }', {}, { key: a.key })).status).toBe(200);
  });

  it('gives DEMO tenants a 30-day trial, after which their keys get TENANT_SUSPENDED', async () => {
    const a = await t.tenant('DEMO');
    const me = await t.gql('{ me { createdAt trialEndsAt } }', {}, { key: a.key });
    const { createdAt, trialEndsAt } = me.body.data.me;
    expect(new Date(trialEndsAt).getTime() - new Date(createdAt).getTime()).toBe(30 * 86_400_000);
    expect(a.key).toMatch(/^sk_demo_/);
    expect((await t.gql('{ me { id } }', {}, { key: a.key })).status).toBe(200);
    clock.advance(30 * DAY_MS + 1_000);
    const res = await t.gql('{ me { id } }', {}, { key: a.key });
    expect(res.status).toBe(403);
    expect(res.body.errors![0].extensions.code).toBe('TENANT_SUSPENDED');
  });

  it('holds one active publishable key on DEMO and STARTER, several on BUSINESS', async () => {
    const starter = await t.tenant('STARTER');
    const issue = (tenantId: string, kind: string) => t.gql(`mutation { issueApiKey(tenantId: "${tenantId}", name: "desk", kind: ${kind}) { secret key { kind } } }`);
    expect((await issue(starter.id, 'PUBLISHABLE')).body.data.issueApiKey.secret).toMatch(/^pk_starter_[A-Za-z0-9_-]{43}$/);
    const refused = await issue(starter.id, 'PUBLISHABLE');
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(refused.body.errors![0].message).toMatch(/allows 1 active publishable key/);
    const business = await t.tenant('BUSINESS');
    await issue(business.id, 'PUBLISHABLE');
    const ok = await issue(business.id, 'PUBLISHABLE');
    expect(ok.body.data.issueApiKey).toMatchObject({ key: { kind: 'PUBLISHABLE' } });
    expect(ok.body.data.issueApiKey.secret).toMatch(/^pk_business_/);
  });

  it('updates overrides, changes plan and deletes a tenant with its rows', async () => {
    const a = await t.tenant('STARTER');
    const upd = await t.gql(`mutation { updateTenant(id: "${a.id}", input: { quotaOverride: 5, rateOverride: 2 }) { quotaOverride rateOverride quota { limit ratePerMinute } } }`);
    expect(upd.body.data.updateTenant).toEqual({ quotaOverride: 5, rateOverride: 2, quota: { limit: 5, ratePerMinute: 2 } });
    const cleared = await t.gql(`mutation { updateTenant(id: "${a.id}", input: { quotaOverride: null }) { quotaOverride rateOverride } }`);
    expect(cleared.body.data.updateTenant).toEqual({ quotaOverride: null, rateOverride: 2 });
    const plan = await t.gql(`mutation { changePlan(tenantId: "${a.id}", plan: ENTERPRISE) { plan { code } quota { limit } } }`);
    expect(plan.body.data.changePlan).toEqual({ plan: { code: 'ENTERPRISE' }, quota: { limit: null } });
    expect((await t.gql(`mutation { deleteTenant(id: "${a.id}") }`)).body.data.deleteTenant).toBe(true);
    expect((await t.gql('{ me { id } }', {}, { key: a.key })).status).toBe(401);
    const rows = await t.database.dataSource.query(`SELECT count(*)::int AS n FROM api_key WHERE tenant_id = $1`, [a.id]);
    expect(rows[0].n).toBe(0);
  });

  it('answers bad input with the contract codes and never a 500', async () => {
    const bad = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');

    const notUuid = await t.gql(`{ tenant(id: "42") { id } }`);
    expect(notUuid.status).toBe(200);
    expect(notUuid.body.errors![0].extensions.code).toBe('NOT_FOUND');

    const badPlan = await t.gql(`mutation { createTenant(input: { name: "x", contactEmail: "x@y.z", plan: GOLD }) { tenant { id } } }`);
    expect(badPlan.status).toBe(400);
    expect(badPlan.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    const badEmail = await t.gql(`mutation { createTenant(input: { name: "x", contactEmail: "nope", plan: DEMO }) { tenant { id } } }`);
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'contactEmail' });

    const aliases = `{ ${Array.from({ length: 51 }, (_, i) => `p${i}: plans { code }`).join(' ')} }`;
    const wide = await t.gql(aliases);
    expect(wide.status).toBe(400);
    expect(wide.body.errors![0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const fifty = `{ ${Array.from({ length: 50 }, (_, i) => `p${i}: plans { code }`).join(' ')} }`;
    expect((await t.gql(fifty)).status).toBe(200);
  });

  it('refuses queries deeper than 10 with QUERY_TOO_COMPLEX, fragments included', async () => {
    const nest = (depth: number) => '{ tenants '.repeat(1) + '{ a '.repeat(depth - 2) + '{ b }' + ' }'.repeat(depth - 2) + ' }';
    const tooDeep = await t.gql(nest(11));
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.errors![0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const viaFragments = await t.gql(`fragment A on X { a { a { a { a { a { b } } } } } } { x { y { z { w { v { ...A } } } } } }`);
    expect(viaFragments.body.errors![0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    // The deepest real query of the schema is well within the limit, and so is introspection.
    const real = await t.gql(`{ tenants { edges { node { plan { code } keys { id } quota { limit } } } pageInfo { endCursor } } }`);
    expect(real.status).toBe(200);
    const introspection = await t.gql(`{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } }`);
    expect(introspection.status).toBe(200);
  });

  it('keeps the committed schema.graphql in step with the code', async () => {
    const printed = printAppSchema(await buildAppSchema());
    expect(fs.readFileSync(path.join(__dirname, '..', '..', 'schema.graphql'), 'utf8')).toBe(printed);
  });
});

describe('configuration', () => {
  it('names the variable that is wrong', () => {
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => parseConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => parseConfig({ ADMIN_API_KEY: 'letmein' })).toThrow(/ADMIN_API_KEY/);
    expect(parseConfig({}).port).toBe(4000);
  });
});

describe('restart', () => {
  it('keeps tenants and keys across a restart on the same data', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-restart-'));
    const url = await freshDatabaseUrl();
    const env = { PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(url ? { DATABASE_URL: url } : {}) };
    const first = await startApp(parseConfig(env), { host: '127.0.0.1' });
    expect(first.generatedAdminKey).toMatch(/^sk_admin_/);
    const admin = first.generatedAdminKey!;
    const call = async (base: string, key: string, query: string) =>
      (await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query }) })).json();
    const created = await call(first.server.url, admin, `mutation { createTenant(input: { name: "Persistent", contactEmail: "a@b.co", plan: BUSINESS }) { tenant { id } apiKey { secret } } }`);
    const clientKey = created.data.createTenant.apiKey.secret;
    await first.close();

    const second = await startApp(parseConfig(env), { host: '127.0.0.1' });
    expect(second.generatedAdminKey).toBeNull();
    const me = await call(second.server.url, clientKey, '{ me { name } }');
    expect(me.data.me.name).toBe('Persistent');
    const tenants = await call(second.server.url, admin, '{ tenants { totalCount } }');
    expect(tenants.data.tenants.totalCount).toBe(1);
    await second.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
