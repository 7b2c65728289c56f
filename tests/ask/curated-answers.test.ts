import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../helpers/app';
import { HOSPITAL_A_DOCS, HOSPITAL_B_DOCS } from '../helpers/corpus';
import { countStatements } from '../helpers/statements';

/**
 * Curated answers over HTTP: an ask matching an approved phrasing gets the approved text verbatim, charged as any
 * answer and counted as a hit, without a statement more; another tenant's answers, documents and ids stay out of reach.
 */

const ASK = `mutation($q: String!, $c: ID) { ask(input: { question: $q, conversationId: $c }) {
  answer conversationId grounded curated model citations { documentId title score } quota { used } } }`;
const ADD = `mutation($t: ID!, $d: [DocumentInput!]!) { addDocuments(tenantId: $t, documents: $d) { documents { id title } } }`;
const SAVE = `mutation($input: CuratedAnswerInput!) { saveCuratedAnswer(input: $input) {
  id questions answer hits updatedAt citations { documentId title sourceUrl } } }`;
const LIST = `query($t: ID, $after: String) { curatedAnswers(tenantId: $t, first: 10, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id questions answer hits citations { title } } } } }`;
const REMOVE = `mutation($id: ID!) { removeCuratedAnswer(id: $id) }`;

const APPROVED = 'Ouvrez https://motdepasse.chu-a.example depuis un poste du réseau, puis suivez les trois étapes. Le service desk (poste 4444) aide en cas de blocage.';

