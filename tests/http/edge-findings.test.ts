import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../helpers/app';
import { RawWs } from '../helpers/ws';
import { CreateTenantDocument, IssueApiKeyDocument, MeDocument, PlansDocument, RotateApiKeyDocument } from '../operations/operations.generated';

/** Sends the headers of a POST to /graphql and as much of the body as `sent`; resolves with the first answer. */
function postPartly(port: number, headers: Record<string, string>, declaredBytes: number, sent = 0): Promise<{ status: number; body: any } | 'no answer'> {
  return new Promise((resolve) => {
    const req = http.request({ port, host: '127.0.0.1', path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(declaredBytes), ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', () => resolve('no answer'));
    req.flushHeaders();
    if (sent) req.write(Buffer.alloc(sent, 0x20));
    setTimeout(() => {
      resolve('no answer');
      req.destroy();
    }, 3_000);
  });
}

describe('the edge findings of the bad day', () => {
  let t: TestApp;
  let tenant: { id: string; key: string; keyId: string };
  beforeAll(async () => {
    t = await startTestApp({ OTHER_OPS_PER_MINUTE: '12' });
    tenant = await t.tenant('BUSINESS');
  });
  afterAll(async () => t?.close());

  it('answers every GraphQL response, secrets included, with Cache-Control: no-store', async () => {
    const created = await t.gql(CreateTenantDocument, { input: { name: 'Cache', contactEmail: 'c@example.org', plan: 'BUSINESS' } });
    expect(created.body.data.createTenant.apiKey.secret).toMatch(/^sk_business_/);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const { tenant: made, apiKey } = created.body.data.createTenant;
    const issued = await t.gql(IssueApiKeyDocument, { tenantId: made.id, name: 'second' });
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const rotated = await t.gql(RotateApiKeyDocument, { id: apiKey.key.id });
    expect(rotated.body.data.rotateApiKey.secret).toBeTruthy();
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    // Refusals before GraphQL, and GET queries, too.
    expect((await t.gql(MeDocument, {}, { key: `sk_starter_${'q'.repeat(43)}`, ip: '10.9.0.1' })).headers.get('cache-control')).toBe('no-store');
    const get = await fetch(`${t.url}?query=${encodeURIComponent('{ plans { code } }')}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(get.status).toBe(200);
    expect(get.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a large body with no key, or an unknown one, before reading it', async () => {
    const { port } = t.app.server;
    // The body never comes: the refusal is made from the headers alone.
    const anonymous = await postPartly(port, {}, 2 * 1024 * 1024);
    expect(anonymous).toMatchObject({ status: 413, body: { errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] } });
    const unknown = await postPartly(port, { authorization: `Bearer sk_business_${'u'.repeat(43)}`, 'x-forwarded-for': '10.9.0.2' }, 2 * 1024 * 1024);
    expect(unknown).toMatchObject({ status: 413 });
    // A small body without a key is read and answered as ever.
    expect((await t.gql(PlansDocument, {}, { key: null })).status).toBe(200);
  });

  it('caps bodies by role: 1 MiB for client keys, more for admin uploads', async () => {
    const big = 'VPN help. '.repeat(110_000); // 1.1 MB
    const client = await t.gql('mutation($q: String!) { ask(input: { question: $q }) { answer } }', { q: big }, { key: tenant.key });
    expect(client.status).toBe(413);
    expect(client.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    const admin = await t.gql(`mutation($d: [DocumentInput!]!) { addDocuments(tenantId: "${tenant.id}", documents: $d) { chunkCount } }`, { d: [{ title: 'Big VPN guide', content: big }] });
    expect(admin.status).toBe(200);
    expect(admin.body.data.addDocuments.chunkCount).toBeGreaterThan(0);
  });

  it('closes a WebSocket whose frame is over 1 MiB without parsing it', async () => {
    const { default: WebSocket } = await import('ws');
    const socket = new WebSocket(t.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const messages: string[] = [];
    socket.on('message', (m) => messages.push(m.toString()));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tenant.key}`, padding: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(await Promise.race([closed, new Promise((r) => setTimeout(() => r('still open'), 5_000))])).toBe(1009);
    expect(messages).toEqual([]);
  });

  it('holds the per-key limit over WebSocket as over HTTP', async () => {
    const other = await t.tenant('BUSINESS');
    const ws = await RawWs.open(t.url, { authorization: `Bearer ${other.key}` });
    const codes: (string | null)[] = [];
    for (let i = 0; i < 14; i++) {
      ws.send({ id: `q${i}`, type: 'subscribe', payload: { query: '{ exportConversations }' } });
      const m = await ws.next((x) => x.id === `q${i}` && (x.type === 'next' || x.type === 'error'));
      codes.push(m.type === 'error' ? m.payload[0].extensions.code : null);
    }
    ws.close();
    expect(codes).toEqual([...Array(12).fill(null), 'RATE_LIMITED', 'RATE_LIMITED']);
  });

  it('bounds every usage range: MONTH reports too', async () => {
    const other = await t.tenant('BUSINESS');
    const years = await t.gql('{ usage(from: "0001-01-01T00:00:00Z", to: "9999-12-31T00:00:00Z", granularity: MONTH) { total { requests } } }', {}, { key: other.key });
    expect(years.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    const decade = await t.gql('{ usage(from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z", granularity: MONTH) { buckets { start } } }', {}, { key: other.key });
    expect(decade.body.data.usage.buckets).toHaveLength(120);
    const admin = await t.gql(`{ tenantUsage(tenantId: "${other.id}", from: "0001-01-01T00:00:00Z", to: "9999-12-31T00:00:00Z", granularity: MONTH) { total { requests } } }`);
    expect(admin.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });

  it('serves a first page at /, a favicon and a status page in French and English', async () => {
    const base = t.app.server.url;
    const home = await fetch(`${base}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/text\/html/);
    const html = await home.text();
    for (const link of ['/chat"', '/admin"', '/graphql"', '/status']) expect(html).toContain(`href="${link}`);
    const icon = await fetch(`${base}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/image\/svg\+xml/);

    const fr = await fetch(`${base}/status`, { headers: { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' } });
    expect(fr.status).toBe(200);
    const frHtml = await fr.text();
    expect(frHtml).toMatch(/<html lang="fr"/);
    expect(frHtml).toContain('Base de données');
    const en = await (await fetch(`${base}/status?lang=en`, { headers: { 'accept-language': 'fr' } })).text();
    expect(en).toMatch(/<html lang="en"/);
    expect(en).toContain('Database');
    const json = await fetch(`${base}/status.json`);
    expect(json.headers.get('cache-control')).toBe('no-store');
    expect(await json.json()).toEqual({ status: 'up', parts: { database: 'up', retrieval: 'up', answers: 'up', limits: 'up' } });
  });
});
