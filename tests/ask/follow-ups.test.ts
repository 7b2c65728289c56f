import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app';

/**
 * Follow-ups on the embedded defaults (offline answerer), over HTTP: an earlier turn helps find the passages of a
 * question that leans on it, but a clear new question asked in the same conversation is judged on its own.
 */

const ASK = `mutation($q: String!, $c: ID) { ask(input: { question: $q, conversationId: $c }) {
  answer conversationId grounded citations { documentId title } } }`;
const ADD = `mutation($t: ID!, $d: [DocumentInput!]!) { addDocuments(tenantId: $t, documents: $d) { documents { id title } } }`;

const DOCS = [
  {
    title: 'Réinitialiser votre mot de passe Windows',
    mimeType: 'text/plain',
    content:
      'Pour réinitialiser votre mot de passe Windows, ouvrez le portail libre-service depuis un poste du réseau. ' +
      "Répondez aux questions de sécurité, puis choisissez un nouveau mot de passe d'au moins douze caractères. " +
      'Le nouveau mot de passe est actif sur tous les postes dans les cinq minutes. ' +
      'Sur Mac, changez-le ensuite dans Réglages système, Utilisateurs et groupes.',
  },
  {
    title: 'Configurer le VPN GlobalProtect',
    mimeType: 'text/plain',
    content:
      'Installez le client GlobalProtect depuis le centre logiciel et saisissez le portail vpn.exemple.fr. ' +
      'Connectez-vous avec votre identifiant réseau. ' +
      "En cas d'erreur 502, redémarrez le poste. " +
      'Sur Mac, installez GlobalProtect depuis Self Service puis autorisez son extension système dans les réglages.',
  },
];

interface Reply {
  answer: string;
  conversationId: string;
  grounded: boolean;
  citations: { documentId: string; title: string }[];
}

describe('follow-ups and changes of topic inside a conversation', () => {
  let t: TestApp;
  let key: string;
  let vpnId: string;
  beforeAll(async () => {
    t = await startTestApp();
    const tenant = await t.tenant('BUSINESS');
    key = tenant.key;
    const added = await t.gql(ADD, { t: tenant.id, d: DOCS });
    expect(added.body.errors).toBeUndefined();
    vpnId = added.body.data.addDocuments.documents.find((d: { title: string }) => d.title === DOCS[1].title).id;
  });
  afterAll(async () => t?.close());

  const ask = async (q: string, c?: string): Promise<Reply> => {
    const res = await t.gql(ASK, { q, c }, { key });
    expect(res.body.errors).toBeUndefined();
    return res.body.data.ask;
  };

  it('answers a new question asked in the same conversation as it would on its own', async () => {
    const first = await ask('Comment réinitialiser mon mot de passe Windows ?');
    expect(first.grounded).toBe(true);
    expect(first.citations[0].title).toBe(DOCS[0].title);

    const alone = await ask('Et pour le VPN, que faire en cas d\'erreur 502 ?');
    expect(alone.grounded).toBe(true);

    const next = await ask('Et pour le VPN, que faire en cas d\'erreur 502 ?', first.conversationId);
    expect(next.grounded).toBe(true);
    expect(next.citations[0]).toMatchObject({ documentId: vpnId, title: DOCS[1].title });
    expect(next.citations.map((c) => c.title)).not.toContain(DOCS[0].title);
    expect(next.answer).toMatch(/redémarrez le poste/);
  });

  it('still reads a genuine follow-up ("et sur Mac ?") in the light of the question before it', async () => {
    const first = await ask('Comment configurer le VPN GlobalProtect ?');
    expect(first.citations[0].title).toBe(DOCS[1].title);
    const followUp = await ask('et sur Mac ?', first.conversationId);
    expect(followUp.grounded).toBe(true);
    expect(followUp.citations[0].title).toBe(DOCS[1].title);
    expect(followUp.answer).toMatch(/Self Service/);
    // Both documents speak of the Mac: the conversation decides which one the follow-up is about.
    const other = await ask('Comment réinitialiser mon mot de passe Windows ?');
    const otherFollowUp = await ask('et sur Mac ?', other.conversationId);
    expect(otherFollowUp.grounded).toBe(true);
    expect(otherFollowUp.citations[0].title).toBe(DOCS[0].title);
    expect(otherFollowUp.answer).toMatch(/Utilisateurs et groupes/);
  });
});
