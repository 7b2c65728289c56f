import { getNamedType, GraphQLObjectType, isLeafType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppSchema } from '../../src/schema';
import { startTestApp, TestApp } from '../helpers/app';
import { HOSPITAL_A_DOCS } from '../helpers/corpus';
import { IdPool, operationCalls, SchemaOperation, schemaOperations } from '../helpers/schema-sweep';
import { callOperation, Credentials, leaks } from '../helpers/sweep-calls';

/**
 * The foreign-tenant sweep, one level in: a publishable key (pk_…) of tenant A, used by visitor X, against every
 * operation of the schema, with the ids of visitor Y's conversations and of A's IT team's (secret key) conversation.
 * Every operation a publishable key may call answers NOT_FOUND or X's own data, never Y's or the IT team's; every
 * other operation answers 403 FORBIDDEN and changes nothing. The operations come from the schema.
 */

const PUBLIC_OPS = ['plans', 'me', 'quota', 'ask', 'askStream', 'rateAnswer', 'conversations', 'conversation', 'exportConversations'];
/** Operations that name one object: given Y's id they must refuse with NOT_FOUND, not answer around it. */
const MUST_REFUSE = new Set(['conversation', 'ask', 'askStream', 'rateAnswer']);
const VISITOR_X = 'visitor-xavier-000000000001';
const VISITOR_Y = 'visitor-yvonne-000000000002';
const Y_QUESTIONS = ['How do I connect to the VPN from home?', 'And does the VPN work on my personal tablet?'];
const IT_QUESTION = 'Which printers are on the third floor?';
const X_QUESTION = 'How do I reset my password?';

const ASK = `mutation($q: String!, $c: ID) { ask(input: { question: $q, conversationId: $c }) { conversationId messageId answer } }`;

async function seed(t: TestApp) {
  const must = async (query: string, variables: Record<string, unknown>, who?: Credentials) => {
    const res = await t.gql(query, variables, { key: who?.key, headers: who?.visitor ? { 'x-askdesk-visitor': who.visitor } : {} });
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data;
  };
  const a = await t.tenant('BUSINESS');
  const docs = (await must(`mutation($t: ID!, $d: [DocumentInput!]!) { addDocuments(tenantId: $t, documents: $d) { documents { id } } }`, { t: a.id, d: HOSPITAL_A_DOCS })).addDocuments.documents;
  const issued = (await must(`mutation($t: ID!) { issueApiKey(tenantId: $t, name: "intranet widget", kind: PUBLISHABLE) { secret key { id kind } } }`, { t: a.id })).issueApiKey;
  expect(issued.secret).toMatch(/^pk_business_[A-Za-z0-9_-]{43}$/);
  const x = { key: issued.secret, visitor: VISITOR_X };
  const y = { key: issued.secret, visitor: VISITOR_Y };
  const it = { key: a.key };

  const firstY = (await must(ASK, { q: Y_QUESTIONS[0] }, y)).ask;
  await must(ASK, { q: Y_QUESTIONS[1], c: firstY.conversationId }, y);
  const asIt = (await must(ASK, { q: IT_QUESTION }, it)).ask;
  const ownX = (await must(ASK, { q: X_QUESTION }, x)).ask;
  const messages = async (id: string) => {
    const list: { id: string; role: string; content: string }[] = (await must('query($id: ID!) { conversation(id: $id) { messages { id role content } } }', { id }, it)).conversation.messages;
    return [...list.filter((m) => m.role === 'assistant'), ...list.filter((m) => m.role !== 'assistant')];
  };
  const messagesY = await messages(firstY.conversationId);
  const messagesIt = await messages(asIt.conversationId);
  // Y's conversation and the IT team's: what X must never reach.
  const pool: IdPool = {
    tenant: [a.id],
    key: [a.keyId, issued.key.id],
    document: [docs[0].id],
    conversation: [firstY.conversationId, asIt.conversationId],
    message: [...messagesY, ...messagesIt].map((m) => m.id),
  };
  const needles = [
    firstY.conversationId, asIt.conversationId, ...pool.message,
    // Their questions, not their answers: X asking about the same documents may well get the same answer text.
    ...Y_QUESTIONS, IT_QUESTION, a.key,
  ];
  return { a, x, y, it, pool, needles, ownX, publishable: issued.secret as string };
}

