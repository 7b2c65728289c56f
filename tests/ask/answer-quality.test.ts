import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noAnswerText } from '../../src/services/generation/language';
import { measureQuotes } from '../../src/services/generation/quote-bound';
import type { Passage } from '../../src/services/retrieval/types';
import { AnthropicFake } from '../fakes/anthropic-fake';
import { startTestApp, type TestApp } from '../helpers/app';
import { HOSPITAL_A_DOCS, HOSPITAL_B_DOCS } from '../helpers/corpus';
import { OFF_TOPIC } from '../../bench/retrieval-sets';
import { AddDocumentsDocument } from '../../src/contract/operations.generated';
import { AskQuestionDocument } from '../operations/operations.generated';

/**
 * What a help-desk user notices about answers, for both answerers (offline and Claude through the loopback fake):
 * follow-ups understood from the conversation, quoting kept within the contract's bound, and off-topic questions
 * sent to human support while on-topic ones stay answered.
 */

// A long procedure (well over 500 characters and three sentences): what must never be copied out whole.
const OUTLOOK_SENTENCES = [
  'Outlook for the hospital runs as Microsoft 365 and signs in with your network account.',
  'If Outlook asks for your password again and again, close it, open Credential Manager and remove every entry that names Office or Outlook.',
  'Start Outlook again and sign in once; the prompt should not come back.',
  'When Outlook shows the error 0x800CCC0E, the mail server cannot be reached: check that the VPN is connected when you work from home.',
  'A mailbox is limited to 50 GB; above 45 GB you receive a warning every morning.',
  'To free space, empty Deleted Items and move old attachments to your H: drive.',
  'Shared mailboxes appear by themselves within two hours after the service desk grants access.',
  'If a shared mailbox does not appear, restart Outlook and check File, Account Settings, then the Advanced tab.',
  'Automatic replies are set from File, Automatic Replies; set an end date so they stop after your leave.',
  'Calendar delegation is granted from File, Account Settings, Delegate Access, where you choose what the delegate may edit.',
  'Never forward hospital mail to a personal address: the rule is blocked and the attempt is logged.',
  'Signatures follow the hospital template, available on the intranet under Communication.',
];
const OUTLOOK_GUIDE = {
  title: 'Outlook troubleshooting guide',
  mimeType: 'text/plain',
  content: OUTLOOK_SENTENCES.join(' '),
};

const TENANT_C_DOCS = [
  OUTLOOK_GUIDE,
  {
    title: 'Dossier patient informatisé',
    mimeType: 'text/plain',
    content:
      "L'accès au dossier patient informatisé est ouvert par votre cadre de santé avec le formulaire d'habilitation. " +
      'Insérez la carte CPS dans le lecteur avant de lancer le logiciel. En cas de carte bloquée, le code PUK est ' +
      'demandé au secrétariat de la direction des soins.',
  },
  {
    title: 'Téléphones DECT des services de soins',
    mimeType: 'text/plain',
    content:
      'Les téléphones DECT se rechargent sur leur socle à chaque fin de poste. Un téléphone qui ne capte plus doit ' +
      "être redémarré en retirant la batterie dix secondes. Les numéros abrégés des services sont dans l'annuaire interne.",
  },
];

