import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../helpers/app';
import { HOSPITAL_A_DOCS } from '../helpers/corpus';

/**
 * unansweredQuestions: the asks the documents answered badly (grounded: false, or rated down), grouped by the
 * question's normalised text, newest first, as a Relay connection; for a secret key (its own tenant) or the operator.
 */

const ASK = `mutation($q: String!) { ask(input: { question: $q }) { conversationId messageId grounded } }`;
const LIST = `query($t: ID, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
  unansweredQuestions(tenantId: $t, from: $from, to: $to, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { question count lastAskedAt reason conversationId } } } }`;

describe('unanswered questions', () => {
  let t: TestApp;
  let a: { id: string; key: string; pk: string };
  const asked: Record<string, { conversationId: string; messageId: string; grounded: boolean }> = {};
  const ask = async (q: string, key: string) => {
    const res = await t.gql(ASK, { q }, { key, headers: { 'x-askdesk-visitor': 'visitor-unanswered-00001' } });
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return (asked[q] = res.body.data.ask);
  };

  beforeAll(async () => {
    t = await startTestApp();
    const tenant = await t.tenant('BUSINESS');
    await t.gql(`mutation($t: ID!, $d: [DocumentInput!]!) { addDocuments(tenantId: $t, documents: $d) { chunkCount } }`, { t: tenant.id, d: HOSPITAL_A_DOCS });
    const pk = (await t.gql(`mutation($t: ID!) { issueApiKey(tenantId: $t, name: "widget", kind: PUBLISHABLE) { secret } }`, { t: tenant.id })).body.data.issueApiKey.secret;
    a = { ...tenant, pk };
    // Off-topic twice, in two spellings (one through the widget's key), then a grounded answer rated down.
    expect((await ask('What is the guest Wi-Fi password at the cafeteria?', a.key)).grounded).toBe(false);
    expect((await ask('  what is the GUEST wi-fi password at the   cafeteria ', a.pk)).grounded).toBe(false);
    const vpn = await ask('How do I connect to the hospital VPN?', a.pk);
    expect(vpn.grounded).toBe(true);
    await t.gql(`mutation($m: ID!) { rateAnswer(input: { messageId: $m, rating: DOWN }) { id } }`, { m: vpn.messageId }, { key: a.pk, headers: { 'x-askdesk-visitor': 'visitor-unanswered-00001' } });
    // Grounded and not rated down: not listed.
    await ask('Comment réinitialiser mon mot de passe Windows ?', a.key);
  });
  afterAll(async () => t?.close());

  it('groups by normalised text, newest first, with count, reason and the latest conversation', async () => {
    const res = await t.gql(LIST, {}, { key: a.key });
    expect(res.body.errors).toBeUndefined();
    const page = res.body.data.unansweredQuestions;
    expect(page.totalCount).toBe(2);
    expect(page.edges.map((e: any) => e.node)).toEqual([
      { question: 'How do I connect to the hospital VPN?', count: 1, lastAskedAt: expect.any(String), reason: 'RATED_DOWN', conversationId: asked['How do I connect to the hospital VPN?'].conversationId },
      // As last asked (trimmed, as every question is stored).
      { question: 'what is the GUEST wi-fi password at the   cafeteria', count: 2, lastAskedAt: expect.any(String), reason: 'UNGROUNDED',
        conversationId: asked['  what is the GUEST wi-fi password at the   cafeteria '].conversationId },
    ]);
    // The operator reads the same list by naming the tenant.
    expect((await t.gql(LIST, { t: a.id })).body.data.unansweredQuestions.totalCount).toBe(2);
  });

  it('pages with first and after, and filters by from and to', async () => {
    const first = (await t.gql(LIST, { first: 1 }, { key: a.key })).body.data.unansweredQuestions;
    expect(first.edges).toHaveLength(1);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await t.gql(LIST, { first: 1, after: first.pageInfo.endCursor }, { key: a.key })).body.data.unansweredQuestions;
    expect(second.edges.map((e: any) => e.node.reason)).toEqual(['UNGROUNDED']);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(second.totalCount).toBe(2);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect((await t.gql(LIST, { from: future }, { key: a.key })).body.data.unansweredQuestions).toMatchObject({ totalCount: 0, edges: [] });
    const past = new Date(Date.now() - 86_400_000).toISOString();
    expect((await t.gql(LIST, { from: past, to: future }, { key: a.key })).body.data.unansweredQuestions.totalCount).toBe(2);
    const bad = await t.gql(LIST, { from: future, to: past }, { key: a.key });
    expect(bad.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
  });

  it('is for the IT team: a publishable key is refused, another tenant sees none of it', async () => {
    const refused = await t.gql(LIST, {}, { key: a.pk });
    expect(refused.status).toBe(403);
    expect(refused.body.errors![0].extensions.code).toBe('FORBIDDEN');
    const b = await t.tenant('BUSINESS');
    expect((await t.gql(LIST, {}, { key: b.key })).body.data.unansweredQuestions.totalCount).toBe(0);
    expect((await t.gql(LIST, { t: a.id }, { key: b.key })).body.errors![0].extensions.code).toBe('NOT_FOUND');
  });

  it('leaves out a question once a curated answer of the tenant would match it, and lists it again if that answer is rated down', async () => {
    const WIFI = 'what is the GUEST wi-fi password at the   cafeteria';
    const VPN = 'How do I connect to the hospital VPN?';
    const listed = async () => (await t.gql(LIST, {}, { key: a.key })).body.data.unansweredQuestions;
    const save = async (questions: string[], answer: string) => {
      const res = await t.gql(`mutation($input: CuratedAnswerInput!) { saveCuratedAnswer(input: $input) { id } }`, { input: { questions, answer } }, { key: a.key });
      expect(res.body.errors).toBeUndefined();
      return res.body.data.saveCuratedAnswer.id as string;
    };

    // A curated answer about something else leaves the list as it was.
    await save(['Où se trouve la salle serveur ?'], 'Bâtiment C, sous-sol.');
    expect((await listed()).totalCount).toBe(2);

    // "Answer this" on the Wi-Fi question saves it as the first phrasing: both of its asks are answered now.
    const wifi = await save([WIFI], 'The code is shown at the cafeteria till.');
    expect((await listed()).edges.map((e: any) => e.node.question)).toEqual([VPN]);
    expect((await listed()).totalCount).toBe(1);
    // The operator's read of the list, the same.
    expect((await t.gql(LIST, { t: a.id })).body.data.unansweredQuestions.totalCount).toBe(1);

    // The rated-down VPN answer too, with another wording of the same question: what the matcher would match leaves.
    await save(['How can I connect to the hospital VPN'], 'Install GlobalProtect from the software centre.');
    expect(await listed()).toMatchObject({ totalCount: 0, edges: [] });

    // The curated answer itself rated down: that ask is listed again, for the IT team to improve the answer.
    const again = await ask(VPN, a.pk);
    await t.gql(`mutation($m: ID!) { rateAnswer(input: { messageId: $m, rating: DOWN }) { id } }`, { m: again.messageId }, { key: a.pk, headers: { 'x-askdesk-visitor': 'visitor-unanswered-00001' } });
    expect((await listed()).edges.map((e: any) => e.node)).toEqual([{ question: VPN, count: 1, lastAskedAt: expect.any(String), reason: 'RATED_DOWN', conversationId: again.conversationId }]);

    // Removing the Wi-Fi answer brings its question back: its asks were never answered otherwise.
    expect((await t.gql(`mutation($id: ID!) { removeCuratedAnswer(id: $id) }`, { id: wifi }, { key: a.key })).body.errors).toBeUndefined();
    expect((await listed()).edges.map((e: any) => [e.node.question, e.node.count])).toEqual([[VPN, 1], [WIFI, 2]]);
  });
});
