import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, TestApp } from '../helpers/app';
import { askStreamFrom } from '../helpers/ws';
import { MeDocument } from '../operations/operations.generated';

const EXPOSED = 'RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, x-request-id';

describe('cross-origin calls (the widget)', () => {
  let t: TestApp;
  let open: { id: string; key: string };
  let restricted: { id: string; key: string };
  beforeAll(async () => {
    t = await startTestApp();
    open = await t.tenant('BUSINESS');
    restricted = await t.tenant('BUSINESS', { allowedOrigins: ['https://intranet.chu.example', 'http://localhost:8080'] });
  });
  afterAll(async () => t?.close());

  it('answers a preflight 204 with the agreed headers', async () => {
    const res = await fetch(t.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://anywhere.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://anywhere.example');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization, x-api-key, content-type, x-askdesk-visitor');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('lets any origin read the answers of a tenant with no allowed origins, file:// pages included', async () => {
    for (const origin of ['https://anywhere.example', 'null']) {
      const res = await t.gql(MeDocument, {}, { key: open.key, headers: { origin } });
      expect(res.status).toBe(200);
      expect(res.body.data.me.id).toBe(open.id);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('vary')).toMatch(/Origin/);
      expect(res.headers.get('access-control-expose-headers')).toBe(EXPOSED);
      expect(res.headers.get('ratelimit-limit')).not.toBeNull();
    }
  });

  it("serves a restricted tenant from its origins only; others, and file:// pages, get 403 FORBIDDEN", async () => {
    const ok = await t.gql(MeDocument, {}, { key: restricted.key, headers: { origin: 'https://intranet.chu.example' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://intranet.chu.example');

    for (const origin of ['https://evil.example', 'null', 'https://intranet.chu.example:8443']) {
      const res = await t.gql(MeDocument, {}, { key: restricted.key, headers: { origin } });
      expect(res.status).toBe(403);
      expect(res.body.errors![0]).toMatchObject({ message: 'This origin is not allowed for this tenant.', extensions: { code: 'FORBIDDEN' } });
      // The refusal itself is readable, so a widget on a site its tenant has not allowed can say why it can't answer.
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    }
    // Server-to-server calls send no Origin and are not a browser's business.
    expect((await t.gql(MeDocument, {}, { key: restricted.key })).status).toBe(200);
  });

  it('follows a change of allowedOrigins at once', async () => {
    const tenant = await t.tenant('BUSINESS');
    const set = (origins: string[]) =>
      t.gql(`mutation($id: ID!, $o: [String!]) { updateTenant(id: $id, input: { allowedOrigins: $o }) { allowedOrigins } }`, { id: tenant.id, o: origins });
    expect((await set(['https://a.example/'])).body.data.updateTenant.allowedOrigins).toEqual(['https://a.example']);
    expect((await t.gql(MeDocument, {}, { key: tenant.key, headers: { origin: 'https://b.example' } })).status).toBe(403);
    await set([]);
    expect((await t.gql(MeDocument, {}, { key: tenant.key, headers: { origin: 'https://b.example' } })).status).toBe(200);
  });

  it('does not restrict admin keys, and lets a page read a refusal of its bad key', async () => {
    const admin = await t.gql(`{ tenants(first: 1) { totalCount } }`, {}, { key: ADMIN_KEY, headers: { origin: 'https://console.example' } });
    expect(admin.status).toBe(200);
    const bad = await t.gql(MeDocument, {}, { key: 'sk_business_' + 'x'.repeat(43), headers: { origin: 'https://evil.example' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('access-control-allow-origin')).toBe('https://evil.example');
  });

  it('refuses askStream over WebSocket from a disallowed origin with FORBIDDEN, and serves an allowed one', async () => {
    const subscribe = (origin: string) => askStreamFrom(t.url, origin, { authorization: `Bearer ${restricted.key}` });
    const refused = await subscribe('https://evil.example');
    const errors = refused.error ?? refused.events[0]?.errors;
    expect(errors[0]).toMatchObject({ message: 'This origin is not allowed for this tenant.', extensions: { code: 'FORBIDDEN' } });

    const allowed = await subscribe('http://localhost:8080');
    expect(allowed.error).toBeUndefined();
    expect(allowed.events.at(-1).data.askStream.done).toBe(true);
  });

  it('refuses origins that are not origins', async () => {
    const res = await t.gql(`mutation { createTenant(input: { name: "Bad", contactEmail: "a@b.example", plan: DEMO, allowedOrigins: ["intranet"] }) { tenant { id } } }`);
    expect(res.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'allowedOrigins' });
  });
});
