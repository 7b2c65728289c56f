import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppSchema } from '../../src/schema';
import { startTestApp, TestApp } from '../helpers/app';
import { HOSPITAL_A_DOCS, HOSPITAL_B_DOCS } from '../helpers/corpus';
import { IdPool, ID_KINDS, OperationCall, operationCalls, SchemaOperation, schemaOperations } from '../helpers/schema-sweep';
import { callOperation, callWs, leaks } from '../helpers/sweep-calls';

/**
 * Every operation a client key can reach, called by tenant A with tenant B's ids, answers
 * NOT_FOUND or A's own data, never B's; every admin operation refuses A's client key with FORBIDDEN and changes
 * nothing. The operations come from the schema, so one added later is swept without editing this file.
 */

const B_EXTRA_DOC = {
  title: 'Night pager rota for the cardiology ward',
  sourceUrl: 'https://intranet.chu-b.example/pager',
  mimeType: 'text/plain',
  content: 'The cardiology night pager rota is kept by the ward manager. The pager vault passphrase is HERON-LANTERN-5520.',
};
const B_QUESTIONS = ['How do I request badge access for the operating theatre?', 'What is the badge override code for the operating theatre?'];
const SECRETS = ['ZEBRA-7731', 'HERON-LANTERN-5520'];
// A's questions are about B's topic, so an ask that retrieved across tenants would cite B's documents.
const A_QUESTION = 'Which badge override code opens the operating theatre?';

/** Client operations that name one object: given B's id they must refuse with NOT_FOUND, not answer around it. */
const MUST_REFUSE = new Set(['conversation', 'ask', 'askStream', 'rateAnswer']);
const KNOWN_CLIENT_OPS = ['me', 'quota', 'usage', 'conversations', 'conversation', 'exportConversations', 'ask', 'askStream',
  'unansweredQuestions', 'documents', 'retrievalTest', 'invoice', 'issueApiKey', 'rotateApiKey', 'revokeApiKey', 'addDocuments', 'removeDocument'];
const KNOWN_ADMIN_OPS = ['tenants', 'tenant', 'createTenant', 'updateTenant', 'deleteTenant', 'unblockApiKey'];

const ADD = `mutation($t: ID!, $d: [DocumentInput!]!) { addDocuments(tenantId: $t, documents: $d) { documents { id title } } }`;
const ASK = `mutation($q: String!, $c: ID) { ask(input: { question: $q, conversationId: $c }) { conversationId messageId answer } }`;

async function seed(t: TestApp) {
  const must = async (query: string, variables: Record<string, unknown>, key?: string) => {
    const res = await t.gql(query, variables, { key });
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data;
  };
  const a = await t.tenant('BUSINESS', { name: 'Hopital Aster', contactEmail: 'it@chu-a.example' });
  const b = await t.tenant('BUSINESS', { name: 'Clinique Borealis', contactEmail: 'dsi.confidential@chu-b.example' });
  // A's IT team may change its documents, so the sweep's addDocuments and removeDocument reach their tenant check
  // (B's tenant or document: NOT_FOUND) instead of stopping at the missing consent.
  await must(`mutation($t: ID!) { updateTenant(id: $t, input: { documentSelfService: true }) { id } }`, { t: a.id });
  const docsA = (await must(ADD, { t: a.id, d: HOSPITAL_A_DOCS })).addDocuments.documents;
  const docsB = (await must(ADD, { t: b.id, d: [...HOSPITAL_B_DOCS, B_EXTRA_DOC] })).addDocuments.documents;
  const askedA = (await must(ASK, { q: 'How do I connect to the VPN?' }, a.key)).ask;
  const firstB = (await must(ASK, { q: B_QUESTIONS[0] }, b.key)).ask;
  await must(ASK, { q: B_QUESTIONS[1], c: firstB.conversationId }, b.key);
  const extraB = (await must(`mutation($t: ID!) { issueApiKey(tenantId: $t, name: "second desk") { secret key { id prefix } } }`, { t: b.id })).issueApiKey;
  const messages = async (id: string, key: string) => {
    const list: { id: string; role: string; content: string }[] = (await must('query($id: ID!) { conversation(id: $id) { messages { id role content } } }', { id }, key)).conversation.messages;
    // Assistant messages first: they are what a rating or feedback operation names.
    return [...list.filter((m) => m.role === 'assistant'), ...list.filter((m) => m.role !== 'assistant')];
  };
  const messagesA = await messages(askedA.conversationId, a.key);
  const messagesB = await messages(firstB.conversationId, b.key);
  const tenantB = (await must('query($id: ID!) { tenant(id: $id) { slug keys { prefix } } }', { id: b.id })).tenant;

  const poolB: IdPool = {
    tenant: [b.id],
    key: [b.keyId, extraB.key.id],
    document: docsB.map((d: { id: string }) => d.id),
    conversation: [firstB.conversationId],
    message: messagesB.map((m) => m.id),
  };
  const poolA: IdPool = {
    tenant: [a.id],
    key: [a.keyId],
    document: [docsA[0].id],
    conversation: [askedA.conversationId],
    message: [messagesA[0].id],
  };
  // Everything of B that could leak: ids, names, titles, links, secrets, B's own questions and key material.
  const needles = [
    ...ID_KINDS.flatMap((k) => poolB[k]),
    'Clinique Borealis', tenantB.slug, 'dsi.confidential', 'chu-b.example',
    ...docsB.map((d: { title: string }) => d.title),
    ...SECRETS, ...B_QUESTIONS,
    b.key, extraB.secret, ...tenantB.keys.map((k: { prefix: string }) => k.prefix),
  ];
  return { a, b, poolA, poolB, needles, secretAnswered: messagesB.some((m) => SECRETS.some((s) => m.content.includes(s))) };
}

