import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app';
import { countStatements } from '../helpers/statements';
import { PgRetrievalIndex } from '../../src/services/retrieval/pg-retrieval-index';
import { DEFAULT_RANKING } from '../../src/services/retrieval/pg-retriever';

/*
 * Each server process searches its own in-memory index of a tenant's chunks (TenantIndexCache). Two app instances
 * over one database stand for two processes behind a load balancer: whatever one adds or removes, the other finds,
 * or no longer finds, on its very next search, and in steady state a search still costs one statement. Runs on
 * PGlite, or on TEST_DATABASE_URL.
 */
describe('two server processes on one database', () => {
  let one: TestApp;
  let two: TestApp;
  let tenantId: string;

  const search = async (app: TestApp, query: string) => {
    const res = await app.gql<{ retrievalTest: { documentId: string; title: string }[] }>(
      `query($t: ID!, $q: String!) { retrievalTest(tenantId: $t, query: $q, first: 5) { documentId title } }`,
      { t: tenantId, q: query },
    );
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.retrievalTest.map((h) => h.title);
  };
  const add = async (app: TestApp, title: string, content: string): Promise<string> => {
    const res = await app.gql<{ addDocuments: { documents: { id: string }[] } }>(
      `mutation($t: ID!, $d: [DocumentInput!]!) { addDocuments(tenantId: $t, documents: $d) { documents { id } } }`,
      { t: tenantId, d: [{ title, content }] },
    );
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.addDocuments.documents[0].id;
  };

  beforeAll(async () => {
    one = await startTestApp();
    two = await startTestApp({}, one.database);
    tenantId = (await one.tenant('BUSINESS')).id;
    await add(one, 'Password reset', 'To reset your password open the password portal and answer the security questions.');
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  it('finds through one what was added through the other, on the next search', async () => {
    expect(await search(two, 'reset my password')).toEqual(['Password reset']);
    expect(await search(one, 'reset my password')).toEqual(['Password reset']);
    expect(await search(two, 'globalprotect vpn')).toEqual([]);

    await add(one, 'VPN access', 'Install GlobalProtect and sign in at vpn.example.org with your badge number.');
    expect(await search(two, 'globalprotect vpn')).toEqual(['VPN access']);
    // Document frequencies moved with it: the other process's ranking counts the new chunk too.
    await add(two, 'Password expiry', 'Your password expires every ninety days; the portal warns you a week before.');
    expect((await search(one, 'password portal')).sort()).toEqual(['Password expiry', 'Password reset']);
  });

  it('no longer finds through one what was removed through the other', async () => {
    const id = await add(two, 'Printer jams', 'Open tray two and pull the jammed sheet towards you.');
    expect(await search(one, 'printer jammed sheet')).toEqual(['Printer jams']);
    const removed = await two.gql(`mutation($id: ID!) { removeDocument(id: $id) }`, { id });
    expect(removed.body.errors).toBeUndefined();
    expect(await search(one, 'printer jammed sheet')).toEqual([]);
    expect(await search(one, 'reset my password')).toContain('Password reset');
  });

  it('ranks after additions and removals exactly as an index loaded afresh', async () => {
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await add(two, `Printer ${i}`, `Printer ${i} on floor ${i}: open tray ${i + 1} and clear the paper jam; password ${i}.`));
    await search(one, 'printer paper jam');
    await two.gql(`mutation($id: ID!) { removeDocument(id: $id) }`, { id: ids[1] });
    await add(two, 'Scanner', 'The scanner on floor two sends to your mailbox; jam: open the lid.');
    const questions = ['printer paper jam tray', 'password portal floor', 'scanner jam lid'];
    for (const q of questions) {
      const kept = await one.app.services.index.forTenant(tenantId).search(q, 8);
      const fresh = await new PgRetrievalIndex(one.database.dataSource).forTenant(tenantId).search(q, 8);
      expect(kept.map((p) => [p.chunkId, p.score, p.evidence]), q).toEqual(fresh.map((p) => [p.chunkId, p.score, p.evidence]));
    }
    for (const id of [ids[0], ids[2], ids[3]]) await two.gql(`mutation($id: ID!) { removeDocument(id: $id) }`, { id });
  });

  it('costs one statement per search once up to date', async () => {
    await search(one, 'reset my password');
    const counter = countStatements();
    await search(one, 'globalprotect vpn');
    await search(one, 'password portal');
    counter.stop();
    expect(counter.statements.filter((s) => /\bchunk\b/.test(s)), counter.statements.join('\n')).toHaveLength(2);
  });

  it('holds tenants within its bound on postings, the least recently searched out first', async () => {
    const other = (await one.tenant('BUSINESS')).id;
    const res = await one.gql(`mutation($t: ID!) { addDocuments(tenantId: $t, documents: [{ title: "Badge", content: "Lost badges are replaced at the front desk." }]) { chunkCount } }`, { t: other });
    expect(res.body.errors).toBeUndefined();
    const postings = async (t: string) =>
      Number((await one.database.dataSource.query(`SELECT sum(cardinality(string_to_array(terms, ' ')))::int AS n FROM chunk WHERE tenant_id = $1`, [t]))[0].n);
    // Room for the larger tenant, not for both.
    const bound = Math.max(await postings(tenantId), await postings(other)) + 2;
    const index = new PgRetrievalIndex(one.database.dataSource, DEFAULT_RANKING, bound);
    const loads = async (work: () => Promise<unknown>) => {
      const counter = countStatements();
      await work();
      counter.stop();
      return counter.statements.filter((s) => /\(c\.seq > \$2 OR \$3\)/.test(s)).length;
    };
    expect(await loads(() => index.forTenant(tenantId).search('password', 5))).toBe(1);
    expect(await loads(() => index.forTenant(tenantId).search('password', 5))).toBe(0);
    expect(await loads(() => index.forTenant(other).search('badge', 5))).toBe(1);
    // The first tenant made room for the second, and comes back with a load of its own.
    expect(await loads(() => index.forTenant(tenantId).search('password', 5))).toBe(1);
    expect((await index.forTenant(other).search('lost badge', 5))[0]?.title).toBe('Badge');
  });

  it('forgets a deleted tenant on the other process too', async () => {
    expect(await search(two, 'reset my password')).toContain('Password reset');
    const res = await one.gql(`mutation($t: ID!) { deleteTenant(id: $t) }`, { t: tenantId });
    expect(res.body.errors).toBeUndefined();
    const after = await two.gql(`query($t: ID!) { retrievalTest(tenantId: $t, query: "reset my password") { title } }`, { t: tenantId });
    expect(after.body.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
    const index = two.app.services.index;
    // Searched directly, as a retriever made before the deletion would: nothing of the tenant is left.
    expect(await index.forTenant(tenantId).search('reset my password', 5)).toEqual([]);
  });
});
