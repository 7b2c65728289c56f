import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestApp, TestApp } from '../helpers/app';
import { HOSPITAL_A_DOCS, HOSPITAL_B_DOCS } from '../helpers/corpus';
import { AnthropicFake } from '../fakes/anthropic-fake';
import { WeaviateFake } from '../fakes/weaviate-fake';
import { AddDocumentsDocument } from '../../src/contract/operations.generated';
import { AskQuestionDocument, DeleteTenantDocument, MeDetailsDocument, QuotaDocument } from '../operations/operations.generated';

async function seed(t: TestApp) {
  const a = await t.tenant('BUSINESS');
  const b = await t.tenant('BUSINESS');
  const addedA = await t.gql(AddDocumentsDocument, { tenantId: a.id, documents: HOSPITAL_A_DOCS });
  expect(addedA.body.errors).toBeUndefined();
  const addedB = await t.gql(AddDocumentsDocument, { tenantId: b.id, documents: HOSPITAL_B_DOCS });
  expect(addedB.body.errors).toBeUndefined();
  const titleOf = Object.fromEntries(addedA.body.data.addDocuments.documents.map((d: { id: string; title: string }) => [d.title, d.id]));
  return { a, b, titleOf, bDocId: addedB.body.data.addDocuments.documents[0].id as string };
}

