import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import { print } from 'graphql';
import WebSocket from 'ws';
import { ADMIN_KEY, startTestApp, TestApp } from '../helpers/app';
import { HOSPITAL_A_DOCS } from '../helpers/corpus';
import { AnthropicFake } from '../fakes/anthropic-fake';
import { AddDocumentsDocument } from '../../src/contract/operations.generated';
import { AskQuestionDocument, QuotaDocument, RevokeApiKeyDocument, StreamQuestionDocument, SuspendTenantDocument, UpdateTenantDocument } from '../operations/operations.generated';

const VPN = 'How do I connect to the VPN from home?';

interface StreamOutcome {
  events: { delta?: string; done: boolean; result?: Record<string, any> }[];
  errors: { message: string; extensions: Record<string, any> }[] | null;
  closeCode: number | null;
}

/** One askStream over graphql-ws, as a browser would run it; resolves on completion, an error, or a closed socket. */
function stream(t: TestApp, key: string, variables: Record<string, unknown>, options: { stopAfterDeltas?: number; stopAfterMs?: number } = {}): Promise<StreamOutcome> {
  const outcome: StreamOutcome = { events: [], errors: null, closeCode: null };
  return new Promise((resolve) => {
    const client = createClient({
      url: t.url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true,
      connectionParams: { authorization: `Bearer ${key}` },
      on: { closed: (event) => { outcome.closeCode ??= (event as { code: number }).code; } },
    });
    const finish = () => void client.dispose().then(() => resolve(outcome), () => resolve(outcome));
    const unsubscribe = client.subscribe(
      { query: print(StreamQuestionDocument), variables },
      {
        next: (message) => {
          outcome.events.push((message.data as { askStream: StreamOutcome['events'][number] }).askStream);
          if (options.stopAfterDeltas && outcome.events.length >= options.stopAfterDeltas) {
            unsubscribe();
            finish();
          }
        },
        error: (error) => {
          if (Array.isArray(error)) outcome.errors = error as StreamOutcome['errors'];
          finish();
        },
        complete: finish,
      },
    );
    if (options.stopAfterMs !== undefined) {
      setTimeout(() => {
        unsubscribe();
        finish();
      }, options.stopAfterMs);
    }
  });
}

async function tenantWithDocs(t: TestApp, plan = 'BUSINESS', extra: Record<string, unknown> = {}) {
  const tenant = await t.tenant(plan, extra);
  await t.gql(AddDocumentsDocument, { tenantId: tenant.id, documents: HOSPITAL_A_DOCS });
  return tenant;
}

describe('askStream on the embedded defaults', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('streams deltas that join to the answer, then one done event with the result and its quota', async () => {
    const a = await tenantWithDocs(t);
    const { events, errors } = await stream(t, a.key, { q: VPN });
    expect(errors).toBeNull();
    const last = events.at(-1)!;
    expect(last.done).toBe(true);
    expect(last.result).toMatchObject({ grounded: true, quota: { used: 1 } });
    expect(events.slice(0, -1).map((e) => e.delta).join('')).toBe(last.result!.answer);
    // A follow-up stays in the conversation.
    const next = await stream(t, a.key, { q: 'And from a Mac?', c: last.result!.conversationId });
    expect(next.events.at(-1)!.result!.conversationId).toBe(last.result!.conversationId);
  });

  it('refuses with the same extensions.code (and extras) as ask over HTTP, as an error message', async () => {
    const cases: { name: string; key: () => Promise<string>; variables: Record<string, unknown> }[] = [
      { name: 'empty question', key: async () => (await tenantWithDocs(t)).key, variables: { q: '   ' } },
      {
        name: 'foreign conversation',
        key: async () => (await tenantWithDocs(t)).key,
        variables: { q: VPN, c: await (async () => {
          const other = await tenantWithDocs(t);
          return (await t.gql(AskQuestionDocument, { q: VPN }, { key: other.key })).body.data.ask.conversationId as string;
        })() },
      },
      { name: 'quota used up', key: async () => (await tenantWithDocs(t, 'BUSINESS', {})).key, variables: { q: VPN } },
      { name: 'admin key', key: async () => ADMIN_KEY, variables: { q: VPN } },
    ];
    // The quota case: a tenant whose quota is 0.
    const zero = await tenantWithDocs(t);
    await t.gql(UpdateTenantDocument, { id: zero.id, input: { quotaOverride: 0 } });
    cases[2].key = async () => zero.key;

    for (const c of cases) {
      const key = await c.key();
      const http = await t.gql(AskQuestionDocument, c.variables, { key });
      const ws = await stream(t, key, c.variables);
      const httpError = http.body.errors![0];
      expect(ws.errors, c.name).not.toBeNull();
      expect(ws.errors![0].extensions, c.name).toEqual(httpError.extensions);
    }
  });

  it('refuses a rate-limited stream with RATE_LIMITED and retryAfter, as ask does', async () => {
    const a = await tenantWithDocs(t);
    await t.gql(UpdateTenantDocument, { id: a.id, input: { rateOverride: 1 } });
    expect((await t.gql(AskQuestionDocument, { q: VPN }, { key: a.key })).status).toBe(200);
    const http = await t.gql(AskQuestionDocument, { q: VPN }, { key: a.key });
    const ws = await stream(t, a.key, { q: VPN });
    expect(http.body.errors![0].extensions.code).toBe('RATE_LIMITED');
    expect(ws.errors![0].extensions.code).toBe('RATE_LIMITED');
    expect(ws.errors![0].extensions.retryAfter).toBeGreaterThan(0);
  });

  it('closes the socket with 4403 when connection_init carries a bad key; a suspended tenant is told so', async () => {
    const unknown = await stream(t, `sk_business_${'x'.repeat(43)}`, { q: VPN });
    expect(unknown.closeCode).toBe(4403);
    const a = await tenantWithDocs(t);
    await t.gql(RevokeApiKeyDocument, { id: a.keyId });
    expect((await stream(t, a.key, { q: VPN })).closeCode).toBe(4403);
    const b = await tenantWithDocs(t);
    await t.gql(SuspendTenantDocument, { id: b.id, reason: 'unpaid' });
    const suspended = await stream(t, b.key, { q: VPN });
    expect(suspended.errors![0].extensions.code).toBe('TENANT_SUSPENDED');
  });
});

