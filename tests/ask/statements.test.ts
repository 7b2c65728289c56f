import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../helpers/app';
import { countStatements } from '../helpers/statements';

const ASK = `mutation($c: ID) { ask(input: { question: "How do I reset my password?", conversationId: $c }) { conversationId } }`;

describe('round trips of one ask', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp();
    const a = await t.tenant('BUSINESS');
    key = a.key;
    await t.gql(`mutation($t: ID!) { addDocuments(tenantId: $t, documents: [{ title: "Password reset", content: "To reset your password open the password portal and answer the security questions." }]) { chunkCount } }`, { t: a.id });
    await t.gql(ASK, {}, { key }); // warms the key cache, as any key in use is warm
  });
  afterAll(async () => t?.close());

  it('takes three statements and two commits for a new conversation, four for a follow-up, none of them a transaction', async () => {
    let counter = countStatements();
    const first = await t.gql(ASK, {}, { key });
    counter.stop();
    expect(first.body.errors).toBeUndefined();
    // reserve (lease) · search · settle (lease + usage + the exchange)
    expect(counter.statements, counter.statements.join('\n')).toHaveLength(3);
    expect(counter.commits()).toBe(2);

    counter = countStatements();
    const followUp = await t.gql(ASK, { c: first.body.data.ask.conversationId }, { key });
    counter.stop();
    expect(followUp.body.errors).toBeUndefined();
    // the same, plus the conversation's recent turns (which also proves it is the tenant's)
    expect(counter.statements, counter.statements.join('\n')).toHaveLength(4);
    expect(counter.commits()).toBe(2);
    expect(counter.statements.filter((s) => /^(BEGIN|START TRANSACTION|COMMIT)/i.test(s))).toEqual([]);
  });

  it('answers a keyed `me` from the caller it already holds, without a statement', async () => {
    await t.gql('{ me { id name plan { code } } }', {}, { key });
    const counter = countStatements();
    const me = await t.gql('{ me { id name plan { code } } }', {}, { key });
    counter.stop();
    expect(me.body.errors).toBeUndefined();
    expect(counter.statements, counter.statements.join('\n')).toEqual([]);
  });
});
