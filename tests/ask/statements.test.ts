import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../helpers/app';
import { ManualClock } from '../helpers/manual-clock';
import { countStatements } from '../helpers/statements';
import { AskPasswordResetInDocument, MeDocument, MeNameDocument } from '../operations/operations.generated';

describe('round trips of one ask', () => {
  let t: TestApp;
  let key: string;
  // Time moves only when a test moves it, so the key's cached entry (1 s) never expires in the middle of a count
  // on a slow machine.
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    t = await startTestApp({}, undefined, { clock });
    const a = await t.tenant('BUSINESS');
    key = a.key;
    await t.gql(`mutation($t: ID!) { addDocuments(tenantId: $t, documents: [{ title: "Password reset", content: "To reset your password open the password portal and answer the security questions." }]) { chunkCount } }`, { t: a.id });
    await t.gql(AskPasswordResetInDocument, {}, { key }); // warms the key cache, as any key in use is warm
  });
  afterAll(async () => t?.close());

  it('takes three statements and two commits for a new conversation and for a follow-up, none of them a transaction', async () => {
    let counter = countStatements();
    const first = await t.gql(AskPasswordResetInDocument, {}, { key });
    counter.stop();
    expect(first.body.errors).toBeUndefined();
    // reserve (lease) · search · settle (lease + usage + the exchange)
    expect(counter.statements, counter.statements.join('\n')).toHaveLength(3);
    expect(counter.commits()).toBe(2);

    counter = countStatements();
    const followUp = await t.gql(AskPasswordResetInDocument, { c: first.body.data.ask.conversationId }, { key });
    counter.stop();
    expect(followUp.body.errors).toBeUndefined();
    // the same: the reserve also reads the conversation's recent turns (which proves it is the tenant's)
    expect(counter.statements, counter.statements.join('\n')).toHaveLength(3);
    expect(counter.commits()).toBe(2);
    expect(counter.statements.filter((s) => /^(BEGIN|START TRANSACTION|COMMIT)/i.test(s))).toEqual([]);

    // A word no document holds makes grounding weigh how rare the shared words are: the search brought their counts.
    counter = countStatements();
    const odd = await t.gql(`mutation { ask(input: { question: "How do I reset my password on my ukulele?" }) { grounded } }`, {}, { key });
    counter.stop();
    expect(odd.body.errors).toBeUndefined();
    expect(counter.statements, counter.statements.join('\n')).toHaveLength(3);
  });

  it('gathers the leases and settles of a tenant\'s concurrent asks into shared statements, each ask counted once and stored', async () => {
    const b = await t.tenant('ENTERPRISE');
    await t.gql(`mutation($t: ID!) { addDocuments(tenantId: $t, documents: [{ title: "Password reset", content: "To reset your password open the password portal and answer the security questions." }]) { chunkCount } }`, { t: b.id });
    const first = await t.gql(AskPasswordResetInDocument, {}, { key: b.key });
    const conversationId = first.body.data.ask.conversationId;
    const ASK = 'mutation($c: ID) { ask(input: { question: "How do I reset my password?", conversationId: $c }) { conversationId quota { used } } }';
    const counter = countStatements();
    // Half of them follow the first conversation up: their turns are read by the shared lease statement.
    const asks = await Promise.all(Array.from({ length: 20 }, (_, i) => t.gql(ASK, { c: i % 2 ? conversationId : null }, { key: b.key })));
    counter.stop();
    expect(asks.map((r) => r.body.errors)).toEqual(asks.map(() => undefined));
    // Each ask has its own place in the count: 2 to 21, after the first.
    expect(asks.map((r) => r.body.data.ask.quota.used).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    expect((await t.gql('{ quota { used } }', {}, { key: b.key })).body.data.quota.used).toBe(21);
    const leases = counter.statements.filter((s) => /INSERT INTO quota_lease/.test(s)).length;
    const settles = counter.statements.filter((s) => /DELETE FROM quota_lease WHERE id IN \(SELECT l.id FROM quota_lease l WHERE l.id = ANY/.test(s)).length;
    expect(leases).toBeLessThan(20);
    expect(settles).toBeLessThan(20);
    const conversation = await t.gql('query($id: ID!) { conversation(id: $id) { messages { role } } }', { id: conversationId }, { key: b.key });
    expect(conversation.body.data.conversation.messages).toHaveLength(2 + 10 * 2);
    const [{ n }] = await t.database.dataSource.query('SELECT count(*)::int AS n FROM quota_lease WHERE tenant_id = $1', [b.id]);
    expect(n).toBe(0);
  });

  it('answers a keyed `me` from the caller it already holds, without a statement', async () => {
    await t.gql(MeNameDocument, {}, { key });
    const counter = countStatements();
    const me = await t.gql(MeNameDocument, {}, { key });
    counter.stop();
    expect(me.body.errors).toBeUndefined();
    expect(counter.statements, counter.statements.join('\n')).toEqual([]);
  });

  it('looks a busy key up once when its cached entry expires, not once per request in flight', async () => {
    clock.advance(1_100); // past KEY_CACHE_TTL_MS (1 s)
    const counter = countStatements();
    const all = await Promise.all(Array.from({ length: 10 }, () => t.gql(MeDocument, {}, { key })));
    counter.stop();
    expect(all.every((r) => r.body.data?.me?.id)).toBe(true);
    expect(counter.statements.filter((s) => /FROM "api_key"/.test(s))).toHaveLength(1);
  });
});