describe('answers on the embedded defaults (PostgreSQL retrieval, offline answerer)', () => {
  let t: TestApp;
  let s: Awaited<ReturnType<typeof seed>>;
  beforeAll(async () => {
    t = await startTestApp();
    s = await seed(t);
  });
  afterAll(async () => t?.close());

  it('ingests documents, skips duplicates and counts them', async () => {
    const again = await t.gql(AddDocumentsDocument, { tenantId: s.a.id, documents: [HOSPITAL_A_DOCS[1]] });
    expect(again.body.data.addDocuments).toMatchObject({ skippedDuplicates: 1, documents: [] });
    const me = await t.gql(MeDetailsDocument, {}, { key: s.a.key });
    expect(me.body.data.me.documentCount).toBe(HOSPITAL_A_DOCS.length);
    const docs = await t.gql(`{ documents(tenantId: "${s.a.id}", first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { title chunkCount } } } }`);
    expect(docs.body.data.documents.totalCount).toBe(4);
    expect(docs.body.data.documents.pageInfo.hasNextPage).toBe(true);
    const next = await t.gql(`{ documents(tenantId: "${s.a.id}", first: 2, after: "${docs.body.data.documents.pageInfo.endCursor}") { edges { node { title } } pageInfo { hasNextPage } } }`);
    expect(next.body.data.documents.edges).toHaveLength(2);
    expect(next.body.data.documents.pageInfo.hasNextPage).toBe(false);
    const bad = await t.gql(AddDocumentsDocument, { tenantId: s.a.id, documents: [{ title: 'x', content: 'y', mimeType: 'application/pdf' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'documents[0].mimeType' });
  });

  it('cites the right document first, in French and in English', async () => {
    const fr = await t.gql(AskQuestionDocument, { q: 'Comment réinitialiser mon mot de passe ?' }, { key: s.a.key });
    expect(fr.body.data.ask.grounded).toBe(true);
    expect(fr.body.data.ask.citations[0].title).toBe('Réinitialisation des mots de passe');
    expect(fr.body.data.ask.answer).toMatch(/portail|motdepasse/);
    const en = await t.gql(AskQuestionDocument, { q: 'How do I connect to the VPN from home?' }, { key: s.a.key });
    expect(en.body.data.ask.grounded).toBe(true);
    expect(en.body.data.ask.citations[0]).toMatchObject({ title: 'Connecting to the hospital VPN', sourceUrl: 'https://intranet.chu-a.example/it/vpn' });
    const html = await t.gql(AskQuestionDocument, { q: 'Bourrage papier sur une imprimante de radiologie' }, { key: s.a.key });
    expect(html.body.data.ask.citations[0].title).toBe('Imprimantes du service de radiologie');
    expect(html.body.data.ask.answer).not.toMatch(/alert|color:red/);
    expect(fr.body.data.ask.quota).toMatchObject({ limit: 10000 });
  });

  it('answers an unrelated question grounded: false, pointing to human support', async () => {
    const off = await t.gql(AskQuestionDocument, { q: 'What is the capital of Peru?' }, { key: s.a.key });
    expect(off.body.data.ask).toMatchObject({ grounded: false, citations: [] });
    expect(off.body.data.ask.answer).toMatch(/service desk|IT support|support/i);
    const offFr = await t.gql(AskQuestionDocument, { q: 'Quelle est la recette de la tarte aux pommes ?' }, { key: s.a.key });
    expect(offFr.body.data.ask.grounded).toBe(false);
    expect(offFr.body.data.ask.answer).toMatch(/assistance|support/i);
  });

  it("never lets tenant B's documents reach tenant A", async () => {
    const res = await t.gql(AskQuestionDocument, { q: 'How do I get badge access for the operating theatre?' }, { key: s.a.key });
    const payload = JSON.stringify(res.body);
    expect(payload).not.toContain('ZEBRA');
    expect(payload).not.toContain(s.bDocId);
    expect(res.body.data.ask.grounded).toBe(false);
    const hits = await t.gql(`{ retrievalTest(tenantId: "${s.a.id}", query: "badge operating theatre") { documentId } }`);
    expect(hits.body.data.retrievalTest.map((h: { documentId: string }) => h.documentId)).not.toContain(s.bDocId);
    const own = await t.gql(AskQuestionDocument, { q: 'How do I get badge access for the operating theatre?' }, { key: s.b.key });
    expect(own.body.data.ask.grounded).toBe(true);
    expect(own.body.data.ask.citations[0].documentId).toBe(s.bDocId);
    for (const format of ['JSON', 'MARKDOWN', 'CSV']) {
      const exported = await t.gql(`{ exportConversations(format: ${format}) }`, {}, { key: s.a.key });
      expect(exported.body.data.exportConversations).not.toContain('ZEBRA');
      expect(exported.body.data.exportConversations).not.toContain('operating theatre badges are activated');
    }
    const convs = await t.gql('{ conversations(first: 100) { edges { node { id messages { content citations { documentId } } } } } }', {}, { key: s.a.key });
    expect(JSON.stringify(convs.body)).not.toContain(s.bDocId);
  });

  it('never sends document text to the client beyond the answer', async () => {
    const res = await t.gql(AskQuestionDocument, { q: 'How do I read hospital email on my phone?' }, { key: s.a.key });
    const citation = res.body.data.ask.citations[0];
    expect(Object.keys(citation).sort()).toEqual(['documentId', 'score', 'sourceUrl', 'title']);
    // The schema has no field that could carry a document's text.
    const introspection = await t.gql(`{ __type(name: "Document") { fields { name } } }`);
    expect(introspection.body.data.__type.fields.map((f: { name: string }) => f.name)).not.toContain('content');
  });

  it('continues a conversation and lists, shows and exports it', async () => {
    const first = await t.gql(AskQuestionDocument, { q: 'My account is locked after failed attempts, what now?' }, { key: s.a.key });
    const c = first.body.data.ask.conversationId;
    const second = await t.gql(AskQuestionDocument, { q: 'Et combien de temps dure le verrouillage du compte ?', c }, { key: s.a.key });
    expect(second.body.data.ask.conversationId).toBe(c);
    const conv = await t.gql(`query($id: ID!) { conversation(id: $id) { title messages { role content citations { title } } } }`, { id: c }, { key: s.a.key });
    expect(conv.body.data.conversation.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    const csv = (await t.gql('{ exportConversations(format: CSV) }', {}, { key: s.a.key })).body.data.exportConversations;
    expect(csv.split('\r\n')[0]).toBe('conversation_id,conversation_title,message_id,role,created_at,content,citations');
    expect(csv).toContain(c);
    const json = JSON.parse((await t.gql('{ exportConversations }', {}, { key: s.a.key })).body.data.exportConversations);
    expect(json.find((x: { id: string }) => x.id === c).messages).toHaveLength(4);
    const md = (await t.gql('{ exportConversations(format: MARKDOWN) }', {}, { key: s.a.key })).body.data.exportConversations;
    expect(md).toContain('**Question**');
    const foreign = await t.gql(AskQuestionDocument, { q: 'hello', c }, { key: s.b.key });
    expect(foreign.body.errors![0].extensions.code).toBe('NOT_FOUND');
  });

  it('refuses empty and over-long questions with BAD_USER_INPUT and no quota used', async () => {
    const before = (await t.gql(QuotaDocument, {}, { key: s.b.key })).body.data.quota.used;
    for (const q of ['   ', 'x'.repeat(4001)]) {
      const res = await t.gql(AskQuestionDocument, { q }, { key: s.b.key });
      expect(res.status).toBe(400);
      expect(res.body.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'question' });
    }
    expect((await t.gql(QuotaDocument, {}, { key: s.b.key })).body.data.quota.used).toBe(before);
  });

  it('returns one retrieval hit per document, best first, and removes documents', async () => {
    const hits = (await t.gql(`{ retrievalTest(tenantId: "${s.a.id}", query: "mot de passe verrouillé", first: 10) { documentId title score } }`)).body.data.retrievalTest;
    expect(hits[0].title).toBe('Réinitialisation des mots de passe');
    expect(new Set(hits.map((h: { documentId: string }) => h.documentId)).size).toBe(hits.length);
    for (let i = 1; i < hits.length; i++) expect(hits[i].score).toBeLessThanOrEqual(hits[i - 1].score);
    const id = s.titleOf['Email on mobile phones'];
    expect((await t.gql(`mutation { removeDocument(id: "${id}") }`)).body.data.removeDocument).toBe(true);
    const after = (await t.gql(`{ retrievalTest(tenantId: "${s.a.id}", query: "email phone outlook") { documentId } }`)).body.data.retrievalTest;
    expect(after.map((h: { documentId: string }) => h.documentId)).not.toContain(id);
  });

  it('streams an answer over graphql-ws: deltas, then the result', async () => {
    const client = createClient({ url: t.url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${s.a.key}` } });
    const events: any[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: `subscription { askStream(input: { question: "How do I connect to the VPN?" }) { delta done result { grounded citations { title } answer } } }` },
        { next: (e) => events.push(e), error: reject, complete: resolve },
      );
    });
    await client.dispose();
    const last = events.at(-1).data.askStream;
    expect(last.done).toBe(true);
    expect(last.result.grounded).toBe(true);
    expect(last.result.citations[0].title).toBe('Connecting to the hospital VPN');
    const text = events.slice(0, -1).map((e) => e.data.askStream.delta).join('');
    expect(text).toBe(last.result.answer);
  });
});

describe('answers through Claude (real SDK against a loopback Messages API)', () => {
  let t: TestApp;
  let fake: AnthropicFake;
  let s: Awaited<ReturnType<typeof seed>>;
  beforeAll(async () => {
    fake = new AnthropicFake();
    const baseURL = await fake.start();
    t = await startTestApp({ ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: baseURL, ANTHROPIC_MODEL: 'test-model', GENERATION_TIMEOUT_MS: '1500' });
    s = await seed(t);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('answers from a streamed reply, with the passages as data in the prompt and token usage recorded', async () => {
    fake.setBehaviour({ kind: 'answer', text: 'Use the portal motdepasse.chu-a.example [1].' });
    const res = await t.gql(AskQuestionDocument, { q: 'Comment réinitialiser mon mot de passe ?' }, { key: s.a.key });
    expect(res.body.data.ask).toMatchObject({ grounded: true, answer: 'Use the portal motdepasse.chu-a.example [1].', model: 'test-model' });
    expect(res.body.data.ask.citations[0].title).toBe('Réinitialisation des mots de passe');
    expect(res.body.data.ask.usage.inputTokens).toBeGreaterThan(0);
    const sent = fake.requests.at(-1)!;
    expect(JSON.stringify(sent.body)).toContain('"type":"document"');
    expect(JSON.stringify(sent.body)).not.toContain('ZEBRA');
  });

  it('turns an error event or a time-out into 503 UPSTREAM_UNAVAILABLE, using no quota and recording a failure', async () => {
    const used = async () => (await t.gql(QuotaDocument, {}, { key: s.a.key })).body.data.quota.used;
    const before = await used();
    fake.setBehaviour({ kind: 'error-event' });
    const failed = await t.gql(AskQuestionDocument, { q: 'How do I connect to the VPN?' }, { key: s.a.key });
    expect(failed.status).toBe(503);
    expect(failed.body.errors![0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    fake.setBehaviour({ kind: 'hang' });
    const started = Date.now();
    const slow = await t.gql(AskQuestionDocument, { q: 'How do I connect to the VPN?' }, { key: s.a.key });
    expect(slow.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await used()).toBe(before);
    const today = new Date();
    const from = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())).toISOString();
    const to = new Date(Date.parse(from) + 86_400_000).toISOString();
    const usage = await t.gql(`{ usage(from: "${from}", to: "${to}") { total { failed succeeded } } }`, {}, { key: s.a.key });
    expect(usage.body.data.usage.total).toMatchObject({ failed: 2, succeeded: 1 });
    fake.setBehaviour({ kind: 'answer' });
  });
});

describe('answers through Weaviate (real client against a loopback Weaviate)', () => {
  let t: TestApp;
  let weaviate: WeaviateFake;
  let s: Awaited<ReturnType<typeof seed>>;
  beforeAll(async () => {
    weaviate = new WeaviateFake();
    await weaviate.start();
    t = await startTestApp(weaviate.env());
    s = await seed(t);
  });
  afterAll(async () => {
    await t?.close();
    await weaviate?.close();
  });

  it('searches only the caller tenant and erases its Weaviate tenant with it', async () => {
    const res = await t.gql(AskQuestionDocument, { q: 'How do I connect to the VPN?' }, { key: s.a.key });
    expect(res.body.data.ask.citations[0].title).toBe('Connecting to the hospital VPN');
    const leak = await t.gql(AskQuestionDocument, { q: 'badge access operating theatre override code' }, { key: s.a.key });
    expect(JSON.stringify(leak.body)).not.toContain('ZEBRA');
    expect(leak.body.data.ask.citations.map((c: { documentId: string }) => c.documentId)).not.toContain(s.bDocId);
    const tenantsBefore = weaviate.tenantNames('Chunk');
    expect(tenantsBefore).toHaveLength(2);
    await t.gql(DeleteTenantDocument, { id: s.b.id });
    expect(weaviate.tenantNames('Chunk')).toHaveLength(1);
  });

  it("rests a suspended tenant's Weaviate tenant and wakes it on reactivation", async () => {
    const [name] = weaviate.tenantNames('Chunk');
    const suspended = await t.gql(`mutation { suspendTenant(id: "${s.a.id}", reason: "unpaid invoice") { status } }`);
    expect(suspended.body.data.suspendTenant.status).toBe('SUSPENDED');
    expect(weaviate.tenantStatus('Chunk', name)).toBe('COLD');
    const refused = await t.gql(ASK, { q: 'How do I connect to the VPN?' }, { key: s.a.key });
    expect(refused.body.errors[0].extensions.code).toBe('TENANT_SUSPENDED');

    await t.gql(`mutation { reactivateTenant(id: "${s.a.id}") { status } }`);
    expect(weaviate.tenantStatus('Chunk', name)).toBe('HOT');
    const res = await t.gql(ASK, { q: 'How do I connect to the VPN?' }, { key: s.a.key });
    expect(res.body.data.ask.citations[0].title).toBe('Connecting to the hospital VPN');
  });

  it('answers UPSTREAM_UNAVAILABLE, charging nothing, when Weaviate fails a search', async () => {
    const before = await t.gql(`{ me { quota { used } } }`, {}, { key: s.a.key });
    weaviate.failNext('Search');
    const res = await t.gql(ASK, { q: 'How do I connect to the VPN?' }, { key: s.a.key });
    expect(res.status).toBe(503);
    expect(res.body.errors[0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    const after = await t.gql(`{ me { quota { used } } }`, {}, { key: s.a.key });
    expect(after.body.data.me.quota.used).toBe(before.body.data.me.quota.used);
  });

  it('answers UPSTREAM_UNAVAILABLE to the operator when Weaviate cannot suspend the tenant', async () => {
    weaviate.failNext('PUT /v1/schema/Chunk/tenants', 500);
    const res = await t.gql(`mutation { suspendTenant(id: "${s.a.id}", reason: "abuse") { status } }`);
    expect(res.body.errors[0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    // The suspension itself holds (the database decides who is served); suspending again settles Weaviate.
    const again = await t.gql(`mutation { suspendTenant(id: "${s.a.id}", reason: "abuse") { status } }`);
    expect(again.body.data.suspendTenant.status).toBe('SUSPENDED');
    expect(weaviate.tenantStatus('Chunk', weaviate.tenantNames('Chunk')[0])).toBe('COLD');
    await t.gql(`mutation { reactivateTenant(id: "${s.a.id}") { status } }`);
  });
});