type TenantName = 'a' | 'b' | 'c';
// [tenant, question, title of the document that answers it]
const ON_TOPIC: [TenantName, string, string][] = [
  ['a', 'How do I connect to the VPN from home?', 'Connecting to the hospital VPN'],
  ['a', 'The VPN keeps disconnecting every few minutes', 'Connecting to the hospital VPN'],
  ['a', 'Where do I get the GlobalProtect client?', 'Connecting to the hospital VPN'],
  ['a', 'Which app does multi-factor authentication use for the VPN?', 'Connecting to the hospital VPN'],
  ['a', 'How can I read my hospital email on my phone?', 'Email on mobile phones'],
  ['a', 'I lost my phone with my work email on it, what should I do?', 'Email on mobile phones'],
  ['a', 'Comment réinitialiser mon mot de passe Windows ?', 'Réinitialisation des mots de passe'],
  ['a', 'Mon compte est verrouillé après cinq tentatives', 'Réinitialisation des mots de passe'],
  ['a', 'Combien de caractères pour le nouveau mot de passe ?', 'Réinitialisation des mots de passe'],
  ['a', "Comment ajouter l'imprimante manquante en radiologie ?", 'Imprimantes du service de radiologie'],
  ['a', 'Bourrage papier sur une imprimante de radiologie', 'Imprimantes du service de radiologie'],
  ['a', 'Hi all, we use Windows 11 at work. How do I connect to the VPN from home? Thanks in advance!', 'Connecting to the hospital VPN'],
  ['b', 'How do I request badge access for the operating theatre?', 'Badge access for the operating theatre'],
  ['b', 'Who activates operating theatre badges?', 'Badge access for the operating theatre'],
  ['b', 'Which form do I fill in for theatre badge access?', 'Badge access for the operating theatre'],
  ['b', 'Bonjour, I need badge access to the operating theatre, my head nurse agreed. Merci!', 'Badge access for the operating theatre'],
  ['c', 'Outlook keeps asking for my password', 'Outlook troubleshooting guide'],
  ['c', 'What does Outlook error 0x800CCC0E mean?', 'Outlook troubleshooting guide'],
  ['c', 'How large can my mailbox get before the warning?', 'Outlook troubleshooting guide'],
  ['c', 'The shared mailbox does not appear in Outlook', 'Outlook troubleshooting guide'],
  ['c', 'How do I set automatic replies before my leave?', 'Outlook troubleshooting guide'],
  ['c', 'How do I give calendar delegate access to my secretary?', 'Outlook troubleshooting guide'],
  ['c', 'Can I forward hospital mail to my personal address?', 'Outlook troubleshooting guide'],
  ['c', 'Where is the email signature template?', 'Outlook troubleshooting guide'],
  ['c', "Qui ouvre l'accès au dossier patient informatisé ?", 'Dossier patient informatisé'],
  ['c', 'Ma carte CPS est bloquée, où demander le code PUK ?', 'Dossier patient informatisé'],
  ['c', 'Mon téléphone DECT ne capte plus', 'Téléphones DECT des services de soins'],
  ['c', 'Où trouver les numéros abrégés des services ?', 'Téléphones DECT des services de soins'],
  ['c', 'Quand recharger les téléphones DECT ?', 'Téléphones DECT des services de soins'],
  ['c', "Bonjour à tous, j'ai tout essayé. Ma carte CPS est bloquée, qui donne le code PUK ? Merci d'avance", 'Dossier patient informatisé'],
];

// Ways of asking about the long guide, each pulling in different sentences.
const GUIDE_QUESTIONS = [
  'Outlook troubleshooting guide',
  'Tell me everything about Outlook: password prompts, errors, mailbox size, shared mailboxes, automatic replies',
  'Outlook password prompt error 0x800CCC0E VPN mailbox limit warning Deleted Items attachments H: drive',
  'shared mailboxes Account Settings Advanced tab delegate access automatic replies signatures template forward',
  'Outlook Microsoft 365 network account Credential Manager Office entries sign in prompt',
];

/** The guide as one passage: what a quote is measured against, whatever chunks the retriever cut it into. */
const GUIDE_PASSAGE: Passage = {
  chunkId: 'guide',
  documentId: 'guide',
  title: OUTLOOK_GUIDE.title,
  sourceUrl: null,
  heading: '',
  text: OUTLOOK_GUIDE.content,
  score: 1,
  coverage: 1,
};

interface Seeded {
  keys: Record<TenantName, string>;
}

async function seed(t: TestApp): Promise<Seeded> {
  const keys = {} as Record<TenantName, string>;
  for (const [name, docs] of [['a', HOSPITAL_A_DOCS], ['b', HOSPITAL_B_DOCS], ['c', TENANT_C_DOCS]] as const) {
    const tenant = await t.tenant('ENTERPRISE');
    const added = await t.gql(AddDocumentsDocument, { tenantId: tenant.id, documents: docs });
    expect(added.body.errors).toBeUndefined();
    keys[name] = tenant.key;
  }
  return { keys };
}

