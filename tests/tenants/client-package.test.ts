import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPackageService } from '../../src/services/client-package.service';
import { startTestApp, TestApp } from '../helpers/app';
import { CreateClientPackageDocument } from '../../src/contract/operations.generated';
import { MeDocument } from '../operations/operations.generated';

const CREATE = `mutation($t: ID!, $e: String!, $n: String) { createClientPackage(tenantId: $t, endpoint: $e, keyName: $n) {
  filename contentBase64 welcomeMessage apiKey { secret key { id name kind } } } }`;
const PAGE = { 'chat.html': '<!doctype html><title>placeholder</title>', 'chat.js': '(function(){ /* placeholder */ })();', 'chat.css': ':root { --askdesk-accent: #0a6; }' };
// 2026-03-14 12:00 UTC
const FIXED_NOW = Date.UTC(2026, 2, 14, 12);

describe('client package', () => {
  let t: TestApp;
  let assets: string;
  let tenant: { id: string; key: string };
  beforeAll(async () => {
    t = await startTestApp({ SUPPORT_EMAIL: 'help@askdesk-ops.example' });
    // The web branch builds the real page into dist/web; these placeholders stand in for it here.
    assets = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-assets-'));
    for (const [name, text] of Object.entries(PAGE)) fs.writeFileSync(path.join(assets, name), text);
    const s = t.app.services;
    s.clientPackages = new ClientPackageService(s.tenants, s.keys, s.audit, s.config.supportEmail, { now: () => FIXED_NOW }, assets);
    tenant = await t.tenant('BUSINESS', { name: 'CHU Nord', slug: 'chu-nord' });
  });
  afterAll(async () => {
    await t?.close();
    if (assets) fs.rmSync(assets, { recursive: true, force: true });
  });

  it('ships the page, a config.js whose key works, and the README and LICENSE texts; the welcome message beside it', async () => {
    const res = await t.gql(CREATE, { t: tenant.id, e: 'https://askdesk.example/graphql', n: 'intranet page' });
    expect(res.body.errors).toBeUndefined();
    const pkg = res.body.data.createClientPackage;
    expect(pkg.filename).toBe('askdesk-chu-nord-2026-03-14.zip');
    expect(pkg.apiKey.key.name).toBe('intranet page');

    const files = unzipSync(Buffer.from(pkg.contentBase64, 'base64'));
    expect(Object.keys(files).sort()).toEqual(['LICENSE.txt', 'README.md', 'chat.css', 'chat.html', 'chat.js', 'config.js']);
    // The ZIP is copied onto a web server as it is: its key is in config.js and nowhere else.
    expect(Object.entries(files).filter(([, data]) => strFromU8(data).includes(pkg.apiKey.secret)).map(([name]) => name)).toEqual(['config.js']);
    for (const [name, text] of Object.entries(PAGE)) expect(strFromU8(files[name])).toBe(text);

    const window: Record<string, any> = {};
    vm.runInNewContext(strFromU8(files['config.js']), { window });
    expect(window.ASKDESK_CONFIG).toMatchObject({ endpoint: 'https://askdesk.example/graphql', apiKey: pkg.apiKey.secret, name: 'CHU Nord' });
    const me = await t.gql(`{ me { id } }`, {}, { key: window.ASKDESK_CONFIG.apiKey });
    // A publishable key: what a page holds reaches its visitor's conversations only, and `me` only in part.
    expect(pkg.apiKey.secret).toMatch(/^pk_business_[A-Za-z0-9_-]{43}$/);
    expect(pkg.apiKey.key.kind).toBe('PUBLISHABLE');
    expect(me.body.errors![0].extensions.code).toBe('FORBIDDEN');
    expect((await t.gql(`{ me { name } }`, {}, { key: window.ASKDESK_CONFIG.apiKey })).body.data.me.name).toBe('CHU Nord');
    expect((await t.gql(`{ usage(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { total { requests } } }`, {}, { key: pkg.apiKey.secret })).status).toBe(403);

    const readme = strFromU8(files['README.md']);
    for (const expected of ['Installation en 5 minutes', '5-minute setup', 'chat.html', 'pas de Python', 'no Python', 'intranet', ':root', 'logoUrl', 'help@askdesk-ops.example']) {
      expect(readme).toContain(expected);
    }

    const licence = strFromU8(files['LICENSE.txt']);
    for (const term of ['redistribution', 'ingénierie inverse', 'partage de la clé', 'revente', 'révocation immédiate de la clé',
      'redistribution', 'reverse engineering', 'sharing of the access key', 'resale', 'immediate revocation of the access key']) {
      expect(licence).toContain(term);
    }

    const welcome = pkg.welcomeMessage;
    for (const fact of [pkg.apiKey.secret, 'Business', '10,000 questions a month', 'at most 30 questions a minute', '€299.00', '299,00 €', 'chat.html', 'help@askdesk-ops.example']) {
      expect(welcome).toContain(fact);
    }
  });

  it("states the tenant's own figures when it has custom limits", async () => {
    const custom = await t.tenant('ENTERPRISE');
    await t.gql(`mutation($id: ID!) { updateTenant(id: $id, input: { rateOverride: 7 }) { id } }`, { id: custom.id });
    const pkg = (await t.gql(CreateClientPackageDocument, { tenantId: custom.id, endpoint: 'http://intranet:4000/graphql' })).body.data.createClientPackage;
    expect(pkg.welcomeMessage).toContain('unlimited');
    expect(pkg.welcomeMessage).toContain('at most 7 questions a minute');
    expect(pkg.apiKey.key.name).toBe('client package 2026-03-14');
  });

  it("respects a one-key plan: the tenant's publishable key must be revoked or rotated before a second package", async () => {
    const starter = await t.tenant('STARTER');
    // The tenant's first key is its IT team's secret key: the plan's one key is the publishable one.
    const first = (await t.gql(CREATE, { t: starter.id, e: 'https://askdesk.example/graphql' })).body.data.createClientPackage;
    expect(first.welcomeMessage).toContain('1,000 questions a month');
    const refused = await t.gql(CREATE, { t: starter.id, e: 'https://askdesk.example/graphql' });
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kind' });
    await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: first.apiKey.key.id });
    const pkg = (await t.gql(CREATE, { t: starter.id, e: 'https://askdesk.example/graphql' })).body.data.createClientPackage;
    expect(pkg.apiKey.secret).toMatch(/^pk_starter_/);
  });

  it('records the package in the audit log', async () => {
    const log = await t.gql(`query($t: ID) { auditLog(tenantId: $t, first: 5) { edges { node { action detail } } } }`, { t: tenant.id });
    const entry = log.body.data.auditLog.edges.map((e: any) => e.node).find((n: any) => n.action === 'createClientPackage');
    expect(JSON.parse(entry.detail)).toMatchObject({ endpoint: 'https://askdesk.example/graphql', filename: 'askdesk-chu-nord-2026-03-14.zip' });
  });

  it('refuses a bad endpoint or an unknown tenant, and issues no key when the page is not built', async () => {
    expect((await t.gql(CreateClientPackageDocument, { tenantId: tenant.id, endpoint: 'ftp://nowhere' })).body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'endpoint' });
    expect((await t.gql(CreateClientPackageDocument, { tenantId: '00000000-0000-4000-8000-000000000000', endpoint: 'https://a.example/graphql' })).body.errors![0].extensions.code).toBe('NOT_FOUND');

    const s = t.app.services;
    const keysBefore = (await t.gql(`query($id: ID!) { tenant(id: $id) { keys { id } } }`, { id: tenant.id })).body.data.tenant.keys.length;
    const saved = s.clientPackages;
    s.clientPackages = new ClientPackageService(s.tenants, s.keys, s.audit, s.config.supportEmail, { now: () => FIXED_NOW }, path.join(assets, 'missing'));
    try {
      const res = await t.gql(CreateClientPackageDocument, { tenantId: tenant.id, endpoint: 'https://a.example/graphql' });
      expect(res.body.errors![0].extensions.code).toBe('NOT_FOUND');
      expect(res.body.errors![0].message).toMatch(/build:web/);
    } finally {
      s.clientPackages = saved;
    }
    const keysAfter = (await t.gql(`query($id: ID!) { tenant(id: $id) { keys { id } } }`, { id: tenant.id })).body.data.tenant.keys.length;
    expect(keysAfter).toBe(keysBefore);
  });
});
