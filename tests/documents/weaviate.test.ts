import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { IndexedDocument } from '../../src/services/retrieval/types';
import { WeaviateRetrievalIndex } from '../../src/services/retrieval/weaviate-retrieval-index';
import { weaviateTenantName } from '../../src/services/retrieval/weaviate-retriever';
import { WeaviateFake, type WeaviateFakeOptions } from '../fakes/weaviate-fake';

const A = randomUUID();
const B = randomUUID();
const tA = weaviateTenantName(A);
const tB = weaviateTenantName(B);

function doc(tenantId: string, title: string, texts: string[], sourceUrl: string | null = null): IndexedDocument {
  return {
    tenantId,
    documentId: randomUUID(),
    title,
    sourceUrl,
    chunks: texts.map((text, ordinal) => ({ ordinal, heading: `${title} > Part ${ordinal + 1}`, text })),
  };
}

const printerA = doc(A, 'Printer setup', [
  'Add the office printer from Settings, then choose the second floor queue.',
  'When the printer shows offline, restart the print spooler service.',
], 'https://kb.example/printer');
const vpnA = doc(A, 'VPN access', [
  'Install the VPN client and sign in with your company account.',
  'If the VPN disconnects every few minutes, switch the protocol to TCP.',
]);
const passwordA = doc(A, 'Password reset', [
  'To reset your password, open the self-service portal and answer the security questions.',
  'A reset password link expires after one hour.',
]);
const printerB = doc(B, 'Printer troubleshooting', [
  'Printer jams: open tray two and remove the paper, then restart the printer.',
]);

let fake: WeaviateFake;
let url: string;

async function startFake(options?: WeaviateFakeOptions): Promise<WeaviateFake> {
  fake = new WeaviateFake(options);
  url = await fake.start();
  return fake;
}

async function seeded(options: { vectorizer?: string } = {}): Promise<WeaviateRetrievalIndex> {
  const index = new WeaviateRetrievalIndex({ url, ...options });
  for (const d of [printerA, vpnA, passwordA, printerB]) await index.addDocument(d);
  return index;
}

const requestsTo = (method: string, path: string) => fake.requests.filter((r) => r.method === method && r.path === path);

afterEach(async () => {
  await fake?.close();
});