describe('visitor sweep: a publishable key of tenant A, visitor X, against every operation, with Y\'s and the IT team\'s ids', () => {
  let t: TestApp;
  let s: Awaited<ReturnType<typeof seed>>;
  let operations: SchemaOperation[];
  const values = { now: new Date(), strings: { question: 'How do I connect to the VPN?' } };

  beforeAll(async () => {
    t = await startTestApp({ OTHER_OPS_PER_MINUTE: '100000' });
    s = await seed(t);
    operations = schemaOperations(await buildAppSchema());
  });
  afterAll(async () => t?.close());

  const publicOps = () => operations.filter((o) => o.requires === 'PUBLIC' || o.requires === null);
  const otherOps = () => operations.filter((o) => o.requires === 'CLIENT' || o.requires === 'ADMIN');

  it('walks the schema: exactly the contract\'s operations are open to a publishable key', () => {
    expect(publicOps().map((o) => o.name).sort()).toEqual([...PUBLIC_OPS].sort());
    expect(otherOps().length).toBeGreaterThan(20);
  });

  it("lets the IT team's secret key see Y's conversation, so the needles can catch a leak", async () => {
    const found = new Set<string>();
    for (const op of publicOps().filter((o) => o.root === 'query' && o.name !== 'me')) {
      for (const c of operationCalls(op, s.pool, values)) leaks((await callOperation(t, c, s.it)).json, s.needles).forEach((n) => found.add(n));
    }
    expect([...found]).toEqual(expect.arrayContaining([s.pool.conversation[0], s.pool.conversation[1], Y_QUESTIONS[0], IT_QUESTION]));
  });

  it('answers visitor X NOT_FOUND or its own data on every operation a publishable key may call, never Y\'s or the IT team\'s', async () => {
    const problems: string[] = [];
    const answered = new Set<string>();
    const calls = publicOps().flatMap((o) => operationCalls(o, s.pool, values));
    for (const c of calls) {
      const out = await callOperation(t, c, s.x);
      if (out.codes.length === 0) answered.add(c.operation.name);
      const leaked = leaks(out.json, s.needles);
      if (leaked.length) problems.push(`${c.label}: leaks ${leaked.join(', ')}`);
      // `me` selects every field of Tenant; all but name, plan and quota are FORBIDDEN to a publishable key (below).
      const allowed = c.operation.name === 'me' ? ['FORBIDDEN'] : ['NOT_FOUND'];
      const unexpected = out.codes.filter((code) => !allowed.includes(code));
      if (unexpected.length) problems.push(`${c.label}: ${unexpected.join(', ')}`);
      if (out.status !== 200 && c.operation.name !== 'me') problems.push(`${c.label}: HTTP ${out.status}`);
      if (MUST_REFUSE.has(c.operation.name) && c.sendsIds && !out.codes.includes('NOT_FOUND')) problems.push(`${c.label}: answered instead of NOT_FOUND`);
    }
    console.info(`${calls.length} publishable-key calls with another visitor's ids`);
    expect(problems).toEqual([]);
    expect([...answered]).toEqual(expect.arrayContaining(['plans', 'quota', 'conversations', 'exportConversations', 'ask', 'askStream']));
    // X still sees its own conversation: the scope is the visitor's, not empty.
    const own = await t.gql('{ conversations { edges { node { id } } } }', {}, { key: s.x.key, headers: { 'x-askdesk-visitor': VISITOR_X } });
    expect(own.body.data.conversations.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(s.ownX.conversationId);
  });

  it('shows a publishable key only name, plan and quota of its tenant', async () => {
    const who = { key: s.x.key, headers: { 'x-askdesk-visitor': VISITOR_X } };
    const ok = await t.gql('{ me { name plan { code } quota { limit used } } }', {}, who);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data.me.plan.code).toBe('BUSINESS');
    const tenantType = (await buildAppSchema()).getType('Tenant') as GraphQLObjectType;
    const others = Object.values(tenantType.getFields()).filter((f) => !['name', 'plan', 'quota'].includes(f.name));
    expect(others.length).toBeGreaterThan(10);
    for (const field of others) {
      const selection = isLeafType(getNamedType(field.type)) ? field.name : `${field.name} { __typename }`;
      const res = await t.gql(`{ me { name ${selection} } }`, {}, who);
      expect(res.body.errors?.[0]?.extensions.code, field.name).toBe('FORBIDDEN');
      expect(JSON.stringify(res.body), field.name).not.toContain(s.a.id);
    }
  });

  it('gives a publishable key without a visitor id single answers and no history', async () => {
    const anonymous = { key: s.publishable };
    const asked = await t.gql(ASK, { q: 'How do I connect to the VPN?' }, anonymous);
    expect(asked.body.errors).toBeUndefined();
    const list = await t.gql('{ conversations { totalCount edges { node { id } } } }', {}, anonymous);
    expect(list.body.data.conversations).toEqual({ totalCount: 0, edges: [] });
    expect(JSON.parse((await t.gql('{ exportConversations }', {}, anonymous)).body.data.exportConversations)).toEqual([]);
    const followUp = await t.gql(ASK, { q: 'and on a Mac?', c: asked.body.data.ask.conversationId }, anonymous);
    expect(followUp.body.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
    const again = await t.gql('query($id: ID!) { conversation(id: $id) { id } }', { id: asked.body.data.ask.conversationId }, anonymous);
    expect(again.body.errors?.[0]?.extensions.code).toBe('NOT_FOUND');
  });

  it('refuses a malformed visitor id with 400 BAD_USER_INPUT naming the field, over HTTP and graphql-ws', async () => {
    for (const visitor of ['short', 'has spaces in it, sixteen+', 'x'.repeat(129), 'ünïcode-visitor-id-000']) {
      const res = await t.gql('{ quota { used } }', {}, { key: s.publishable, headers: { 'x-askdesk-visitor': visitor } });
      expect(res.status, visitor).toBe(400);
      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'visitor' });
    }
    const askStream = operations.find((o) => o.name === 'askStream')!;
    const [c] = operationCalls(askStream, s.pool, values);
    const out = await callOperation(t, { ...c, variables: { input: { question: 'How do I connect to the VPN?' } } }, { key: s.publishable, visitor: 'bad visitor' });
    expect(out.codes).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses every other operation to a publishable key with 403 FORBIDDEN, whatever ids, and changes nothing', async () => {
    const before = await snapshot();
    const problems: string[] = [];
    const calls = otherOps().flatMap((o) => operationCalls(o, s.pool, values));
    for (const c of calls) {
      const out = await callOperation(t, c, s.x);
      const expectedStatus = c.operation.root === 'subscription' ? 200 : 403;
      if (out.status !== expectedStatus || out.codes.join() !== 'FORBIDDEN') problems.push(`${c.label}: HTTP ${out.status} ${out.codes.join(',') || 'no error'}`);
      const leaked = leaks(out.json, s.needles);
      if (leaked.length) problems.push(`${c.label}: leaks ${leaked.join(', ')}`);
    }
    console.info(`${calls.length} other calls with a publishable key`);
    expect(problems).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  /** What the operator can read of everything (every admin query, every id), lastUsedAt aside. */
  async function snapshot(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const op of otherOps().filter((o) => o.root === 'query')) {
      for (const c of operationCalls(op, s.pool, values)) {
        const res = await t.gql(c.document, c.variables);
        out[c.label] = JSON.parse(JSON.stringify(res.body, (k, v) => (k === 'lastUsedAt' ? undefined : v)));
      }
    }
    expect(Object.keys(out).length).toBeGreaterThan(5);
    return out;
  }
});
