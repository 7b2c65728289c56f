import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../helpers/app';
import { ManualClock } from '../helpers/manual-clock';
import { askStreamFrom } from '../helpers/ws';

/**
 * Inside a tenant: what a secret key (the client's IT team) may do for its own tenant and only its own, the key
 * kinds in limits and invoices, origins for publishable keys (pages opened from disk included), and stale keys
 * that are refused without locking a hospital's shared address out.
 */

const ISSUE = `mutation($t: ID, $n: String!, $k: KeyKind) { issueApiKey(tenantId: $t, name: $n, kind: $k) { secret key { id kind status } } }`;
const ADD = `mutation($t: ID, $d: [DocumentInput!]!) { addDocuments(tenantId: $t, documents: $d) { documents { id title } } }`;
const DOC = { title: 'Printers on floor 3', content: 'The floor 3 printers are named P3-A and P3-B; add them from the print portal.' };

describe('a secret key serves its tenant\'s IT team', () => {
  let t: TestApp;
  let a: { id: string; key: string; keyId: string };
  let b: { id: string; key: string; keyId: string };
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.tenant('BUSINESS');
    b = await t.tenant('BUSINESS');
  });
  afterAll(async () => t?.close());

  it('acts for its own tenant when tenantId is omitted or its own, NOT_FOUND for another\'s; the operator must name one', async () => {
    const docs = `query($t: ID) { documents(tenantId: $t) { totalCount } }`;
    expect((await t.gql(docs, {}, { key: a.key })).body.data.documents.totalCount).toBe(0);
    expect((await t.gql(docs, { t: a.id }, { key: a.key })).body.data.documents.totalCount).toBe(0);
    for (const other of [b.id, '00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      const res = await t.gql(docs, { t: other }, { key: a.key });
      expect(res.body.errors![0].extensions.code, other).toBe('NOT_FOUND');
    }
    const admin = await t.gql(docs, {});
    expect(admin.status).toBe(400);
    expect(admin.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tenantId' });
    for (const query of [
      `query($t: ID) { invoice(tenantId: $t, month: "2026-01") { tenantId } }`,
      `query($t: ID) { retrievalTest(tenantId: $t, query: "printer") { title } }`,
      `query($t: ID) { unansweredQuestions(tenantId: $t) { totalCount } }`,
    ]) {
      expect((await t.gql(query, {}, { key: a.key })).body.errors, query).toBeUndefined();
      expect((await t.gql(query, { t: b.id }, { key: a.key })).body.errors![0].extensions.code, query).toBe('NOT_FOUND');
    }
    expect((await t.gql(`{ invoice(month: "2026-01") { tenantId } }`, {}, { key: a.key })).body.data.invoice.tenantId).toBe(a.id);
  });

  it('adds and removes documents only when the operator set documentSelfService', async () => {
    const refused = await t.gql(ADD, { d: [DOC] }, { key: a.key });
    expect(refused.status).toBe(403);
    expect(refused.body.errors![0].extensions.code).toBe('FORBIDDEN');
    const byOperator = (await t.gql(ADD, { t: a.id, d: [{ ...DOC, title: 'VPN', content: 'GlobalProtect connects to vpn.a.example.' }] })).body.data.addDocuments.documents[0];
    const remove = `mutation($id: ID!) { removeDocument(id: $id) }`;
    expect((await t.gql(remove, { id: byOperator.id }, { key: a.key })).body.errors![0].extensions.code).toBe('FORBIDDEN');

    const set = (on: boolean) => t.gql(`mutation($id: ID!, $on: Boolean) { updateTenant(id: $id, input: { documentSelfService: $on }) { documentSelfService } }`, { id: a.id, on });
    expect((await set(true)).body.data.updateTenant.documentSelfService).toBe(true);
    const added = await t.gql(ADD, { d: [DOC] }, { key: a.key });
    expect(added.body.errors).toBeUndefined();
    expect((await t.gql(`query { retrievalTest(query: "floor 3 printers") { title } }`, {}, { key: a.key })).body.data.retrievalTest[0].title).toBe(DOC.title);
    // Another tenant's documents stay out of reach, even with consent.
    const bDoc = (await t.gql(ADD, { t: b.id, d: [DOC] })).body.data.addDocuments.documents[0];
    expect((await t.gql(ADD, { t: b.id, d: [DOC] }, { key: a.key })).body.errors![0].extensions.code).toBe('NOT_FOUND');
    expect((await t.gql(remove, { id: bDoc.id }, { key: a.key })).body.errors![0].extensions.code).toBe('NOT_FOUND');
    expect((await t.gql(remove, { id: byOperator.id }, { key: a.key })).body.data.removeDocument).toBe(true);
    expect((await t.gql(`{ documents(tenantId: "${b.id}") { totalCount } }`)).body.data.documents.totalCount).toBe(1);
    await set(false);
    expect((await t.gql(ADD, { d: [{ ...DOC, title: 'Again', content: 'Something new entirely.' }] }, { key: a.key })).status).toBe(403);
  });

  it('issues, rotates and revokes its own tenant\'s keys only', async () => {
    const pk = (await t.gql(ISSUE, { n: 'widget', k: 'PUBLISHABLE' }, { key: a.key })).body.data.issueApiKey;
    expect(pk.secret).toMatch(/^pk_business_[A-Za-z0-9_-]{43}$/);
    expect(pk.key).toMatchObject({ kind: 'PUBLISHABLE', status: 'ACTIVE' });
    expect((await t.gql(ISSUE, { t: b.id, n: 'theirs' }, { key: a.key })).body.errors![0].extensions.code).toBe('NOT_FOUND');

    const rotate = `mutation($id: ID!) { rotateApiKey(id: $id, graceSeconds: 0) { secret key { kind } } }`;
    const rotated = (await t.gql(rotate, { id: pk.key.id }, { key: a.key })).body.data.rotateApiKey;
    expect(rotated.secret).toMatch(/^pk_business_/);
    expect(rotated.key.kind).toBe('PUBLISHABLE');
    expect((await t.gql(rotate, { id: b.keyId }, { key: a.key })).body.errors![0].extensions.code).toBe('NOT_FOUND');
    const revoke = `mutation($id: ID!) { revokeApiKey(id: $id) { status } }`;
    expect((await t.gql(revoke, { id: b.keyId }, { key: a.key })).body.errors![0].extensions.code).toBe('NOT_FOUND');
    expect((await t.gql('{ me { id } }', {}, { key: b.key })).status).toBe(200);
    // A publishable key may do none of it.
    expect((await t.gql(ISSUE, { n: 'more', k: 'PUBLISHABLE' }, { key: rotated.secret })).status).toBe(403);
    expect((await t.gql(revoke, { id: pk.key.id }, { key: rotated.secret })).status).toBe(403);
  });

  it('holds up to 3 active secret keys on any plan, and counts publishable keys for the plan\'s rule and the invoice', async () => {
    const starter = await t.tenant('STARTER');
    // createTenant's key is the first secret key; two more are allowed, a fourth is refused.
    for (const n of ['it-2', 'it-3']) expect((await t.gql(ISSUE, { t: starter.id, n })).body.data.issueApiKey.key.kind).toBe('SECRET');
    const fourth = await t.gql(ISSUE, { t: starter.id, n: 'it-4' });
    expect(fourth.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kind' });
    expect(fourth.body.errors![0].message).toMatch(/at most 3 active secret keys/);
    expect((await t.gql(ISSUE, { t: starter.id, n: 'widget', k: 'PUBLISHABLE' })).body.errors).toBeUndefined();
    expect((await t.gql(ISSUE, { t: starter.id, n: 'widget 2', k: 'PUBLISHABLE' })).body.errors![0].extensions.code).toBe('BAD_USER_INPUT');

    const business = await t.tenant('BUSINESS');
    await t.gql(ISSUE, { t: business.id, n: 'it-2' });
    await t.gql(ISSUE, { t: business.id, n: 'it-3' });
    for (const n of ['widget', 'kiosk']) await t.gql(ISSUE, { t: business.id, n, k: 'PUBLISHABLE' });
    const month = new Date().toISOString().slice(0, 7);
    const invoice = (await t.gql(`{ invoice(month: "${month}") { lines { description quantity unitCents } subtotalCents } }`, {}, { key: business.key })).body.data.invoice;
    // Three secret keys are free; two publishable keys are one beyond the first.
    expect(invoice.lines).toEqual([
      expect.objectContaining({ quantity: 1, unitCents: 29900 }),
      { description: `Extra publishable API keys beyond the first, ${month}`, quantity: 1, unitCents: 5000 },
    ]);
    expect(invoice.subtotalCents).toBe(34900);
  });
});

describe('stale keys behind one address', () => {
  let t: TestApp;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    t = await startTestApp({}, undefined, { clock });
  });
  afterAll(async () => t?.close());

  it('refuses 25 requests with a revoked key from one IP without blocking it: a valid key from that IP still works', async () => {
    const a = await t.tenant('BUSINESS');
    const old = (await t.gql(ISSUE, { t: a.id, n: 'old widget', k: 'PUBLISHABLE' })).body.data.issueApiKey;
    await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: old.key.id });
    const nat = '198.51.100.20';
    for (let i = 0; i < 25; i++) {
      const res = await t.gql('{ quota { used } }', {}, { key: old.secret, ip: nat });
      expect(res.status).toBe(401);
      expect(res.body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    }
    expect((await t.gql('{ me { id } }', {}, { key: a.key, ip: nat })).status).toBe(200);
  });

  it('treats keys rotated past their grace and expired keys the same, while unknown keys still count', async () => {
    const a = await t.tenant('BUSINESS');
    const rotated = (await t.gql(ISSUE, { t: a.id, n: 'rotated', k: 'PUBLISHABLE' })).body.data.issueApiKey;
    await t.gql(`mutation($id: ID!) { rotateApiKey(id: $id, graceSeconds: 60) { secret } }`, { id: rotated.key.id });
    const expiring = (await t.gql(`mutation($t: ID!, $e: DateTime) { issueApiKey(tenantId: $t, name: "short", expiresAt: $e) { secret } }`, { t: a.id, e: new Date(clock.now() + 30_000).toISOString() })).body.data.issueApiKey;
    clock.advance(61_000);
    const nat = '198.51.100.21';
    for (let i = 0; i < 15; i++) {
      expect((await t.gql('{ quota { used } }', {}, { key: rotated.secret, ip: nat })).status).toBe(401);
      expect((await t.gql('{ quota { used } }', {}, { key: expiring.secret, ip: nat })).status).toBe(401);
    }
    expect((await t.gql('{ me { id } }', {}, { key: a.key, ip: nat })).status).toBe(200);

    const guesser = '198.51.100.22';
    for (let i = 0; i < 20; i++) await t.gql('{ quota { used } }', {}, { key: `pk_business_${String(i).padStart(43, 'q')}`, ip: guesser });
    const blocked = await t.gql('{ me { id } }', {}, { key: a.key, ip: guesser });
    expect(blocked.status).toBe(403);
    expect(blocked.body.errors![0].extensions.code).toBe('BLOCKED');
  });
});

