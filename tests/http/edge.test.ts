import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { clientIp } from '../../src/http/server';
import { buildAppSchema } from '../../src/schema';
import { startTestApp, TestApp } from '../helpers/app';
import { MeDocument, PlansDocument, QuotaDocument } from '../operations/operations.generated';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

describe('the HTTP edge: client IP, metrics, security headers, CSRF', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: '1', METRICS_TOKEN, ABUSE_AUTH_FAILURES: '3' });
    base = t.app.server.url;
  });
  afterAll(async () => t?.close());

  it('takes the client IP one hop from the right of X-Forwarded-For: a forged left entry does not dodge an IP block', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await t.gql(MeDocument, {}, { key: `sk_starter_${'x'.repeat(43)}`, headers: { 'x-forwarded-for': `203.0.113.${i}, 10.66.0.1` } });
      expect(r.status).toBe(401);
    }
    const blocked = await t.gql(PlansDocument, {}, { key: null, headers: { 'x-forwarded-for': '198.51.100.7, 10.66.0.1' } });
    expect(blocked.status).toBe(403);
    expect(blocked.body.errors![0].extensions.code).toBe('BLOCKED');
    // Another client behind the same proxy is not affected.
    expect((await t.gql(PlansDocument, {}, { key: null, ip: '10.66.0.2' })).status).toBe(200);
  });

  it('reads TRUST_PROXY as a number of hops (true = 1, false = 0)', () => {
    const req = (xff: string | undefined) => ({ headers: xff ? { 'x-forwarded-for': xff } : {}, socket: { remoteAddress: '::ffff:127.0.0.9' } }) as unknown as IncomingMessage;
    expect(parseConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(1);
    expect(parseConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(0);
    expect(parseConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(parseConfig({}).trustProxy).toBe(0);
    expect(() => parseConfig({ TRUST_PROXY: '-1' })).toThrow(/TRUST_PROXY/);
    expect(clientIp(req('1.1.1.1, 2.2.2.2, 3.3.3.3'), 0)).toBe('127.0.0.9');
    expect(clientIp(req('1.1.1.1, 2.2.2.2, 3.3.3.3'), 1)).toBe('3.3.3.3');
    expect(clientIp(req('1.1.1.1, 2.2.2.2, 3.3.3.3'), 2)).toBe('2.2.2.2');
    expect(clientIp(req('3.3.3.3'), 2)).toBe('3.3.3.3');
    expect(clientIp(req(undefined), 1)).toBe('127.0.0.9');
  });

  it('labels metrics only with schema root field names, `multiple` or `other`, and guards /metrics with METRICS_TOKEN', async () => {
    const tenant = await t.tenant('BUSINESS');
    await t.gql('{ x1: plans { code } x2: plans { name } }', {}, { key: null, ip: '10.66.1.1' });
    await t.gql('{ plans { code } me { id } }', {}, { key: tenant.key, ip: '10.66.1.1' });
    await t.gql(QuotaDocument, {}, { key: tenant.key, ip: '10.66.1.1' });
    await t.gql('{ nope }', {}, { key: null, ip: '10.66.1.1' });

    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    const labels = new Set([...text.matchAll(/graphql_requests_total\{operation="([^"]*)",outcome="([^"]*)"\}/g)].map((m) => m[1]));
    const schema = await buildAppSchema();
    const allowed = new Set([
      ...[schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) => Object.keys(type?.getFields() ?? {})),
      'multiple', 'other', 'unknown',
    ]);
    expect([...labels].filter((l) => !allowed.has(l))).toEqual([]);
    expect(labels).toContain('multiple');
    expect(labels).toContain('plans');
  });

  it('puts security headers on every response', async () => {
    const responses = await Promise.all([
      fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ plans { code } }"}' }),
      fetch(`${base}/healthz`),
      fetch(`${base}/metrics`),
      fetch(`${base}/nowhere`),
      fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
    ]);
    for (const r of responses) {
      expect(r.headers.get('x-content-type-options'), r.url).toBe('nosniff');
      expect(r.headers.get('x-frame-options'), r.url).toBe('DENY');
      expect(r.headers.get('content-security-policy'), r.url).toContain("frame-ancestors 'none'");
      expect(r.headers.get('referrer-policy'), r.url).toBe('no-referrer');
      expect(r.headers.get('strict-transport-security'), r.url).toBe('max-age=31536000; includeSubDomains');
      expect(r.headers.get('cross-origin-opener-policy'), r.url).toBe('same-origin');
      expect(r.headers.get('x-permitted-cross-domain-policies'), r.url).toBe('none');
      expect(r.headers.get('x-xss-protection'), r.url).toBe('0');
      // The API is meant to be used from other origins: CORS decides who may, not this header.
      expect(r.headers.get('cross-origin-resource-policy'), r.url).toBeNull();
    }
  });

  it('refuses requests a browser would send cross-site without a preflight; keyed and JSON requests still work', async () => {
    const tenant = await t.tenant('BUSINESS');
    const headers = { 'x-forwarded-for': '10.66.2.1' };
    const textPlain = await fetch(`${base}/graphql`, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: '{"query":"mutation { revokeApiKey(id: \\"x\\") { id } }"}' });
    expect(textPlain.status).toBe(400);
    const form = await fetch(`${base}/graphql`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: '{"query":"{ plans { code } }"}' });
    expect(form.status).toBe(400);
    const getMutation = await fetch(`${base}/graphql?query=${encodeURIComponent('mutation { ask(input: { question: "x" }) { answer } }')}`, { headers });
    expect(getMutation.status).toBe(400);
    const keyedGet = await fetch(`${base}/graphql?query=${encodeURIComponent('{ quota { used } }')}`, { headers: { ...headers, authorization: `Bearer ${tenant.key}` } });
    expect(keyedGet.status).toBe(200);
    expect(((await keyedGet.json()) as any).data.quota.used).toBe(0);
    const apiKeyGet = await fetch(`${base}/graphql?query=${encodeURIComponent('{ quota { used } }')}`, { headers: { ...headers, 'x-api-key': tenant.key } });
    expect(apiKeyGet.status).toBe(200);
    const json = await fetch(`${base}/graphql`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"query":"{ plans { code } }"}' });
    expect(json.status).toBe(200);
  });
});
