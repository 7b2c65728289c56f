import { randomUUID } from 'node:crypto';
import weaviate from 'weaviate-client';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import type { IndexedDocument } from '../../src/services/retrieval/types';
import { WeaviateRetrievalIndex, type WeaviateRetrievalIndexOptions } from '../../src/services/retrieval/weaviate-retrieval-index';
import { weaviateTenantName } from '../../src/services/retrieval/weaviate-retriever';
import { WeaviateFake, type WeaviateFakeOptions } from '../fakes/weaviate-fake';

// What the Weaviate backend does of its own; what every backend promises is in retriever-contract.test.ts.

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
const printerB = doc(B, 'Printer troubleshooting', ['Printer jams: open tray two and remove the paper, then restart the printer.']);

let fake: WeaviateFake | undefined;
const indexes: WeaviateRetrievalIndex[] = [];

async function startFake(options?: WeaviateFakeOptions): Promise<WeaviateFake> {
  fake = new WeaviateFake(options);
  await fake.start();
  return fake;
}

/** An index on the running fake, closed after the test. */
function newIndex(options: Partial<WeaviateRetrievalIndexOptions> = {}): WeaviateRetrievalIndex {
  const env = fake!.env();
  const index = new WeaviateRetrievalIndex({ url: env.WEAVIATE_URL, grpcUrl: env.WEAVIATE_GRPC_URL, ...options });
  indexes.push(index);
  return index;
}

async function seeded(options: Partial<WeaviateRetrievalIndexOptions> = {}): Promise<WeaviateRetrievalIndex> {
  const index = newIndex(options);
  for (const d of [printerA, vpnA, passwordA, printerB]) await index.addDocument(d);
  return index;
}

const grpc = (method: string) => fake!.calls('gRPC', method);
const rest = (route: string) => fake!.calls('REST', route);

afterEach(async () => {
  for (const index of indexes.splice(0)) await index.close();
  await fake?.close();
  fake = undefined;
});

describe('Weaviate configuration', () => {
  it('takes REST from WEAVIATE_URL and gRPC from WEAVIATE_GRPC_URL, by default the same host on port 50051', () => {
    expect(parseConfig({}).weaviate).toBeUndefined();
    expect(parseConfig({ WEAVIATE_URL: 'http://weaviate:8080' }).weaviate).toEqual({ url: 'http://weaviate:8080', grpcUrl: 'http://weaviate:50051' });
    expect(parseConfig({ WEAVIATE_URL: 'https://c1.example.net', WEAVIATE_API_KEY: 'k', WEAVIATE_VECTORIZER: 'text2vec-openai' }).weaviate).toEqual({
      url: 'https://c1.example.net', grpcUrl: 'https://c1.example.net:50051', apiKey: 'k', vectorizer: 'text2vec-openai',
    });
    expect(parseConfig({ WEAVIATE_URL: 'https://c1.example.net', WEAVIATE_GRPC_URL: 'https://grpc-c1.example.net' }).weaviate?.grpcUrl).toBe('https://grpc-c1.example.net');
  });

  it('refuses bad Weaviate settings at start-up, naming the variable', () => {
    expect(() => parseConfig({ WEAVIATE_URL: 'weaviate:8080' })).toThrow(/WEAVIATE_URL/);
    expect(() => parseConfig({ WEAVIATE_URL: 'http://weaviate:8080', WEAVIATE_GRPC_URL: 'grpc://weaviate:50051' })).toThrow(/WEAVIATE_GRPC_URL/);
    expect(() => parseConfig({ WEAVIATE_GRPC_URL: 'http://weaviate:50051' })).toThrow(/WEAVIATE_GRPC_URL needs WEAVIATE_URL/);
    expect(() => parseConfig({ WEAVIATE_URL: 'http://weaviate:8080', WEAVIATE_VECTORIZER: 'OpenAI ada' })).toThrow(/WEAVIATE_VECTORIZER/);
  });
});