describe('askStream cut short by its client (Claude streaming slowly)', () => {
  let t: TestApp;
  let fake: AnthropicFake;
  beforeAll(async () => {
    fake = new AnthropicFake();
    const baseURL = await fake.start();
    t = await startTestApp({ ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: baseURL, ANTHROPIC_MODEL: 'test-model', GENERATION_TIMEOUT_MS: '20000' });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('refuses a blocked key and a failing generator with BLOCKED (until) and UPSTREAM_UNAVAILABLE, as ask does', async () => {
    const a = await tenantWithDocs(t);
    const until = new Date(Date.now() + 15 * 60_000);
    await t.app.services.shared.setUntil(`block:key:${a.keyId}`, until);
    const blockedHttp = await t.gql(AskQuestionDocument, { q: VPN }, { key: a.key });
    const blockedWs = await stream(t, a.key, { q: VPN });
    expect(blockedWs.errors![0].extensions).toEqual(blockedHttp.body.errors![0].extensions);
    expect(blockedWs.errors![0].extensions).toEqual({ code: 'BLOCKED', until: until.toISOString() });

    const b = await tenantWithDocs(t);
    fake.setBehaviour({ kind: 'error-event' });
    const failedHttp = await t.gql(AskQuestionDocument, { q: VPN }, { key: b.key });
    const failedWs = await stream(t, b.key, { q: VPN });
    fake.reset();
    expect(failedHttp.status).toBe(503);
    expect(failedWs.errors![0].extensions).toEqual(failedHttp.body.errors![0].extensions);
    expect(failedWs.errors![0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect((await t.gql(QuotaDocument, {}, { key: b.key })).body.data.quota.used).toBe(0);
  });

  const usageTotal = async (key: string) => {
    const day = new Date(Date.now() - 86_400_000).toISOString();
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    return (await t.gql(`{ usage(from: "${day}", to: "${tomorrow}", granularity: MONTH) { total { requests succeeded failed inputTokens } } }`, {}, { key })).body.data.usage.total;
  };
  const leasesHeld = async () => (await t.database.dataSource.query('SELECT count(*)::int AS n FROM quota_lease'))[0].n;

  it('charges an answer cut short once part of it was delivered, and keeps that part in the conversation', async () => {
    const a = await tenantWithDocs(t);
    fake.setBehaviour({ kind: 'slow', delayMs: 150, text: 'Open GlobalProtect, choose the hospital portal, then sign in with your badge number and your usual password. '.repeat(3) });
    const { events } = await stream(t, a.key, { q: VPN }, { stopAfterDeltas: 2 });
    expect(events.length).toBe(2);
    const delivered = events.map((e) => e.delta).join('');

    // The server notices at its next delta, stops generating and settles the lease: kept, since the client was sent
    // part of the answer (closing the stream just before its last words must not make every answer free).
    await expect.poll(leasesHeld, { timeout: 10_000 }).toBe(0);
    const quota = await t.gql(QuotaDocument, {}, { key: a.key });
    expect(quota.body.data.quota.used).toBe(1);
    await expect.poll(() => usageTotal(a.key)).toMatchObject({ requests: 1, succeeded: 1, failed: 0 });
    expect((await usageTotal(a.key)).inputTokens).toBeGreaterThan(0);
    const conversations = await t.gql('{ conversations { edges { node { messages { role content } } } } }', {}, { key: a.key });
    const [conversation] = conversations.body.data.conversations.edges;
    const answer = conversation.node.messages.find((m: { role: string }) => m.role === 'assistant').content as string;
    expect(answer.startsWith(delivered)).toBe(true);
    expect(answer.length).toBeLessThan(200);
    fake.reset();
  });

  it('charges nothing and leaves nothing reserved when the client closes before the first delta', async () => {
    const a = await tenantWithDocs(t);
    fake.setBehaviour({ kind: 'slow', delayMs: 400, text: 'Open GlobalProtect, choose the hospital portal, then sign in with your badge number and your usual password. '.repeat(3) });
    const { events } = await stream(t, a.key, { q: VPN }, { stopAfterMs: 300 });
    expect(events).toEqual([]);

    await expect.poll(leasesHeld, { timeout: 10_000 }).toBe(0);
    await expect.poll(() => usageTotal(a.key), { timeout: 10_000 }).toMatchObject({ requests: 1, succeeded: 0, failed: 1 });
    expect((await t.gql(QuotaDocument, {}, { key: a.key })).body.data.quota.used).toBe(0);
    fake.reset();
  });
});