describe('curated answers', () => {
  let t: TestApp;
  let a: { id: string; key: string };
  let b: { id: string; key: string };
  let docsA: Record<string, string>;
  let docB: string;
  let answerId: string;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.tenant('BUSINESS');
    b = await t.tenant('BUSINESS');
    const addedA = await t.gql(ADD, { t: a.id, d: HOSPITAL_A_DOCS });
    docsA = Object.fromEntries(addedA.body.data.addDocuments.documents.map((d: { id: string; title: string }) => [d.title, d.id]));
    docB = (await t.gql(ADD, { t: b.id, d: HOSPITAL_B_DOCS })).body.data.addDocuments.documents[0].id;
  });
  afterAll(async () => t?.close());

  const ask = async (key: string, q: string) => {
    const res = await t.gql(ASK, { q }, { key });
    expect(res.body.errors).toBeUndefined();
    return res.body.data.ask;
  };

  it('lets the operator record an answer for a tenant, with its phrasings and cited documents', async () => {
    const saved = await t.gql(SAVE, {
      input: {
        tenantId: a.id,
        questions: ['Comment réinitialiser mon mot de passe ?', "J'ai oublié mon mot de passe", ' Comment réinitialiser mon mot de passe ? '],
        answer: APPROVED,
        documentIds: [docsA['Réinitialisation des mots de passe']],
      },
    });
    expect(saved.body.errors).toBeUndefined();
    const node = saved.body.data.saveCuratedAnswer;
    answerId = node.id;
    // Phrasings are trimmed and kept once.
    expect(node).toMatchObject({ questions: ['Comment réinitialiser mon mot de passe ?', "J'ai oublié mon mot de passe"], answer: APPROVED, hits: 0 });
    expect(node.citations).toEqual([{ documentId: docsA['Réinitialisation des mots de passe'], title: 'Réinitialisation des mots de passe', sourceUrl: expect.anything() }]);
    // The change is in the audit trail, under the tenant.
    const audit = await t.gql(`query($t: ID) { auditLog(tenantId: $t, first: 5) { edges { node { action targetId } } } }`, { t: a.id });
    expect(audit.body.data.auditLog.edges.map((e: { node: { action: string } }) => e.node)).toContainEqual({ action: 'saveCuratedAnswer', targetId: answerId });
    // An admin must name the tenant of a new answer.
    const missing = await t.gql(SAVE, { input: { questions: ['x y z'], answer: 'x' } });
    expect(missing.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tenantId' });
    expect(missing.status).toBe(400);
  });

  it('answers a matching ask with the approved text verbatim, grounded and curated, charged and counted as a hit', async () => {
    const before = (await t.gql('{ quota { used } }', {}, { key: a.key })).body.data.quota.used;
    const reply = await ask(a.key, 'Comment puis-je réinitialiser mon mot de passe ?');
    expect(reply).toMatchObject({ answer: APPROVED, grounded: true, curated: true, model: 'curated' });
    expect(reply.citations).toEqual([{ documentId: docsA['Réinitialisation des mots de passe'], title: 'Réinitialisation des mots de passe', score: 1 }]);
    expect(reply.quota.used).toBe(before + 1);
    const again = await ask(a.key, "j'ai oublié mon mot de passe");
    expect(again.curated).toBe(true);
    const list = await t.gql(LIST, {}, { key: a.key });
    expect(list.body.errors).toBeUndefined();
    expect(list.body.data.curatedAnswers.edges[0].node).toMatchObject({ id: answerId, hits: 2 });
    // The conversation keeps the curated answer like any other.
    const conversation = await t.gql(`query($id: ID!) { conversation(id: $id) { messages { role content } } }`, { id: reply.conversationId }, { key: a.key });
    expect(conversation.body.data.conversation.messages.at(-1)).toEqual({ role: 'assistant', content: APPROVED });
  });

  it('streams a curated answer over askStream as one delta, then the result', async () => {
    const client = createClient({ url: t.url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${a.key}` } });
    const events: { delta: string | null; done: boolean; result: { curated: boolean; grounded: boolean; answer: string } | null }[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: `subscription { askStream(input: { question: "J'ai oublié mon mot de passe" }) { delta done result { curated grounded answer } } }` },
        { next: (m) => void events.push((m.data as any).askStream), error: reject, complete: resolve },
      );
    });
    await client.dispose();
    expect(events.filter((e) => e.delta).map((e) => e.delta).join('')).toBe(APPROVED);
    expect(events.at(-1)).toMatchObject({ done: true, result: { curated: true, grounded: true, answer: APPROVED } });
  });

  it('leaves other questions to the documents', async () => {
    const vpn = await ask(a.key, 'How do I connect to the VPN from home?');
    expect(vpn).toMatchObject({ grounded: true, curated: false });
    expect(vpn.model).not.toBe('curated');
    expect(vpn.citations[0].title).toBe('Connecting to the hospital VPN');
    const off = await ask(a.key, 'What is the capital of Peru?');
    expect(off).toMatchObject({ grounded: false, curated: false });
  });

  it("keeps each tenant's curated answers to itself", async () => {
    // Tenant B asking the same question gets its own documents' answer, never tenant A's approved text.
    const other = await ask(b.key, 'Comment réinitialiser mon mot de passe ?');
    expect(other.curated).toBe(false);
    expect(JSON.stringify(other)).not.toContain('motdepasse.chu-a');
    const own = await t.gql(LIST, {}, { key: b.key });
    expect(own.body.data.curatedAnswers.totalCount).toBe(0);
    const foreign = [
      await t.gql(LIST, { t: a.id }, { key: b.key }),
      await t.gql(REMOVE, { id: answerId }, { key: b.key }),
      await t.gql(SAVE, { input: { id: answerId, questions: ['pris'], answer: 'pris' } }, { key: b.key }),
      await t.gql(SAVE, { input: { tenantId: a.id, questions: ['pris'], answer: 'pris' } }, { key: b.key }),
      // A document of another tenant is as absent as one that never existed, for the operator too.
      await t.gql(SAVE, { input: { questions: ['Badge ?'], answer: 'Voir le badge.', documentIds: [docsA['Connecting to the hospital VPN']] } }, { key: b.key }),
      await t.gql(SAVE, { input: { tenantId: a.id, questions: ['Badge ?'], answer: 'Voir le badge.', documentIds: [docB] } }),
      await t.gql(REMOVE, { id: '00000000-0000-4000-8000-000000000000' }),
    ];
    for (const res of foreign) {
      expect(res.status).toBe(200);
      expect(res.body.errors?.[0].extensions.code, JSON.stringify(res.body)).toBe('NOT_FOUND');
    }
    // A cited document that is absent is named by its place among those given (never by the id, which may be another
    // tenant's), so that a form opened before its removal can drop it.
    expect(foreign[5].body.errors[0].extensions).toMatchObject({ field: 'documentIds', missing: [0] });
    const mixed = await t.gql(SAVE, { input: { tenantId: a.id, questions: ['Badge ?'], answer: 'Voir le badge.', documentIds: [docsA['Connecting to the hospital VPN'], docB] } });
    expect(mixed.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'documentIds', missing: [1] });
    // Nothing of A's changed.
    const list = await t.gql(LIST, { t: a.id });
    expect(list.body.data.curatedAnswers.edges.map((e: { node: { answer: string } }) => e.node.answer)).toEqual([APPROVED]);
  });

  it('refuses publishable keys with 403 FORBIDDEN, yet answers their asks with the curated text', async () => {
    const issued = await t.gql(`mutation($t: ID!) { issueApiKey(tenantId: $t, name: "page", kind: PUBLISHABLE) { secret } }`, { t: a.id });
    expect(issued.body.errors).toBeUndefined();
    const pk = issued.body.data.issueApiKey.secret as string;
    for (const [query, variables] of [
      [LIST, {}],
      [SAVE, { input: { questions: ['x y'], answer: 'x' } }],
      [REMOVE, { id: answerId }],
      [`{ exportCuratedAnswers }`, {}],
      [`mutation { setAssistantInstructions(instructions: "x") { id } }`, {}],
    ] as const) {
      const res = await t.gql(query, variables, { key: pk });
      expect(res.status, query).toBe(403);
      expect(res.body.errors![0].extensions.code).toBe('FORBIDDEN');
    }
    const reply = await ask(pk, "J'ai oublié mon mot de passe");
    expect(reply).toMatchObject({ curated: true, answer: APPROVED });
  });

  it("lets a tenant's secret key manage its own answers, omitting the tenant or naming its own", async () => {
    const saved = await t.gql(SAVE, {
      input: { tenantId: b.id, questions: ['Où trouver le formulaire de badge du bloc ?'], answer: 'Formulaire B-12, à l’accueil du bloc.', documentIds: [docB] },
    }, { key: b.key });
    expect(saved.body.errors).toBeUndefined();
    const id = saved.body.data.saveCuratedAnswer.id;
    const updated = await t.gql(SAVE, { input: { id, questions: ['Où trouver le formulaire de badge du bloc ?', 'formulaire badge bloc opératoire'], answer: 'Formulaire B-13.' } }, { key: b.key });
    expect(updated.body.data.saveCuratedAnswer).toMatchObject({ id, answer: 'Formulaire B-13.', citations: [] });
    const reply = await ask(b.key, 'Où trouver le formulaire de badge du bloc ?');
    expect(reply).toMatchObject({ curated: true, answer: 'Formulaire B-13.' });
    expect((await t.gql(REMOVE, { id }, { key: b.key })).body.data.removeCuratedAnswer).toBe(true);
    // Removed: the question goes back to the documents.
    expect((await ask(b.key, 'Où trouver le formulaire de badge du bloc ?')).curated).toBe(false);
    expect((await t.gql(REMOVE, { id }, { key: b.key })).body.errors![0].extensions.code).toBe('NOT_FOUND');
  });

  it('matches without a statement more: a hit takes two (no search), a miss the usual three', async () => {
    await ask(a.key, 'Comment réinitialiser mon mot de passe ?'); // this process's copy is current
    let counter = countStatements();
    const hit = await t.gql(ASK, { q: "J'ai oublié mon mot de passe" }, { key: a.key });
    counter.stop();
    expect(hit.body.data.ask.curated).toBe(true);
    // reserve (lease) · settle (lease + usage + the exchange + the hit)
    expect(counter.statements, counter.statements.join('\n')).toHaveLength(2);
    expect(counter.commits()).toBe(2);

    counter = countStatements();
    const miss = await t.gql(ASK, { q: 'How do I connect to the VPN from home?' }, { key: a.key });
    counter.stop();
    expect(miss.body.data.ask.curated).toBe(false);
    expect(counter.statements, counter.statements.join('\n')).toHaveLength(3);
  });

  it('exports and imports curated answers as CSV, all rows or none', async () => {
    const exported = await t.gql(`query($t: ID) { exportCuratedAnswers(tenantId: $t) }`, { t: a.id });
    expect(exported.body.errors).toBeUndefined();
    const csv: string = exported.body.data.exportCuratedAnswers;
    expect(csv.split('\r\n')[0]).toBe('id,questions,answer,document_ids,hits');
    expect(csv).toContain(answerId);
    expect(csv).toContain('"Comment réinitialiser mon mot de passe ?\nJ\'ai oublié mon mot de passe"');

    // Into tenant B, as new answers (ids dropped, documents of B's own).
    const rows = `id,questions,answer,document_ids\n,"Imprimante bloquée\nbourrage papier",Ouvrez le capot avant.,${docB}\n,"=1+1",-Réponse,\n`;
    const imported = await t.gql(`mutation($csv: String!) { importCuratedAnswers(csv: $csv) { created updated } }`, { csv: rows }, { key: b.key });
    expect(imported.body.errors).toBeUndefined();
    expect(imported.body.data.importCuratedAnswers).toEqual({ created: 2, updated: 0 });
    const back = (await t.gql(`{ exportCuratedAnswers }`, {}, { key: b.key })).body.data.exportCuratedAnswers as string;
    // Formula-looking cells go out guarded and come back as they were.
    expect(back).toContain(`'=1+1`);
    expect(back).toContain(`'-Réponse`);
    const again = await t.gql(`mutation($csv: String!) { importCuratedAnswers(csv: $csv) { created updated } }`, { csv: back }, { key: b.key });
    expect(again.body.data.importCuratedAnswers).toEqual({ created: 0, updated: 2 });
    const list = await t.gql(LIST, {}, { key: b.key });
    const answers = list.body.data.curatedAnswers.edges.map((e: { node: { answer: string; questions: string[] } }) => e.node);
    expect(answers.map((n: { answer: string }) => n.answer).sort()).toEqual(['-Réponse', 'Ouvrez le capot avant.']);

    // One bad row (another tenant's document) refuses the file: nothing is saved.
    const bad = `id,questions,answer,document_ids\n,Nouvelle question,Nouvelle réponse,\n,Autre,Autre,${docsA['Réinitialisation des mots de passe']}\n`;
    const refused = await t.gql(`mutation($csv: String!) { importCuratedAnswers(csv: $csv) { created } }`, { csv: bad }, { key: b.key });
    expect(refused.body.errors![0].extensions.code).toBe('NOT_FOUND');
    expect(refused.body.errors![0].message).toMatch(/row 2/);
    expect((await t.gql(LIST, {}, { key: b.key })).body.data.curatedAnswers.totalCount).toBe(2);
  });

  it('refuses a phrasing another answer of the tenant holds: the two would tie on it and neither would match', async () => {
    const duplicate = await t.gql(SAVE, { input: { questions: ['Où déposer un toner vide ?', 'imprimante BLOQUÉE !'], answer: 'Autre texte.' } }, { key: b.key });
    expect(duplicate.status).toBe(400);
    // The phrasing is named beside the message too, for pages that say it in their reader's language.
    expect(duplicate.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'questions', phrasing: 'imprimante BLOQUÉE !' });
    expect(duplicate.body.errors![0].message).toContain('imprimante BLOQUÉE !');

    // The answer holding it keeps it when edited, and asks still get that answer.
    const nodes = (await t.gql(LIST, {}, { key: b.key })).body.data.curatedAnswers.edges.map((e: { node: { id: string; questions: string[] } }) => e.node);
    const holder = nodes.find((n: { questions: string[] }) => n.questions.includes('Imprimante bloquée'));
    const edited = await t.gql(SAVE, { input: { id: holder.id, questions: ['Imprimante bloquée', 'papier coincé'], answer: 'Ouvrez le capot avant.' } }, { key: b.key });
    expect(edited.body.errors).toBeUndefined();
    expect(await ask(b.key, 'Imprimante bloquée')).toMatchObject({ curated: true, answer: 'Ouvrez le capot avant.' });

    // Two rows of one file holding the same phrasing: the file is refused, naming the second row.
    const csv = 'questions,answer\nRéseau wifi invité,Code affiché à l’accueil.\n"Mot de passe wifi\nréseau WIFI invité ?",Autre.\n';
    const refused = await t.gql(`mutation($csv: String!) { importCuratedAnswers(csv: $csv) { created } }`, { csv }, { key: b.key });
    expect(refused.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(refused.body.errors![0].message).toMatch(/^csv row 2: /);
    expect(refused.body.errors![0].extensions).toMatchObject({ field: 'questions', row: 2, phrasing: 'réseau WIFI invité ?' });
    expect((await t.gql(LIST, {}, { key: b.key })).body.data.curatedAnswers.totalCount).toBe(2);
  });
});

describe('curated answers across server processes sharing a database', () => {
  let one: TestApp;
  let two: TestApp;
  beforeAll(async () => {
    one = await startTestApp();
    two = await startTestApp({}, one.database);
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  it("sees a change made on another process once its key's cached tenant row is read again (KEY_CACHE_TTL_MS)", async () => {
    const tenant = await one.tenant('BUSINESS');
    const ask = async (t: TestApp) => (await t.gql(`mutation { ask(input: { question: "Où est la salle serveur ?" }) { curated answer } }`, {}, { key: tenant.key })).body.data.ask;
    // Process two knows the key, with a tenant that has never curated anything.
    expect((await ask(two)).curated).toBe(false);
    const saved = await one.gql(SAVE, { input: { tenantId: tenant.id, questions: ['Où est la salle serveur ?'], answer: 'Bâtiment C, sous-sol.' } });
    expect(saved.body.errors).toBeUndefined();
    expect(await ask(one)).toEqual({ curated: true, answer: 'Bâtiment C, sous-sol.' });
    // Past the key cache's 1 s, process two reads the tenant row with its new version, then the answers.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await ask(two)).toEqual({ curated: true, answer: 'Bâtiment C, sous-sol.' });
    // An edit, the same way.
    await one.gql(SAVE, { input: { id: saved.body.data.saveCuratedAnswer.id, questions: ['Où est la salle serveur ?'], answer: 'Bâtiment D, rez-de-chaussée.' } });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await ask(two)).answer).toBe('Bâtiment D, rez-de-chaussée.');
  });

  it('stops citing a removed document, removed through either process, by the operator or the tenant', async () => {
    const tenant = await one.tenant('BUSINESS');
    await one.gql(`mutation($id: ID!) { updateTenant(id: $id, input: { documentSelfService: true }) { id } }`, { id: tenant.id });
    const added = await one.gql(ADD, { t: tenant.id, d: [
      { title: 'Plan du bâtiment C', content: 'La salle serveur est au sous-sol du bâtiment C.' },
      { title: 'Accès salle serveur', content: 'Le badge rouge ouvre la salle serveur.' },
      { title: 'Consignes incendie', content: 'Dans la salle serveur, l’extinction se fait au gaz inerte.' },
    ] });
    const [plan, badge, fire] = added.body.data.addDocuments.documents.map((d: { id: string }) => d.id);
    const saved = await one.gql(SAVE, { input: { tenantId: tenant.id, questions: ['Où est la salle serveur ?'], answer: 'Bâtiment C, sous-sol, badge rouge.', documentIds: [plan, badge, fire] } });
    expect(saved.body.errors).toBeUndefined();
    const cited = async (t: TestApp) => {
      const res = await t.gql(`mutation { ask(input: { question: "Où est la salle serveur ?" }) { curated citations { title } } }`, {}, { key: tenant.key });
      expect(res.body.data.ask.curated).toBe(true);
      return res.body.data.ask.citations.map((c: { title: string }) => c.title);
    };
    const listed = async (t: TestApp) =>
      (await t.gql(LIST, {}, { key: tenant.key })).body.data.curatedAnswers.edges[0].node.citations.map((c: { title: string }) => c.title);
    // Both processes hold the answer with its three citations.
    expect(await cited(one)).toEqual(['Plan du bâtiment C', 'Accès salle serveur', 'Consignes incendie']);
    expect(await cited(two)).toEqual(['Plan du bâtiment C', 'Accès salle serveur', 'Consignes incendie']);

    // The operator removes one through process one: at once there, and on process two once its key's tenant row is read again.
    expect((await one.gql(`mutation($id: ID!) { removeDocument(id: $id) }`, { id: plan })).body.errors).toBeUndefined();
    expect(await cited(one)).toEqual(['Accès salle serveur', 'Consignes incendie']);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await cited(two)).toEqual(['Accès salle serveur', 'Consignes incendie']);
    expect(await listed(two)).toEqual(['Accès salle serveur', 'Consignes incendie']);

    // The tenant's IT team removes another through process two.
    expect((await two.gql(`mutation($id: ID!) { removeDocument(id: $id) }`, { id: fire }, { key: tenant.key })).body.errors).toBeUndefined();
    expect(await cited(two)).toEqual(['Accès salle serveur']);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await cited(one)).toEqual(['Accès salle serveur']);
    expect(await listed(one)).toEqual(['Accès salle serveur']);
    // The answer no longer names them at all: its CSV exports, and imports back, without them.
    const csv = (await one.gql(`query { exportCuratedAnswers }`, {}, { key: tenant.key })).body.data.exportCuratedAnswers as string;
    expect(csv).toContain(badge);
    expect(csv).not.toContain(plan);
    expect(csv).not.toContain(fire);
    expect((await one.gql(`mutation($csv: String!) { importCuratedAnswers(csv: $csv) { updated } }`, { csv }, { key: tenant.key })).body.data.importCuratedAnswers.updated).toBe(1);
  });

  it('lists an unanswered question no more, on the other process too, once a curated answer there would match it', async () => {
    const tenant = await one.tenant('BUSINESS');
    const question = 'Comment commander un deuxième écran ?';
    expect((await one.gql(`mutation($q: String!) { ask(input: { question: $q }) { grounded } }`, { q: question }, { key: tenant.key })).body.data.ask.grounded).toBe(false);
    const unanswered = async (t: TestApp) => (await t.gql(`query { unansweredQuestions { totalCount } }`, {}, { key: tenant.key })).body.data.unansweredQuestions.totalCount;
    expect(await unanswered(two)).toBe(1);
    expect((await one.gql(SAVE, { input: { questions: [question], answer: 'Par le portail des achats, rubrique matériel.' } }, { key: tenant.key })).body.errors).toBeUndefined();
    // No key cache to wait for: the list reads the tenant's version of its answers each time.
    expect(await unanswered(two)).toBe(0);
    expect(await unanswered(one)).toBe(0);
  });
});