describe('foreign-tenant sweep: a client key of tenant A against every operation, with tenant B ids', () => {
  let t: TestApp;
  let s: Awaited<ReturnType<typeof seed>>;
  let operations: SchemaOperation[];
  const values = { now: new Date(), strings: { question: A_QUESTION } };
  const call = (c: OperationCall, key: string) => callOperation(t, c, { key });

  beforeAll(async () => {
    t = await startTestApp();
    s = await seed(t);
    operations = schemaOperations(await buildAppSchema());
  });
  afterAll(async () => t?.close());

  // Public fields (no @auth, like `plans`) are reachable with a client key too, so they are swept with the rest.
  const clientOps = () => operations.filter((o) => o.requires !== 'ADMIN');
  const adminOps = () => operations.filter((o) => o.requires === 'ADMIN');

  it('walks the schema: the known client and admin operations are all in the sweep', () => {
    const client = clientOps().map((o) => o.name);
    const admin = adminOps().map((o) => o.name);
    console.info(`sweep covers ${client.length} client operations: ${client.join(', ')}; ${admin.length} admin operations: ${admin.join(', ')}`);
    expect(client).toEqual(expect.arrayContaining(KNOWN_CLIENT_OPS));
    expect(admin).toEqual(expect.arrayContaining(KNOWN_ADMIN_OPS));
    expect(client.filter((n) => admin.includes(n))).toEqual([]);
  });

  it("sees B's data when B reads it itself, so the needles and selections can catch a leak", async () => {
    expect(s.secretAnswered).toBe(true);
    const found = new Set<string>();
    for (const op of clientOps().filter((o) => o.root === 'query')) {
      for (const c of operationCalls(op, s.poolB, values)) leaks((await call(c, s.b.key)).json, s.needles).forEach((n) => found.add(n));
    }
    expect([...found]).toEqual(expect.arrayContaining([s.poolB.tenant[0], s.poolB.conversation[0], ...s.poolB.message, 'ZEBRA-7731', HOSPITAL_B_DOCS[0].title, B_QUESTIONS[0]]));
  });

  it("answers A's client key NOT_FOUND or with A's own data on every client operation, never with B's", async () => {
    const calls = clientOps().flatMap((o) => operationCalls(o, s.poolB, values));
    const problems: string[] = [];
    const covered = new Set<string>();
    const answered = new Set<string>();
    for (const c of calls) {
      const out = await call(c, s.a.key);
      covered.add(c.operation.name);
      if (out.codes.length === 0) answered.add(c.operation.name);
      const leaked = leaks(out.json, s.needles);
      if (leaked.length) problems.push(`${c.label}: leaks ${leaked.join(', ')}`);
      if (out.status !== 200) problems.push(`${c.label}: HTTP ${out.status} ${out.codes.join(',')}`);
      const unexpected = out.codes.filter((code) => code !== 'NOT_FOUND');
      if (unexpected.length) problems.push(`${c.label}: ${unexpected.join(', ')} (only NOT_FOUND is expected)`);
      if (MUST_REFUSE.has(c.operation.name) && c.sendsIds && !out.codes.includes('NOT_FOUND')) {
        problems.push(`${c.label}: answered instead of NOT_FOUND`);
      }
    }
    console.info(`${calls.length} client calls with B's ids`);
    expect(problems).toEqual([]);
    expect([...covered]).toEqual(expect.arrayContaining(KNOWN_CLIENT_OPS));
    // The walk must reach B's objects through ids, not only call id-less lists.
    expect(calls.filter((c) => c.sendsIds).map((c) => c.operation.name)).toEqual(expect.arrayContaining(['conversation', 'ask', 'askStream']));
    // ...and A's own asks on B's topic ran through retrieval and generation, and still cited nothing of B.
    expect([...answered]).toEqual(expect.arrayContaining(['me', 'conversations', 'exportConversations', 'ask', 'askStream']));
  });

  it('ends askStream with NOT_FOUND over graphql-ws when A names B\'s conversation', async () => {
    const askStream = operations.find((o) => o.name === 'askStream')!;
    const [c] = operationCalls(askStream, s.poolB, values);
    expect(c.variables.input).toMatchObject({ conversationId: s.poolB.conversation[0] });
    const out = await callWs(t, c, { key: s.a.key });
    expect(out.codes).toEqual(['NOT_FOUND']);
    expect(leaks(out.json, s.needles)).toEqual([]);
  });

  it("refuses every admin operation to A's client key with 403 FORBIDDEN, whichever tenant's ids, and changes nothing", async () => {
    // A client reaching admin operations on its own tenant (a better plan, more quota) is as bad as on B's.
    const pool = Object.fromEntries(ID_KINDS.map((k) => [k, [...s.poolB[k].slice(0, 1), ...s.poolA[k]]])) as IdPool;
    const before = await snapshot(pool);
    const calls = adminOps().flatMap((o) => operationCalls(o, pool, values));
    const problems: string[] = [];
    for (const c of calls) {
      const out = await call(c, s.a.key);
      const expectedStatus = c.operation.root === 'subscription' ? 200 : 403;
      if (out.status !== expectedStatus || out.codes.join() !== 'FORBIDDEN') problems.push(`${c.label}: HTTP ${out.status} ${out.codes.join(',') || 'no error'}`);
      const leaked = leaks(out.json, s.needles);
      if (leaked.length) problems.push(`${c.label}: leaks ${leaked.join(', ')}`);
    }
    console.info(`${calls.length} admin calls with a client key`);
    expect(problems).toEqual([]);
    expect(await snapshot(pool)).toEqual(before);
  });

  /**
   * What the operator and B can read: every admin query with the admin key, and every client query with B's key,
   * with every id of both tenants. lastUsedAt moves whenever a key is used, so it is left out.
   */
  async function snapshot(pool: IdPool): Promise<Record<string, unknown>> {
    const views: [SchemaOperation, string | undefined, IdPool][] = [
      ...adminOps().filter((o) => o.root === 'query').map((o) => [o, undefined, pool] as [SchemaOperation, undefined, IdPool]),
      ...clientOps().filter((o) => o.root === 'query').map((o) => [o, s.b.key, s.poolB] as [SchemaOperation, string, IdPool]),
    ];
    const out: Record<string, unknown> = {};
    for (const [op, key, ids] of views) {
      for (const c of operationCalls(op, ids, values)) {
        const res = await t.gql(c.document, c.variables, { key });
        out[`${key ? 'B' : 'admin'} ${c.label}`] = JSON.parse(JSON.stringify(res.body, (k, v) => (k === 'lastUsedAt' ? undefined : v)));
      }
    }
    expect(Object.keys(out).length).toBeGreaterThan(5);
    return out;
  }
});
