import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AskQuestionDocument, ConversationDocument, DeleteTenantDocument } from '../operations/operations.generated';
import { startTestApp, TestApp } from '../helpers/app';

describe('a client key stays inside its tenant', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps a client key inside its tenant: admin operations are FORBIDDEN, other tenants NOT_FOUND', async () => {
    const a = await t.tenant('BUSINESS');
    const b = await t.tenant('BUSINESS');
    const forbidden = await t.gql(`{ tenants { totalCount } }`, {}, { key: a.key });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.errors![0].extensions.code).toBe('FORBIDDEN');
    const create = await t.gql(DeleteTenantDocument, { id: b.id }, { key: a.key });
    expect(create.status).toBe(403);

    const ask = await t.gql(AskQuestionDocument, { q: 'How do I reset my password?' }, { key: b.key });
    const conversationId = ask.body.data!.ask.conversationId;
    const foreign = await t.gql(ConversationDocument, { id: conversationId }, { key: a.key });
    expect(foreign.status).toBe(200);
    expect(foreign.body.data!.conversation).toBeNull();
    expect(foreign.body.errors![0].extensions.code).toBe('NOT_FOUND');
    const own = await t.gql(ConversationDocument, { id: conversationId }, { key: b.key });
    expect(own.body.data!.conversation!.id).toBe(conversationId);
  });
});
