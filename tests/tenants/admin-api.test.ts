import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../helpers/app';
import { AddDocumentsDocument } from '../../src/contract/operations.generated';
import { AskQuestionDocument, DocumentsDocument, RateAnswerDocument } from '../operations/operations.generated';

describe('admin API additions', () => {
  let t: TestApp;
  let a: { id: string; key: string; keyId: string };
  let b: { id: string; key: string; keyId: string };
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.tenant('BUSINESS', { name: 'Centre Hospitalier Nord', slug: 'chu-nord', contactEmail: 'dsi@chu-nord.example' });
    b = await t.tenant('BUSINESS', { name: 'Clinique 100% Sud_Ouest', slug: 'clinique-sud', contactEmail: 'it@sud.example' });
    await t.gql(AddDocumentsDocument, { tenantId: a.id, documents: [
      { title: 'VPN setup', content: 'Install GlobalProtect and sign in at vpn.chu-nord.example with your badge number.' },
      { title: 'Printer drivers', content: 'Printers on floor 2 use the PaperCut queue; add it from the software centre.' },
      { title: 'vpn troubleshooting', content: 'If the VPN drops, restart GlobalProtect and check the certificate.' },
    ] });
    await t.gql(AddDocumentsDocument, { tenantId: b.id, documents: [{ title: 'VPN at Sud', content: 'Sud uses FortiClient for the VPN.' }] });
  });
  afterAll(async () => t?.close());

  describe('search', () => {
    const TENANTS = `query($s: String, $first: Int, $after: String) { tenants(search: $s, first: $first, after: $after) { totalCount edges { node { slug } } pageInfo { hasNextPage endCursor } } }`;
    const slugs = (res: any) => res.body.data.tenants.edges.map((e: any) => e.node.slug);

    it('finds tenants by part of the name, slug or contact email, ignoring case', async () => {
      expect(slugs(await t.gql(TENANTS, { s: 'hospitalier' }))).toEqual(['chu-nord']);
      expect(slugs(await t.gql(TENANTS, { s: 'CLINIQUE-S' }))).toEqual(['clinique-sud']);
      expect(slugs(await t.gql(TENANTS, { s: '@sud.EXAMPLE' }))).toEqual(['clinique-sud']);
      expect(slugs(await t.gql(TENANTS, { s: 'nothing like it' }))).toEqual([]);
      expect((await t.gql(TENANTS, { s: '   ' })).body.data.tenants.totalCount).toBe(2);
    });

    it('takes % and _ literally', async () => {
      expect(slugs(await t.gql(TENANTS, { s: '100%' }))).toEqual(['clinique-sud']);
      expect(slugs(await t.gql(TENANTS, { s: '%' }))).toEqual(['clinique-sud']);
      expect(slugs(await t.gql(TENANTS, { s: 'sud_ouest' }))).toEqual(['clinique-sud']);
      expect(slugs(await t.gql(TENANTS, { s: 'u_-' }))).toEqual([]); // "_" is not a wildcard
    });

    it('pages the matches', async () => {
      const first = await t.gql(TENANTS, { s: '.example', first: 1 });
      expect(first.body.data.tenants).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
      const second = await t.gql(TENANTS, { s: '.example', first: 1, after: first.body.data.tenants.pageInfo.endCursor });
      expect([...slugs(first), ...slugs(second)]).toEqual(['chu-nord', 'clinique-sud']);
      expect(second.body.data.tenants.pageInfo.hasNextPage).toBe(false);
    });

    it("finds a tenant's documents by title only, never another tenant's", async () => {
      const res = await t.gql(DocumentsDocument, { tenantId: a.id, search: 'VPN' });
      expect(res.body.data.documents.edges.map((e: any) => e.node.title)).toEqual(['VPN setup', 'vpn troubleshooting']);
      expect((await t.gql(DocumentsDocument, { tenantId: a.id, search: 'GlobalProtect' })).body.data.documents.totalCount).toBe(0);
    });
  });

  describe('answer ratings', () => {
    let answerA: string;
    let questionA: string;
    let answerB: string;
    beforeAll(async () => {
      const askedA = (await t.gql(AskQuestionDocument, { q: 'How do I connect to the VPN?' }, { key: a.key })).body.data.ask;
      answerA = askedA.messageId;
      const conv = await t.gql(`query($id: ID!) { conversation(id: $id) { messages { id role } } }`, { id: askedA.conversationId }, { key: a.key });
      questionA = conv.body.data.conversation.messages.find((m: any) => m.role === 'user').id;
      answerB = (await t.gql(AskQuestionDocument, { q: 'VPN?' }, { key: b.key })).body.data.ask.messageId;
    });

    it('rates an answer, and rating again replaces the rating', async () => {
      const up = await t.gql(RateAnswerDocument, { input: { messageId: answerA, rating: 'UP' } }, { key: a.key });
      expect(up.body.data.rateAnswer).toMatchObject({ tenantId: a.id, messageId: answerA, rating: 'UP', comment: null });
      const down = await t.gql(RateAnswerDocument, { input: { messageId: answerA, rating: 'DOWN', comment: '  Wrong client name  ' } }, { key: a.key });
      expect(down.body.data.rateAnswer).toMatchObject({ id: up.body.data.rateAnswer.id, rating: 'DOWN', comment: 'Wrong client name' });

      const conv = await t.gql(`{ conversations { edges { node { messages { id role rating } } } } }`, {}, { key: a.key });
      const messages = conv.body.data.conversations.edges[0].node.messages;
      expect(messages.find((m: any) => m.id === answerA).rating).toBe('DOWN');
      expect(messages.find((m: any) => m.role === 'user').rating).toBeNull();
    });

    it("answers NOT_FOUND for another tenant's message and BAD_USER_INPUT for a question", async () => {
      const other = await t.gql(RateAnswerDocument, { input: { messageId: answerB, rating: 'UP' } }, { key: a.key });
      expect(other.body.errors![0].extensions.code).toBe('NOT_FOUND');
      const bogus = await t.gql(RateAnswerDocument, { input: { messageId: 'not-an-id', rating: 'UP' } }, { key: a.key });
      expect(bogus.body.errors![0].extensions.code).toBe('NOT_FOUND');
      const question = await t.gql(RateAnswerDocument, { input: { messageId: questionA, rating: 'UP' } }, { key: a.key });
      expect(question.status).toBe(400);
      expect(question.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'messageId' });
      const long = await t.gql(RateAnswerDocument, { input: { messageId: answerA, rating: 'UP', comment: 'x'.repeat(2001) } }, { key: a.key });
      expect(long.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'comment' });
    });

    it('is a client operation: an admin key has no tenant to rate for', async () => {
      const res = await t.gql(RateAnswerDocument, { input: { messageId: answerA, rating: 'UP' } });
      expect(res.body.errors![0].extensions.code).toBe('FORBIDDEN');
    });

    it('lists and counts ratings for the operator, by tenant and kind', async () => {
      await t.gql(RateAnswerDocument, { input: { messageId: answerB, rating: 'UP' } }, { key: b.key });
      const LIST = `query($t: ID, $r: Rating) { answerRatings(tenantId: $t, rating: $r) { totalCount edges { node { tenantId messageId rating } } } }`;
      expect((await t.gql(LIST, {})).body.data.answerRatings.totalCount).toBe(2);
      expect((await t.gql(LIST, { t: a.id })).body.data.answerRatings.edges).toEqual([{ node: { tenantId: a.id, messageId: answerA, rating: 'DOWN' } }]);
      expect((await t.gql(LIST, { r: 'UP' })).body.data.answerRatings.edges.map((e: any) => e.node.messageId)).toEqual([answerB]);
      const STATS = `query($t: ID) { answerRatingStats(tenantId: $t) { up down } }`;
      expect((await t.gql(STATS, {})).body.data.answerRatingStats).toEqual({ up: 1, down: 1 });
      expect((await t.gql(STATS, { t: b.id })).body.data.answerRatingStats).toEqual({ up: 1, down: 0 });
      expect((await t.gql(STATS, { t: '00000000-0000-4000-8000-000000000000' })).body.errors![0].extensions.code).toBe('NOT_FOUND');
    });
  });

  describe('audit log', () => {
    const LOG = `query($t: ID, $first: Int, $after: String) { auditLog(tenantId: $t, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id tenantId actor action targetType targetId detail createdAt } } } }`;

    it("lists admin actions newest first, a tenant's own including those on its keys", async () => {
      const issued = await t.gql(`mutation($t: ID!) { issueApiKey(tenantId: $t, name: "kiosk") { key { id } } }`, { t: a.id });
      const keyId = issued.body.data.issueApiKey.key.id;
      await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: keyId });

      const res = await t.gql(LOG, { t: a.id });
      const nodes = res.body.data.auditLog.edges.map((e: any) => e.node);
      expect(nodes.map((n: any) => n.action)).toEqual(['revokeApiKey', 'issueApiKey', 'addDocuments', 'createTenant']);
      expect(nodes.every((n: any) => n.tenantId === a.id && n.actor === 'env:ADMIN_API_KEY')).toBe(true);
      expect(nodes[0]).toMatchObject({ targetType: 'apiKey', targetId: keyId });
      expect(JSON.parse(nodes[3].detail)).toEqual({ slug: 'chu-nord', plan: 'BUSINESS' });
      const all = await t.gql(LOG, {});
      expect(all.body.data.auditLog.totalCount).toBeGreaterThan(nodes.length);
    });

    it('pages from newest to oldest without repeating an entry', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page: any = (await t.gql(LOG, { first: 2, after })).body.data.auditLog;
        seen.push(...page.edges.map((e: any) => e.node.id));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      const all = (await t.gql(LOG, { first: 100 })).body.data.auditLog.edges.map((e: any) => e.node.id);
      expect(seen).toEqual(all);
    });

    it("keeps a deleted tenant's trail readable", async () => {
      const gone = await t.tenant('DEMO');
      await t.gql(`mutation($id: ID!) { deleteTenant(id: $id) }`, { id: gone.id });
      const res = await t.gql(LOG, { t: gone.id });
      expect(res.body.data.auditLog.edges.map((e: any) => e.node.action)).toEqual(['deleteTenant', 'createTenant']);
    });
  });

  it('reports usage of all tenants together', async () => {
    const from = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
    const to = new Date(from.getTime() + 40 * 86_400_000);
    const Q = `query($from: DateTime!, $to: DateTime!) { serviceUsage(from: $from, to: $to, granularity: MONTH) { from to buckets { start requests succeeded } total { requests succeeded } } }`;
    const res = await t.gql(Q, { from, to });
    const report = res.body.data.serviceUsage;
    const perTenant = async (id: string) =>
      (await t.gql(`query($id: ID!, $from: DateTime!, $to: DateTime!) { tenantUsage(tenantId: $id, from: $from, to: $to) { total { succeeded } } }`, { id, from, to })).body.data.tenantUsage.total.succeeded;
    expect(report.total.succeeded).toBe((await perTenant(a.id)) + (await perTenant(b.id)));
    expect(report.total.succeeded).toBeGreaterThanOrEqual(2);
    expect(report.buckets.length).toBeGreaterThanOrEqual(2);
    expect((await t.gql(Q, { from: to, to: from })).body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a client key on every admin addition with FORBIDDEN', async () => {
    const now = new Date().toISOString();
    const operations = [
      `{ tenants(search: "a") { totalCount } }`,
      `{ answerRatings { totalCount } }`,
      `{ answerRatingStats { up } }`,
      `{ auditLog { totalCount } }`,
      `{ serviceUsage(from: "${now}", to: "${now}") { total { requests } } }`,
      `mutation { createClientPackage(tenantId: "${a.id}", endpoint: "https://x.example/graphql") { filename } }`,
    ];
    for (const query of operations) {
      const res = await t.gql(query, {}, { key: a.key });
      expect(res.status, query).toBe(403);
      expect(res.body.errors![0].extensions.code, query).toBe('FORBIDDEN');
    }
    // documents is open to a tenant's secret key, for its own tenant (tests/tenants/inside-tenant.test.ts).
    expect((await t.gql(`{ documents(tenantId: "${a.id}", search: "vpn") { totalCount } }`, {}, { key: a.key })).status).toBe(200);
  });
});
