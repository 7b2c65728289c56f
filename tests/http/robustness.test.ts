import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, TestApp } from '../helpers/app';
import { MeDetailsDocument, QuotaDocument } from '../operations/operations.generated';

// Codes of the contract's table, plus those GraphQL itself answers unparseable or invalid documents with.
const KNOWN = new Set([
  'UNAUTHENTICATED', 'FORBIDDEN', 'TENANT_SUSPENDED', 'RATE_LIMITED', 'QUOTA_EXCEEDED', 'BLOCKED', 'BAD_USER_INPUT',
  'QUERY_TOO_COMPLEX', 'NOT_FOUND', 'UPSTREAM_UNAVAILABLE', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST',
]);

describe('malformed requests', () => {
  let t: TestApp;
  let tenant: { id: string; key: string; keyId: string };
  beforeAll(async () => {
    t = await startTestApp();
    tenant = await t.tenant('BUSINESS');
    await t.gql(`mutation { addDocuments(tenantId: "${tenant.id}", documents: [{ title: "VPN", content: "Install the VPN client and sign in." }]) { chunkCount } }`);
  });
  afterAll(async () => t?.close());

  it('never answer 500, always carry a known code, and leave every counter as it was', async () => {
    const ok = await t.gql('mutation { ask(input: { question: "How do I install the VPN?" }) { quota { used } } }', {}, { key: tenant.key });
    expect(ok.body.data.ask.quota.used).toBe(1);
    const auth = { authorization: `Bearer ${tenant.key}` };
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const json = { 'content-type': 'application/json' };
    const post = (body: string, headers: Record<string, string> = { ...json, ...auth }) => ({ method: 'POST', headers, body });
    const ask = (input: string) => JSON.stringify({ query: `mutation { ask(input: ${input}) { answer } }` });
    const cases: [string, string, RequestInit][] = [
      ['truncated JSON', '', post('{"query": "{ me')],
      ['JSON array (batch)', '', post('[{"query":"{ me { id } }"}]')],
      ['JSON string', '', post('"hello"')],
      ['null body', '', post('null')],
      ['query not a string', '', post('{"query": 42}')],
      ['no query', '', post('{"variables": {}}')],
      ['variables not an object', '', post('{"query":"{ me { id } }","variables":"x"}')],
      ['form body', '', post('query=%7Bme%7Bid%7D%7D', { 'content-type': 'application/x-www-form-urlencoded', ...auth })],
      ['PUT', '', { method: 'PUT', headers: { ...json, ...auth }, body: '{}' }],
      ['GET mutation', '?query=' + encodeURIComponent('mutation { ask(input:{question:"x"}) { answer } }'), { method: 'GET', headers: auth }],
      ['GET with a NUL in its variables', '?query=' + encodeURIComponent('query($q: String!) { retrievalTest(tenantId: "' + tenant.id + '", query: $q) { score } }') + '&variables=' + encodeURIComponent('{"q":"\\u0000"}'), { method: 'GET', headers: admin }],
      ['GET without query', '', { method: 'GET', headers: auth }],
      ['parse error', '', post(JSON.stringify({ query: '{ me { ' }))],
      ['unknown field', '', post(JSON.stringify({ query: '{ nope }' }))],
      ['wrong variable type', '', post(JSON.stringify({ query: 'query($n: Int) { conversations(first: $n) { totalCount } }', variables: { n: 'ten' } }))],
      ['huge int', '', post(JSON.stringify({ query: '{ conversations(first: 99999999999) { totalCount } }' }))],
      ['negative first', '', post(JSON.stringify({ query: '{ conversations(first: -1) { totalCount } }' }))],
      ['bad cursor', '', post(JSON.stringify({ query: '{ conversations(after: "%%%") { totalCount } }' }))],
      ['forged cursor', '', post(JSON.stringify({ query: `{ conversations(after: "${Buffer.from('x|y').toString('base64url')}") { totalCount } }` }))],
      ['bad DateTime', '', post(JSON.stringify({ query: '{ usage(from: "yesterday", to: "now") { total { requests } } }' }))],
      ['reversed range', '', post(JSON.stringify({ query: '{ usage(from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { total { requests } } }' }))],
      ['huge range by day', '', post(JSON.stringify({ query: '{ usage(from: "1900-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { total { requests } } }' }))],
      ['empty question', '', post(ask('{ question: "" }'))],
      ['question of 10,000 chars', '', post(ask(`{ question: "${'a'.repeat(10_000)}" }`))],
      ['question of NUL bytes', '', post(JSON.stringify({ query: 'mutation($q: String!) { ask(input: { question: $q }) { answer } }', variables: { q: '\u0000\u0000 vpn' } }))],
      ['NUL escape in the query', '', post(JSON.stringify({ query: 'mutation { ask(input: { question: "\\u0000 vpn" }) { answer } }' }))],
      ['conversationId not a uuid', '', post(ask('{ question: "vpn", conversationId: "../../etc" }'))],
      ['conversationId unknown', '', post(ask('{ question: "vpn", conversationId: "00000000-0000-0000-0000-000000000000" }'))],
      ['missing input', '', post(JSON.stringify({ query: 'mutation { ask { answer } }' }))],
      ['bad month', '', post(JSON.stringify({ query: '{ usageSummary(month: "2026-1") { requests } }' }), { ...json, ...admin })],
      ['invoice unknown tenant', '', post(JSON.stringify({ query: '{ invoice(tenantId: "abc", month: "2026-01") { totalCents } }' }), { ...json, ...admin })],
      ['negative override', '', post(JSON.stringify({ query: `mutation { updateTenant(id: "${tenant.id}", input: { quotaOverride: -5 }) { id } }` }), { ...json, ...admin })],
      ['grace too long', '', post(JSON.stringify({ query: `mutation { rotateApiKey(id: "${tenant.keyId}", graceSeconds: 999999999) { secret } }` }), { ...json, ...admin })],
      ['expiry in the past', '', post(JSON.stringify({ query: `mutation { issueApiKey(tenantId: "${tenant.id}", name: "x", expiresAt: "2000-01-01T00:00:00Z") { secret } }` }), { ...json, ...admin })],
      ['empty document list', '', post(JSON.stringify({ query: `mutation { addDocuments(tenantId: "${tenant.id}", documents: []) { chunkCount } }` }), { ...json, ...admin })],
      ['empty document', '', post(JSON.stringify({ query: `mutation { addDocuments(tenantId: "${tenant.id}", documents: [{ title: "", content: "" }]) { chunkCount } }` }), { ...json, ...admin })],
      ['javascript: source URL', '', post(JSON.stringify({ query: `mutation { addDocuments(tenantId: "${tenant.id}", documents: [{ title: "x", content: "y", sourceUrl: "javascript:alert(1)" }]) { chunkCount } }` }), { ...json, ...admin })],
      ['bad slug', '', post(JSON.stringify({ query: 'mutation { createTenant(input: { name: "x", contactEmail: "a@b.co", plan: DEMO, slug: "NOT OK!" }) { tenant { id } } }' }), { ...json, ...admin })],
      ['retrievalTest empty query', '', post(JSON.stringify({ query: `{ retrievalTest(tenantId: "${tenant.id}", query: " ") { score } }` }), { ...json, ...admin })],
      ['retrievalTest first 0', '', post(JSON.stringify({ query: `{ retrievalTest(tenantId: "${tenant.id}", query: "vpn", first: 0) { score } }` }), { ...json, ...admin })],
      ['odd Authorization scheme', '', post(JSON.stringify({ query: '{ me { id } }' }), { ...json, authorization: 'Basic dXNlcjpwdw==' })],
      ['very long header key', '', post(JSON.stringify({ query: '{ me { id } }' }), { ...json, authorization: `Bearer ${'k'.repeat(6000)}` })],
    ];
    for (const [name, search, init] of cases) {
      const res = await fetch(t.url + search, { ...init, headers: { 'x-forwarded-for': '10.77.0.1', ...(init.headers as Record<string, string>) } });
      expect(res.status, name).not.toBe(500);
      expect(res.status, name).toBeLessThan(500);
      const text = await res.text();
      let body: { errors?: { extensions?: { code?: string } }[] } = {};
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`${name}: response is not JSON: ${text.slice(0, 200)}`);
      }
      for (const error of body.errors ?? []) expect(KNOWN.has(error.extensions?.code ?? ''), `${name}: ${JSON.stringify(error)}`).toBe(true);
      if (res.status === 200 && !body.errors) throw new Error(`${name}: accepted`);
    }
    // Literal backslash-u text in a variable is ordinary text, not a NUL.
    const literal = await t.gql(`mutation($d: [DocumentInput!]!) { addDocuments(tenantId: "${tenant.id}", documents: $d) { chunkCount } }`, { d: [{ title: 'C strings', content: 'A C string ends with the escape \\u0000 (NUL).' }] });
    expect(literal.body.data.addDocuments.chunkCount).toBeGreaterThan(0);
    const after = await t.gql(QuotaDocument, {}, { key: tenant.key });
    expect(after.body.data.quota.used).toBe(1);
    expect((await t.gql(MeDetailsDocument, {}, { key: tenant.key })).body.data.me.documentCount).toBe(2);
  });
});