describe('WeaviateRetrievalIndex', () => {
  it('creates the multi-tenant collection once; each tenant comes with its first import', async () => {
    await startFake();
    await seeded();

    expect(rest('POST /v1/schema')).toHaveLength(1);
    const cls = fake!.classDefinition('Chunk')!;
    // Auto creation makes a tenant on its first import; no auto activation, so a suspended tenant stays at rest.
    expect(cls.multiTenancyConfig).toEqual({ enabled: true, autoTenantCreation: true, autoTenantActivation: false });
    expect(cls.vectorizer).toBe('none');
    expect(cls.properties.map((p) => p.name).sort()).toEqual(['documentId', 'heading', 'ordinal', 'sourceUrl', 'text', 'title']);
    expect(cls.properties.find((p) => p.name === 'documentId')).toMatchObject({ tokenization: 'field', indexFilterable: true });

    expect(rest('POST /v1/schema/Chunk/tenants')).toEqual([]);
    expect(fake!.tenantNames('Chunk').sort()).toEqual([tA, tB].sort());
    expect(fake!.objects('Chunk', tA)).toHaveLength(6);
    expect(fake!.objects('Chunk', tB)).toHaveLength(1);
    const stored = fake!.objects('Chunk', tA).find((o) => o.properties.text === printerA.chunks[1].text);
    expect(stored?.properties).toEqual({
      documentId: printerA.documentId,
      title: 'Printer setup',
      heading: 'Printer setup > Part 2',
      text: printerA.chunks[1].text,
      ordinal: 1,
      sourceUrl: 'https://kb.example/printer',
    });
  });

  it('imports over gRPC in batches of 100, every object naming the collection and its tenant', async () => {
    await startFake();
    const index = newIndex();
    await index.addDocument(doc(A, 'Manual', Array.from({ length: 250 }, (_, i) => `Section ${i} of the manual.`)));

    const batches = grpc('BatchObjects').map((r) => r.body.objects as { collection: string; tenant: string; uuid: string }[]);
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches.flat().every((o) => o.collection === 'Chunk' && o.tenant === tA)).toBe(true);
    expect(fake!.objects('Chunk', tA)).toHaveLength(250);

    // Ids come from the chunk's identity: importing the same document again overwrites, never duplicates.
    const ids = batches.flat().map((o) => o.uuid);
    expect(new Set(ids).size).toBe(250);
  });

  it('replaces a re-ingested document: one filtered gRPC delete in its tenant, then the import', async () => {
    await startFake();
    const index = newIndex();
    const manual = doc(A, 'Manual', ['one', 'two', 'three']);
    await index.addDocument(manual);
    await index.addDocument({ ...manual, chunks: [{ ordinal: 0, heading: '', text: 'rewritten' }] });

    expect(fake!.objects('Chunk', tA).map((o) => o.properties.text)).toEqual(['rewritten']);
    const [, second] = grpc('BatchDelete');
    expect(second.body).toMatchObject({ collection: 'Chunk', tenant: tA, filters: { target: { property: 'documentId' }, valueText: manual.documentId } });
  });

  /** A collection of the same name made beforehand, by hand or by an older AskDesk. */
  async function madeBeforehand(multiTenancyConfig: object, ordinalType = 'int'): Promise<void> {
    const properties = [['documentId', 'text'], ['title', 'text'], ['heading', 'text'], ['text', 'text'], ['sourceUrl', 'text'], ['ordinal', ordinalType]]
      .map(([name, type]) => ({ name, dataType: [type], tokenization: name === 'documentId' ? 'field' : undefined }));
    const res = await fetch(`${fake!.env().WEAVIATE_URL}/v1/schema`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ class: 'Chunk', multiTenancyConfig, properties }),
    });
    expect(res.status).toBe(200);
  }

  it('throws when Weaviate refuses objects of a batch', async () => {
    await startFake();
    // Weaviate gives one verdict per object, in a reply that is otherwise a success.
    await madeBeforehand({ enabled: true, autoTenantCreation: true }, 'text');
    await expect(newIndex().addDocument(passwordA)).rejects.toThrow(/refused 2 of 2 chunks: invalid text property 'ordinal'/);
  });

  it('refuses to write into a collection of the same name without multi-tenancy', async () => {
    await startFake();
    await madeBeforehand({ enabled: false });
    await expect(newIndex().addDocument(passwordA)).rejects.toThrow(/multi-tenancy disabled, but request was with tenant/);
    expect(fake!.objects('Chunk')).toEqual([]);
  });

  it('creates the tenant itself in a collection made without auto tenant creation', async () => {
    await startFake();
    await madeBeforehand({ enabled: true });
    const index = newIndex();
    await index.addDocument(passwordA);

    expect(rest('POST /v1/schema/Chunk/tenants').map((r) => r.body)).toEqual([[{ name: tA }]]);
    expect((await index.forTenant(A).search('reset password', 5))[0]?.documentId).toBe(passwordA.documentId);
  });

  it('works alongside another process that already created the collection and the tenant', async () => {
    await startFake();
    await newIndex().addDocument(vpnA);
    const second = newIndex();
    await second.addDocument(passwordA);

    expect(rest('POST /v1/schema')).toHaveLength(2); // the second one learns of the first from "already exists"
    expect(fake!.tenantNames('Chunk')).toEqual([tA]);
    expect((await second.forTenant(A).search('reset password', 5))[0]?.documentId).toBe(passwordA.documentId);
  });

  it('removes one document of one tenant, over several rounds when it exceeds the delete limit', async () => {
    await startFake({ queryMaximumResults: 3 });
    const index = await seeded();
    const big = doc(A, 'Big printer guide', Array.from({ length: 7 }, (_, i) => `Printer tip number ${i}.`));
    await index.addDocument(big);
    const before = grpc('BatchDelete').length;

    await index.removeDocument(A, big.documentId);
    await index.removeDocument(A, printerA.documentId);

    const deletes = grpc('BatchDelete').slice(before);
    expect(deletes).toHaveLength(4); // 3 + 3 + 1 for the big document, 1 for the printer guide
    expect(deletes.every((r) => r.body.tenant === tA)).toBe(true);
    expect(fake!.objects('Chunk', tA)).toHaveLength(4);
    expect(fake!.objects('Chunk', tB)).toHaveLength(1);
    expect(await index.forTenant(A).search('printer', 10)).toEqual([]);
    expect(await index.forTenant(B).search('printer', 10)).toHaveLength(1);
  });

  it('deletes the Weaviate tenant with the tenant', async () => {
    await startFake();
    const index = await seeded();
    await index.removeTenant(A);
    expect(rest('DELETE /v1/schema/Chunk/tenants').map((r) => r.body)).toEqual([[tA]]);
    expect(fake!.tenantNames('Chunk')).toEqual([tB]);
  });

  it('puts a suspended tenant to rest (INACTIVE) and wakes it on reactivation', async () => {
    await startFake();
    const index = await seeded();

    await index.suspendTenant(A);
    expect(rest('PUT /v1/schema/Chunk/tenants').map((r) => r.body)).toEqual([[{ name: tA, activityStatus: 'COLD' }]]);
    expect(fake!.tenantStatus('Chunk', tA)).toBe('COLD');
    expect(fake!.tenantStatus('Chunk', tB)).toBe('HOT');
    // Weaviate refuses to search a tenant at rest; the app never asks, since a suspended tenant's keys are refused.
    await expect(index.forTenant(A).search('printer', 5)).rejects.toThrow(/tenant not active/);
    expect(await index.forTenant(B).search('printer', 5)).toHaveLength(1);

    // The operator may still change a suspended tenant's documents: the write wakes the tenant and puts it back.
    await index.addDocument(doc(A, 'Badge', ['Badge readers open the doors.']));
    await index.removeDocument(A, vpnA.documentId);
    expect(fake!.tenantStatus('Chunk', tA)).toBe('COLD');

    await index.reactivateTenant(A);
    expect(fake!.tenantStatus('Chunk', tA)).toBe('HOT');
    expect((await index.forTenant(A).search('badge readers', 5))[0]?.title).toBe('Badge');
    expect(await index.forTenant(A).search('VPN disconnects', 5)).toEqual([]);
  });

  it('authenticates REST and gRPC with the API key, and ping proves both answer', async () => {
    await startFake({ apiKey: 'secret' });
    const index = await seeded({ apiKey: 'secret' });
    await index.ping();
    await index.forTenant(A).search('printer', 5);
    expect(fake!.requests.filter((r) => r.protocol === 'REST' && r.path !== '/v1/.well-known/ready').every((r) => r.authorization === 'Bearer secret')).toBe(true);
    expect(fake!.requests.filter((r) => r.protocol === 'gRPC').every((r) => r.authorization === 'Bearer secret')).toBe(true);
    expect(grpc('Search').length).toBeGreaterThan(0);

    await expect(newIndex({ apiKey: 'wrong' }).ping()).rejects.toThrow(/401|Unauthenticated/i);
    await fake!.close();
    await expect(newIndex({ apiKey: 'secret', timeoutMs: 1000 }).ping()).rejects.toThrow();
  });

  it('refuses a tenant id that cannot make a safe tenant name, and a bad collection name', () => {
    const index = new WeaviateRetrievalIndex({ url: 'http://127.0.0.1:1' });
    expect(() => index.forTenant('x") { id } }')).toThrow(/cannot name a Weaviate tenant/);
    expect(() => new WeaviateRetrievalIndex({ url: 'http://127.0.0.1:1', className: 'chunk' })).toThrow(/collection name/);
    expect(() => new WeaviateRetrievalIndex({ url: 'ftp://127.0.0.1:1' })).toThrow(/http/);
  });
});

