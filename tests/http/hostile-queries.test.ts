import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, TestApp } from '../helpers/app';
import { RawWs } from '../helpers/ws';

/** Fields nested `depth` levels deep under `__schema { types { … } }`-like or ordinary paths. */
const nest = (open: string, depth: number, leaf: string) => `${open.repeat(depth)}${leaf}${' }'.repeat(depth)}`;

describe('hostile queries are refused early, with a contract code', () => {
  let t: TestApp;
  let tenant: { id: string; key: string; keyId: string };
  beforeAll(async () => {
    t = await startTestApp();
    tenant = await t.tenant('BUSINESS');
    await t.gql(`mutation { addDocuments(tenantId: "${tenant.id}", documents: [{ title: "VPN", content: "Install the VPN client and sign in with your badge." }]) { chunkCount } }`);
  });
  afterAll(async () => t?.close());

  const post = async (body: unknown, key: string | null = tenant.key) => {
    const started = performance.now();
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const json = (await res.json()) as { data?: any; errors?: { message: string; extensions: { code: string } }[] };
    return { status: res.status, body: json, ms: performance.now() - started };
  };
  const codeOf = (r: { body: { errors?: { extensions: { code: string } }[] } }) => r.body.errors?.[0]?.extensions.code;

  it('refuses 3,400 aliases with QUERY_TOO_COMPLEX instead of running them', async () => {
    const query = `{ ${Array.from({ length: 3_400 }, (_, i) => `a${i}: plans { code }`).join(' ')} }`;
    const r = await post({ query });
    expect(r.status).toBe(400);
    expect(codeOf(r)).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses a 1 MB query within milliseconds, whatever its shape', async () => {
    const shapes = {
      aliases: `{ ${'x: plans { code } '.repeat(60_000)} }`,
      tokens: `{ plans { ${'code '.repeat(210_000)} } }`,
      nesting: `{ ${'plans { '.repeat(130_000)} }`,
      strings: `{ a: plans { code } } ${'# comment '.repeat(105_000)}`,
    };
    const timings: Record<string, number> = {};
    for (const [shape, query] of Object.entries(shapes)) {
      expect(query.length, shape).toBeGreaterThan(1_000_000);
      // Sent with the admin key, whose bodies may pass 1 MB (document uploads): a client key's body this large is
      // refused for its size (413) before the guard sees it.
      await post({ query }, ADMIN_KEY); // warm-up: the first request of a shape pays for JIT, not for the check
      const r = await post({ query }, ADMIN_KEY);
      expect(r.status, shape).toBe(r.status === 200 ? 200 : 400);
      if (shape !== 'strings') expect(codeOf(r), shape).toBe('QUERY_TOO_COMPLEX');
      // The check itself takes a few ms for 1 MB (3–50 ms measured with the machine's load at 14–20 on 2 cores);
      // the round trip adds sending 1 MB. The bound is loose so a loaded CI machine doesn't flake, and still far
      // below the seconds an unchecked 3,400-alias query took before.
      expect(r.ms, shape).toBeLessThan(1_500);
      timings[shape] = Math.round(r.ms * 10) / 10;
    }
    console.log('1 MB query, round-trip ms by shape:', timings);
  });

  it('holds introspection to depth 15: the standard introspection query passes, a deeper one is refused', async () => {
    const standard = await post({ query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }) }, null);
    expect(standard.status).toBe(200);
    expect(standard.body.data.__schema.types.length).toBeGreaterThan(10);
    const deep = await post({ query: `{ __schema { types { fields { type { ${nest('ofType { ', 11, 'name')} } } } } }` }, null);
    expect(deep.status).toBe(400);
    expect(codeOf(deep)).toBe('QUERY_TOO_COMPLEX');
    const deepType = await post({ query: `{ __type(name: "Tenant") { ${nest('ofType { ', 15, 'name')} } }` }, null);
    expect(codeOf(deepType)).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses depth over 10 and more than 50 root fields or aliases, and accepts the limits themselves', async () => {
    const fields = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `p${i}: plans { code }`).join(' ')} }`;
    expect((await post({ query: fields(50) })).status).toBe(200);
    const wide = await post({ query: fields(51) });
    expect([wide.status, codeOf(wide)]).toEqual([400, 'QUERY_TOO_COMPLEX']);
    const nestedAliases = await post({ query: `{ me { ${Array.from({ length: 51 }, (_, i) => `n${i}: name`).join(' ')} } }` });
    expect([nestedAliases.status, codeOf(nestedAliases)]).toEqual([400, 'QUERY_TOO_COMPLEX']);
    // me(1) plan(2) code(3): depth 3 is fine; a fragment can't hide depth.
    expect((await post({ query: '{ me { plan { code } } }' })).status).toBe(200);
    const hidden = `query { ...A } ${Array.from({ length: 11 }, (_, i) => `fragment ${String.fromCharCode(65 + i)} on Query { me { ...${String.fromCharCode(66 + i)} } }`).join(' ')} fragment L on Query { plans { code } }`;
    const deepByFragments = await post({ query: hidden });
    expect([deepByFragments.status, codeOf(deepByFragments)]).toEqual([400, 'QUERY_TOO_COMPLEX']);
  });

  it('refuses fragment cycles through fields and an 18-level fragment fan-out with 400, not 500', async () => {
    const cycle = await post({ query: '{ ...A } fragment A on Query { me { ...B } } fragment B on Tenant { plan { ...C } } fragment C on Plan { ...A }' });
    expect([cycle.status, codeOf(cycle)]).toEqual([400, 'QUERY_TOO_COMPLEX']);
    const selfCycle = await post({ query: '{ me { ...T } } fragment T on Tenant { keys { id } plan { code } ...T }' });
    expect([selfCycle.status, codeOf(selfCycle)]).toEqual([400, 'QUERY_TOO_COMPLEX']);
    const levels = Array.from({ length: 18 }, (_, i) => `fragment F${i + 1} on Query { ...F${i} ...F${i} }`).join(' ');
    const fanOut = await post({ query: `{ ...F18 } fragment F0 on Query { plans { code name } } ${levels}` });
    expect([fanOut.status, codeOf(fanOut)]).toEqual([400, 'QUERY_TOO_COMPLEX']);
    expect(fanOut.ms).toBeLessThan(1_000);
  });

  it('refuses a subscription over HTTP POST with 400 BAD_USER_INPUT', async () => {
    const r = await post({ query: 'subscription { askStream(input: { question: "vpn" }) { delta done } }' });
    expect([r.status, codeOf(r)]).toEqual([400, 'BAD_USER_INPUT']);
    // The same text is first run for its query (the guard keeps documents that passed): the choice is made anew.
    const both = 'query Q { plans { code } } subscription S { askStream(input: { question: "vpn" }) { done } }';
    expect((await post({ query: both, operationName: 'Q' })).status).toBe(200);
    const named = await post({ query: both, operationName: 'S' });
    expect([named.status, codeOf(named)]).toEqual([400, 'BAD_USER_INPUT']);
  });

  it('refuses JSON nested 5,000 levels deep in variables, extensions or the body with 400 BAD_USER_INPUT', async () => {
    const deep = '['.repeat(5_000) + ']'.repeat(5_000);
    const deepObject = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);
    for (const body of [
      `{"query":"query($v: String) { plans { code } }","variables":{"v":${deep}}}`,
      `{"query":"{ plans { code } }","extensions":${deepObject}}`,
      `{"query":"{ plans { code } }","other":${deep}}`,
      deep,
    ]) {
      const r = await post(body);
      expect([r.status, codeOf(r)], body.slice(0, 60)).toEqual([400, 'BAD_USER_INPUT']);
    }
  });

  it('answers two metered fields in one operation with 400 BAD_USER_INPUT before charging anything', async () => {
    const two = await post({ query: 'mutation { a: ask(input: { question: "VPN?" }) { answer } b: ask(input: { question: "VPN badge?" }) { answer } }' });
    expect([two.status, codeOf(two)]).toEqual([400, 'BAD_USER_INPUT']);
    const viaFragment = await post({ query: 'mutation { ask(input: { question: "VPN?" }) { answer } ...M } fragment M on Mutation { again: ask(input: { question: "x" }) { answer } }' });
    expect([viaFragment.status, codeOf(viaFragment)]).toEqual([400, 'BAD_USER_INPUT']);
    const quota = await post({ query: '{ quota { used } }' });
    expect(quota.body.data.quota.used).toBe(0);
    const one = await post({ query: 'mutation { ask(input: { question: "How do I install the VPN?" }) { quota { used } } }' });
    expect(one.body.data.ask.quota.used).toBe(1);
  });

  it('over WebSocket, a 300-deep query gets an error message with QUERY_TOO_COMPLEX and the socket stays open', async () => {
    const ws = await RawWs.open(t.url, { authorization: `Bearer ${tenant.key}` });
    try {
      ws.send({ id: 'deep', type: 'subscribe', payload: { query: `subscription { askStream(input: { question: "vpn" }) { ${nest('result { ', 300, 'answer')} } }` } });
      const error = await ws.next((m) => m.id === 'deep');
      expect(error.type).toBe('error');
      expect(error.payload[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      ws.send({ id: 'two', type: 'subscribe', payload: { query: 'subscription { a: askStream(input: { question: "vpn" }) { done } b: askStream(input: { question: "vpn" }) { done } }' } });
      expect((await ws.next((m) => m.id === 'two')).payload[0].extensions.code).toBe('BAD_USER_INPUT');
      ws.send({ type: 'ping' });
      await ws.next((m) => m.type === 'pong');
      expect(ws.closeCode).toBeNull();
    } finally {
      ws.close();
    }
  });
});
