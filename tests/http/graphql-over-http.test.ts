import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../helpers/app';

/**
 * GraphQL over HTTP conformance (graphql-http's server audits) of /graphql. Every MUST audit passes.
 * The audits' requests go out as a keyless client's would, plus `apollo-require-preflight` on GETs: CSRF
 * prevention refuses a GET that carries none of the preflight-forcing headers, as a browser's simple request,
 * and a real client sends its key (or that header) on every GET.
 */
describe('GraphQL over HTTP conformance', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  const fetchFn: typeof fetch = (input, init = {}) => {
    const headers = new Headers(init.headers);
    if ((init.method ?? 'GET') === 'GET') headers.set('apollo-require-preflight', 'true');
    headers.set('x-forwarded-for', '10.88.0.1');
    return fetch(input, { ...init, headers });
  };

  it('passes every MUST audit of graphql-http', async () => {
    const results: { name: string; status: string; reason?: string }[] = [];
    for (const audit of serverAudits({ url: () => t.url, fetchFn })) {
      const result = await audit.fn();
      results.push({ name: audit.name, status: result.status, reason: result.status === 'ok' ? undefined : result.reason });
    }
    const failedMust = results.filter((r) => r.name.startsWith('MUST') && r.status !== 'ok');
    expect(failedMust).toEqual([]);
    // The SHOULDs not met, kept visible in the output (see the report for why each is skipped).
    const notOk = results.filter((r) => r.status !== 'ok').map((r) => `${r.status} ${r.name}: ${r.reason}`);
    if (notOk.length) console.log(`graphql-http audits not ok (${notOk.length} of ${results.length}):\n${notOk.join('\n')}`);
  });
});