describe('WeaviateRetrievalIndex', () => {
  it('creates the multi-tenant class once and each tenant on its first ingestion', async () => {
    await startFake();
    await seeded();

    expect(requestsTo('POST', '/v1/schema')).toHaveLength(1);
    const cls = fake.classDefinition('Chunk');
    expect(cls?.multiTenancyConfig).toEqual({ enabled: true });
    expect(cls?.vectorizer).toBe('none');
    expect(cls?.properties.map((p) => p.name).sort()).toEqual(
      ['documentId', 'heading', 'ordinal', 'sourceUrl', 'text', 'title'].sort(),
    );

    expect(requestsTo('POST', '/v1/schema/Chunk/tenants').map((r) => r.body)).toEqual([[{ name: tA }], [{ name: tB }]]);
    expect(fake.tenantNames('Chunk').sort()).toEqual([tA, tB].sort());
    expect(fake.objects('Chunk', tA)).toHaveLength(6);
    expect(fake.objects('Chunk', tB)).toHaveLength(1);

    const stored = fake.objects('Chunk', tA).find((o) => o.properties.text === printerA.chunks[1].text);
    expect(stored?.properties).toEqual({
      documentId: printerA.documentId,
      title: 'Printer setup',
      heading: 'Printer setup > Part 2',
      text: printerA.chunks[1].text,
      ordinal: 1,
      sourceUrl: 'https://kb.example/printer',
    });
  });

  it('imports through the batch API in batches of 100, each object carrying its tenant', async () => {
    await startFake();
    const index = new WeaviateRetrievalIndex({ url });
    const manual = doc(A, 'Manual', Array.from({ length: 250 }, (_, i) => `Section ${i} of the manual.`));
    await index.addDocument(manual);

    const batches = requestsTo('POST', '/v1/batch/objects');
    const sizes = batches.map((r) => (r.body as { objects: unknown[] }).objects.length);
    expect(sizes).toEqual([100, 100, 50]);
    const objects = batches.flatMap((r) => (r.body as { objects: { class: string; tenant: string }[] }).objects);
    expect(objects.every((o) => o.class === 'Chunk' && o.tenant === tA)).toBe(true);
    expect(fake.objects('Chunk', tA)).toHaveLength(250);
  });

  it('replaces the chunks of a document that is ingested again', async () => {
    await startFake();
    const index = new WeaviateRetrievalIndex({ url });
    const manual = doc(A, 'Manual', ['one', 'two', 'three']);
    await index.addDocument(manual);
    await index.addDocument({ ...manual, chunks: [{ ordinal: 0, heading: '', text: 'rewritten' }] });

    expect(fake.objects('Chunk', tA).map((o) => o.properties.text)).toEqual(['rewritten']);
  });

  it('throws when Weaviate refuses objects of a batch', async () => {
    await startFake();
    const index = new WeaviateRetrievalIndex({ url });
    await index.addDocument(vpnA);

    // Another process deletes the tenant while this import is on the wire: Weaviate answers 200 with an error on
    // every object, which must not pass for success.
    fake.stallNext(200, 'POST /v1/batch/objects');
    const importing = index.addDocument(passwordA);
    await expect.poll(() => requestsTo('POST', '/v1/batch/objects').length).toBe(2);
    await new WeaviateRetrievalIndex({ url }).removeTenant(A);
    await expect(importing).rejects.toThrow(/refused 2 of 2 chunks.*tenant not found/);
  });

  it('works alongside another process that already created the class and the tenant', async () => {
    await startFake();
    await new WeaviateRetrievalIndex({ url }).addDocument(vpnA);
    const schemaPosts = requestsTo('POST', '/v1/schema').length;

    const second = new WeaviateRetrievalIndex({ url });
    await second.addDocument(passwordA); // the fake, like Weaviate < 1.25, refuses the repeated tenant with 422

    expect(requestsTo('POST', '/v1/schema')).toHaveLength(schemaPosts);
    expect(fake.tenantNames('Chunk')).toEqual([tA]);
    expect((await second.forTenant(A).search('reset password', 5))[0]?.documentId).toBe(passwordA.documentId);
  });

  it('removes one document of one tenant, over several rounds when it exceeds the delete limit', async () => {
    await startFake({ queryMaximumResults: 3 });
    const index = await seeded();
    const big = doc(A, 'Big printer guide', Array.from({ length: 7 }, (_, i) => `Printer tip number ${i}.`));
    await index.addDocument(big);
    const before = requestsTo('DELETE', '/v1/batch/objects').length;

    await index.removeDocument(A, big.documentId);
    await index.removeDocument(A, printerA.documentId);

    const deletes = requestsTo('DELETE', '/v1/batch/objects').slice(before);
    expect(deletes).toHaveLength(4); // 3 + 3 + 1 for the big document, 1 for the printer guide
    expect(deletes.every((r) => r.query.tenant === tA)).toBe(true);
    expect(fake.objects('Chunk', tA).map((o) => o.properties.documentId)).not.toContain(big.documentId);
    expect(fake.objects('Chunk', tA)).toHaveLength(4);
    expect(fake.objects('Chunk', tB)).toHaveLength(1);
    const hits = await index.forTenant(A).search('printer', 10);
    expect(hits).toEqual([]);
    expect(await index.forTenant(B).search('printer', 10)).toHaveLength(1);

    await index.removeDocument(randomUUID(), randomUUID()); // a tenant never ingested: nothing to do, no error
  });

  it('removes a tenant by deleting its Weaviate tenant, and can create it again later', async () => {
    await startFake();
    const index = await seeded();

    await index.removeTenant(A);

    expect(requestsTo('DELETE', '/v1/schema/Chunk/tenants').map((r) => r.body)).toEqual([[tA]]);
    expect(fake.tenantNames('Chunk')).toEqual([tB]);
    expect(await index.forTenant(A).search('printer', 5)).toEqual([]);
    expect(await index.forTenant(B).search('printer', 5)).toHaveLength(1);

    await index.addDocument(vpnA);
    expect(fake.tenantNames('Chunk').sort()).toEqual([tA, tB].sort());
    expect((await index.forTenant(A).search('vpn', 5))[0]?.documentId).toBe(vpnA.documentId);
  });

  it('pings through /v1/meta, with the API key when one is configured', async () => {
    await startFake({ apiKey: 'secret' });
    await new WeaviateRetrievalIndex({ url, apiKey: 'secret' }).ping();
    expect(requestsTo('GET', '/v1/meta').at(-1)?.authorization).toBe('Bearer secret');
    await expect(new WeaviateRetrievalIndex({ url }).ping()).rejects.toThrow(/401/);

    const index = new WeaviateRetrievalIndex({ url, apiKey: 'secret' });
    await fake.close();
    await expect(index.ping()).rejects.toThrow();
  });

  it('refuses a tenant id that cannot make a safe tenant name', () => {
    const index = new WeaviateRetrievalIndex({ url: 'http://127.0.0.1:1' });
    expect(() => index.forTenant('x") { id } }')).toThrow(/cannot name a Weaviate tenant/);
  });
});