const answerers = [
  { name: 'offline answerer', claude: false },
  { name: 'Claude (loopback fake)', claude: true },
];

describe.each(answerers)('answers with the $name', ({ claude }) => {
  let t: TestApp;
  let fake: AnthropicFake | undefined;
  let s: Seeded;
  beforeAll(async () => {
    const env: Record<string, string> = {};
    if (claude) {
      fake = new AnthropicFake();
      Object.assign(env, { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: await fake.start(), ANTHROPIC_MODEL: 'test-model' });
    }
    t = await startTestApp(env);
    s = await seed(t);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const ask = async (key: string, q: string, c?: string) => {
    const res = await t.gql(AskQuestionDocument, { q, c }, { key });
    expect(res.body.errors).toBeUndefined();
    return res.body.data.ask as { answer: string; conversationId: string; grounded: boolean; citations: { title: string }[] };
  };

  it('understands a follow-up from the conversation: "and on a Mac?" after a VPN question', async () => {
    fake?.reset();
    const first = await ask(s.keys.a, 'How do I connect to the VPN?');
    expect(first.citations[0].title).toBe('Connecting to the hospital VPN');
    const followUp = await ask(s.keys.a, 'and on a Mac?', first.conversationId);
    expect(followUp.grounded).toBe(true);
    expect(followUp.citations[0].title).toBe('Connecting to the hospital VPN');
    // Asked out of context, the same words have nothing to stand on.
    const alone = await ask(s.keys.a, 'and on a Mac?');
    expect(alone.grounded).toBe(false);
    // A new subject in the same conversation is not dragged back to the VPN.
    const newSubject = await ask(s.keys.a, 'Comment réinitialiser mon mot de passe Windows ?', first.conversationId);
    expect(newSubject.citations[0].title).toBe('Réinitialisation des mots de passe');
  });

  it('never quotes more than 500 characters, or more than three sentences of the long guide, however it is asked', async () => {
    fake?.setBehaviour({ kind: 'quote-documents' });
    for (const question of GUIDE_QUESTIONS) {
      const reply = await ask(s.keys.c, question);
      expect(reply.grounded, question).toBe(true);
      expect(reply.citations[0].title).toBe(OUTLOOK_GUIDE.title);
      const quoted = measureQuotes(reply.answer, [GUIDE_PASSAGE]);
      expect(quoted.chars, question).toBeLessThanOrEqual(500);
      expect(quoted.sentencesByDocument.get('guide') ?? 0, question).toBeLessThanOrEqual(3);
      // It still quotes something: the bound cuts, it does not empty the answer.
      expect(quoted.chars, question).toBeGreaterThan(40);
    }
    fake?.reset();
  });

  it('sends all 30 off-topic questions, in French and English and on every tenant, to human support', async () => {
    const tenants: TenantName[] = ['a', 'b', 'c'];
    const wrong: string[] = [];
    for (const [i, question] of OFF_TOPIC.entries()) {
      const reply = await ask(s.keys[tenants[i % 3]], question);
      const language = i < 15 ? 'en' : 'fr';
      if (reply.grounded || reply.answer !== noAnswerText(language)) wrong.push(`${tenants[i % 3]}: ${question}`);
    }
    expect(wrong).toEqual([]);
    if (fake) expect(fake.requests).toHaveLength(0);
  });

  it('keeps all 30 on-topic questions grounded, citing the right document first', async () => {
    const wrong: string[] = [];
    for (const [tenant, question, title] of ON_TOPIC) {
      const reply = await ask(s.keys[tenant], question);
      if (!reply.grounded || reply.citations[0]?.title !== title) {
        wrong.push(`${tenant}: ${question} → ${reply.grounded} ${reply.citations[0]?.title}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