describe('WeaviateRetriever', () => {
  it('searches BM25 over gRPC in its own tenant only, title boosted', async () => {
    await startFake();
    const index = await seeded();

    const hitsA = await index.forTenant(A).search('printer restart', 3);
    const hitsB = await index.forTenant(B).search('printer restart', 10);

    expect(hitsA[0].documentId).toBe(printerA.documentId);
    expect(hitsA.every((h) => [printerA, vpnA, passwordA].some((d) => d.documentId === h.documentId))).toBe(true);
    expect(hitsB.map((h) => h.documentId)).toEqual([printerB.documentId]);
    expect(fake!.objects('Chunk', tA).map((o) => o.id)).toContain(hitsA[0].chunkId);

    const searches = grpc('Search').map((r) => r.body);
    expect(searches.map((s) => s.tenant)).toEqual([tA, tB]);
    expect(searches[0]).toMatchObject({
      collection: 'Chunk',
      limit: 3,
      bm25Search: { query: 'printer restart', properties: ['title^2', 'heading', 'text'] },
      metadata: { score: true },
    });
    expect(searches[0].hybridSearch).toBeUndefined();
  });

  it('searches hybrid when a vectorizer is configured', async () => {
    await startFake();
    const index = await seeded({ vectorizer: 'text2vec-openai' });

    const hits = await index.forTenant(A).search('VPN keeps disconnecting', 2);

    const cls = fake!.classDefinition('Chunk')!;
    expect(cls.vectorizer).toBe('text2vec-openai');
    expect(cls.properties.find((p) => p.name === 'documentId')?.moduleConfig).toEqual({ 'text2vec-openai': { skip: true, vectorizePropertyName: false } });
    const [search] = grpc('Search').map((r) => r.body);
    expect(search.bm25Search).toBeUndefined();
    expect(search.hybridSearch).toMatchObject({ query: 'VPN keeps disconnecting', alpha: 0.5, properties: ['title^2', 'heading', 'text'] });
    expect(search.tenant).toBe(tA);
    expect(hits[0].documentId).toBe(vpnA.documentId);
  });

  it('returns nothing before the collection or the tenant exists', async () => {
    await startFake();
    const index = newIndex();
    expect(await index.forTenant(A).search('printer', 5)).toEqual([]); // no collection yet
    await index.addDocument(printerB);
    expect(await index.forTenant(A).search('printer', 5)).toEqual([]); // the collection, not the tenant
    expect(grpc('Search').map((r) => r.body.tenant)).toEqual([tA, tA]);
  });

  it('throws when Weaviate fails or does not answer in time', async () => {
    await startFake();
    const index = await seeded();

    fake!.failNext('Search');
    await expect(index.forTenant(A).search('printer', 5)).rejects.toThrow(/Weaviate search failed/);

    const impatient = newIndex({ timeoutMs: 200 });
    await impatient.ping();
    fake!.stallNext(1000, 'Search');
    await expect(impatient.forTenant(A).search('printer', 5)).rejects.toThrow(/timed out/);

    fake!.failNext('BatchObjects');
    await expect(index.addDocument(doc(A, 'More', ['text']))).rejects.toThrow(/injected failure/);
  });
});

describe('the loopback Weaviate keeps tenants apart as Weaviate does', () => {
  it('refuses a search without a tenant, and a search of a tenant at rest', async () => {
    await startFake();
    await seeded();
    const env = fake!.env();
    const rest = new URL(env.WEAVIATE_URL);
    const client = await weaviate.connectToCustom({
      httpHost: rest.hostname, httpPort: Number(rest.port), grpcHost: rest.hostname, grpcPort: Number(new URL(env.WEAVIATE_GRPC_URL).port),
    });
    try {
      const chunks = client.collections.use('Chunk');
      await expect(chunks.query.bm25('printer')).rejects.toThrow(/multi-tenancy enabled, but request was without tenant/);
      await chunks.tenants.deactivate(tA);
      await expect(chunks.withTenant(tA).query.bm25('printer')).rejects.toThrow(/tenant not active/);
      const tenants = await chunks.tenants.get();
      expect(tenants[tA].activityStatus).toBe('INACTIVE');
      expect(tenants[tB].activityStatus).toBe('ACTIVE');
      expect((await chunks.withTenant(tB).query.bm25('printer')).objects).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});