describe('origins for publishable keys', () => {
  let t: TestApp;
  let restricted: { id: string; pk: string };
  let diskToo: { id: string; pk: string };
  const ME = '{ me { name } }';
  const publishable = async (origins: string[]) => {
    const tenant = await t.tenant('BUSINESS', { allowedOrigins: origins });
    const pk = (await t.gql(ISSUE, { t: tenant.id, n: 'page', k: 'PUBLISHABLE' })).body.data.issueApiKey.secret;
    return { id: tenant.id, pk };
  };
  beforeAll(async () => {
    t = await startTestApp();
    restricted = await publishable(['https://intranet.chu.example']);
    // The client package opened from disk sends `Origin: null`: a tenant using it lists `null` as well.
    diskToo = await publishable(['https://intranet.chu.example', 'null']);
  });
  afterAll(async () => t?.close());

  it('refuses a listed tenant\'s publishable key from an unlisted Origin with 403 FORBIDDEN, serves listed ones and requests without Origin', async () => {
    const evil = await t.gql(ME, {}, { key: restricted.pk, headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.body.errors![0].extensions.code).toBe('FORBIDDEN');
    const ask = await t.gql(`mutation { ask(input: { question: "VPN?" }) { answer } }`, {}, { key: restricted.pk, headers: { origin: 'https://evil.example' } });
    expect(ask.status).toBe(403);
    expect((await t.gql(ME, {}, { key: restricted.pk, headers: { origin: 'https://intranet.chu.example' } })).status).toBe(200);
    expect((await t.gql(ME, {}, { key: restricted.pk })).status).toBe(200);
  });

  it('refuses Origin: null (a page opened from file://) unless the tenant lists `null`', async () => {
    const fromDisk = { origin: 'null', 'x-askdesk-visitor': 'visitor-from-disk-0000001' };
    expect((await t.gql(ME, {}, { key: restricted.pk, headers: fromDisk })).status).toBe(403);
    const served = await t.gql(ME, {}, { key: diskToo.pk, headers: fromDisk });
    expect(served.status).toBe(200);
    expect(served.headers.get('access-control-allow-origin')).toBe('null');
    expect((await t.gql(ME, {}, { key: diskToo.pk, headers: { origin: 'https://evil.example' } })).status).toBe(403);
    const listed = await t.gql(`{ tenant(id: "${diskToo.id}") { allowedOrigins } }`);
    expect(listed.body.data.tenant.allowedOrigins).toEqual(['https://intranet.chu.example', 'null']);
  });

  it('applies the same rule over graphql-ws', async () => {
    const subscribe = (origin: string) => askStreamFrom(t.url, origin, { authorization: `Bearer ${restricted.pk}`, visitor: 'visitor-over-websocket-01' });
    const refused = await subscribe('null');
    expect((refused.error ?? refused.events[0]?.errors)[0].extensions.code).toBe('FORBIDDEN');
    const served = await subscribe('https://intranet.chu.example');
    expect(served.error).toBeUndefined();
    expect(served.events.at(-1).data.askStream.done).toBe(true);
  });
});