describe('WeaviateRetriever', () => {
  it("searches only its own tenant, and says which tenant in every query", async () => {
    await startFake();
    const index = await seeded();

    const hitsA = await index.forTenant(A).search('printer restart', 10);
    const hitsB = await index.forTenant(B).search('printer restart', 10);

    const docsA = new Set([printerA, vpnA, passwordA].map((d) => d.documentId));
    expect(hitsA.length).toBeGreaterThan(0);
    expect(hitsA.every((h) => docsA.has(h.documentId))).toBe(true);
    expect(hitsB.map((h) => h.documentId)).toEqual([printerB.documentId]);

    const searches = fake.searches();
    expect(searches.map((s) => s.args.tenant)).toEqual([tA, tB]);
    expect(searches.every((s) => s.className === 'Chunk')).toBe(true);
  });

  it('returns the best document first, as passages with numeric scores and coverage', async () => {
    await startFake();
    const index = await seeded();

    const hits = await index.forTenant(A).search('How do I reset my password?', 3);

    expect(hits.length).toBeGreaterThan(0);
    expect(hits.length).toBeLessThanOrEqual(3);
    expect(hits[0].documentId).toBe(passwordA.documentId);
    expect(hits[0]).toMatchObject({ title: 'Password reset', sourceUrl: null, coverage: 1 });
    expect(hits[0].chunkId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fake.objects('Chunk', tA).map((o) => o.id)).toContain(hits[0].chunkId);
    expect(typeof hits[0].score).toBe('number');
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((x, y) => y - x));
    for (const h of hits) expect(h.coverage).toBeGreaterThanOrEqual(0);

    const printer = await index.forTenant(A).search('printer offline', 1);
    expect(printer[0]).toMatchObject({ documentId: printerA.documentId, sourceUrl: 'https://kb.example/printer' });

    const search = fake.searches()[0];
    expect(search.args.bm25).toEqual({ query: 'How do I reset my password?', properties: ['title^2', 'heading', 'text'] });
    expect(search.args.limit).toBe(3);
    expect(search.args.hybrid).toBeUndefined();
  });

  it('searches hybrid when a vectorizer is configured', async () => {
    await startFake();
    const index = await seeded({ vectorizer: 'text2vec-openai' });

    const hits = await index.forTenant(A).search('VPN keeps disconnecting', 2);

    expect(fake.classDefinition('Chunk')?.vectorizer).toBe('text2vec-openai');
    const search = fake.searches()[0];
    expect(search.args.bm25).toBeUndefined();
    expect(search.args.hybrid).toMatchObject({ query: 'VPN keeps disconnecting', alpha: 0.5 });
    expect(search.args.tenant).toBe(tA);
    expect(hits[0].documentId).toBe(vpnA.documentId);
  });

  it('returns nothing for a tenant that never ingested anything', async () => {
    await startFake();
    const index = new WeaviateRetrievalIndex({ url });
    expect(await index.forTenant(A).search('printer', 5)).toEqual([]); // no class on the server yet

    await index.addDocument(printerB);
    expect(await index.forTenant(A).search('printer', 5)).toEqual([]); // class exists, tenant does not
    expect(fake.searches().map((s) => s.args.tenant)).toEqual([tA, tA]);
  });

  it('throws when Weaviate fails or does not answer in time', async () => {
    await startFake();
    const index = await seeded();

    fake.failNext(503, '/v1/graphql');
    await expect(index.forTenant(A).search('printer', 5)).rejects.toThrow(/Weaviate search failed/);

    const impatient = new WeaviateRetrievalIndex({ url, timeoutMs: 50 });
    fake.stallNext(500, '/v1/graphql');
    await expect(impatient.forTenant(A).search('printer', 5)).rejects.toThrow(/timed out/);

    fake.failNext(500, 'POST /v1/batch/objects');
    await expect(index.addDocument(doc(A, 'More', ['text']))).rejects.toThrow(/500/);

    await fake.close();
    await expect(index.forTenant(A).search('printer', 5)).rejects.toThrow();
  });
});
