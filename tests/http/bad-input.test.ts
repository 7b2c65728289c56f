import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../helpers/app';

// Every operation here is deliberately wrong (malformed, invalid literals, too wide or too deep): strings, not documents.
describe('bad input and query limits over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
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
});
