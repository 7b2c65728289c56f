import { describe, expect, it } from 'vitest';
import { boundQuotes, measureQuotes, verbatimRuns } from '../../src/services/generation/quote-bound';
import { OfflineGenerator } from '../../src/services/generation/offline-generator';
import { detectLanguage } from '../../src/services/generation/language';
import { focusTerms, queryTerms, weightedSentences, DEFAULT_QUERY } from '../../src/services/retrieval/query-terms';
import { isFollowUp, retrievalQuery } from '../../src/services/retrieval/retrieval-query';
import type { Passage } from '../../src/services/retrieval/types';
import { analyze } from '../../src/services/text/analyzer';

function passage(documentId: string, text: string, title = documentId): Passage {
  return { chunkId: `${documentId}-0`, documentId, title, sourceUrl: null, heading: '', text, score: 1, coverage: 1 };
}

const LONG = passage(
  'guide',
  Array.from(
    { length: 20 },
    (_, i) => `Step ${i + 1} of the printer procedure asks you to check tray ${i + 1} and confirm the toner level on the panel.`,
  ).join(' '),
);

describe('questions analysed for retrieval', () => {
  it('drops greetings and thanks, but keeps a question made only of such words', () => {
    const keys = queryTerms('Hi all, how do I map a network drive? Thanks in advance!', DEFAULT_QUERY).keys;
    expect(keys).toContain('en:map');
    expect(keys).not.toContain('en:thank');
    expect(keys).not.toContain('en:advanc');
    expect(queryTerms('help', DEFAULT_QUERY).keys).toContain('en:help');
  });

  it('weighs the story around a question less than the question itself', () => {
    const sentences = weightedSentences('We use Windows 11 at work. How do I map a network drive?', 0.3);
    expect(sentences).toEqual([
      { text: 'We use Windows 11 at work.', weight: 0.3 },
      { text: 'How do I map a network drive?', weight: 1 },
    ]);
    expect(weightedSentences('Hi all, we use Windows 11. How do I map a drive?', 0.3)[0].weight).toBe(0.3);
    expect(weightedSentences("J'ai tout essayé. Comment ajouter une imprimante ?", 0.3)[0].weight).toBe(0.3);
    // A pasted error line is background too, unless it is what the question asks about.
    expect(weightedSentences('The printer is offline. Error: 0x80070005 Access is denied.', 0.3)[1].weight).toBe(0.3);
    expect(weightedSentences('Outlook is slow. What does error 0x800CCC0E mean?', 0.3)[1].weight).toBe(1);
    // A message that is all story has no background: every sentence counts fully.
    expect(weightedSentences('I print from Word. It says offline.', 0.3).map((s) => s.weight)).toEqual([1, 1]);
    // An opening clause is an address only when it greets: "I logged out," starts the story.
    expect(weightedSentences('I logged out, logged back in, nothing changed. How do I clear the print queue?', 0.3)[0].weight).toBe(0.3);
  });

  it('ends a sentence at a full stop or question mark with no space after it, as forum posts type them', () => {
    const texts = (q: string) => weightedSentences(q, 0.4).map((s) => s.text);
    expect(texts('My firmware is two years old.Which update order should I use?thanks')).toEqual([
      'My firmware is two years old.',
      'Which update order should I use?',
      'thanks',
    ]);
    expect(texts('サーバーを更新しました。How do I check the BIOS?')).toEqual(['サーバーを更新しました。', 'How do I check the BIOS?']);
    // Abbreviations, versions, file names and host names keep their sentence whole.
    expect(texts('Run setup.exe from dell.com on ESXi 7.0.U2 for the U.S.Lab')).toHaveLength(1);
  });

  it('weighs the other sentences of a message that asks a question by contextWeight', () => {
    const post = 'Long time lurker, first post. Printing from Word fails. How do I clear the print queue?';
    expect(weightedSentences(post, 0.3, 0.6).map((s) => s.weight)).toEqual([0.6, 0.6, 1]);
    // Without a question sentence nothing is background to it.
    expect(weightedSentences('Printing from Word fails. The queue is stuck.', 0.3, 0.6).map((s) => s.weight)).toEqual([1, 1]);
  });

  it('reads a first-person need or failure as the question, in French and English', () => {
    const weights = (q: string) => weightedSentences(q, 0.4, 0.4, true).map((s) => s.weight);
    // The problem stated in the first person is what is asked; the setup around it is still background.
    expect(weights("Je suis sur un portable Dell. Je n'arrive pas à ouvrir le dossier d'un patient. Merci !")).toEqual([0.4, 1]);
    expect(weights('Nous utilisons Windows 11. Ma carte ne déverrouille pas la porte du service.')).toEqual([0.4, 1]);
    expect(weights("We use Windows 11 at work. I'd like to strikethrough text in Gmail.")).toEqual([0.4, 1]);
    expect(weights("We moved to Teams. My camera doesn't work in meetings.")).toEqual([0.4, 1]);
    // A negated être/avoir describes the writer, a negated past an attempt: both stay background.
    expect(weights("Je ne suis pas douée en informatique. Comment ajouter une imprimante ?")).toEqual([0.4, 1]);
    expect(weights("Le redémarrage n'a rien changé. Comment ajouter une imprimante ?")).toEqual([0.4, 1]);
    expect(weights('Restarting the PC did not help. How do I add a printer?')).toEqual([0.4, 1]);
  });

  it('finds where a sentence ends when the writer left out the full stop', () => {
    const texts = (q: string) => weightedSentences(q, 0.4, 0.4, true).map((s) => s.text.trim());
    expect(texts("Je n'arrive pas à ouvrir le dossier d'un patient Le redémarrage n'a rien changé.")).toEqual([
      "Je n'arrive pas à ouvrir le dossier d'un patient",
      "Le redémarrage n'a   changé.",
    ]);
    // Product names and the English "I" start no sentence.
    expect(texts('How can I share a folder in Google Drive with my team?')).toHaveLength(1);
  });

  it('drops an opening address and a greeting or sign-off sentence, not the words of the question', () => {
    const sentences = weightedSentences("Salut, petite question. Bonjour l'équipe, ma carte ne marche pas. Cordialement, Sam", 0.4, 0.4, true);
    expect(sentences.map((s) => [s.text.trim(), s.weight])).toEqual([['ma carte ne marche pas.', 1]]);
    const keys = queryTerms('Hey guys, quick question. How do I map a network drive? Regards, Sam', DEFAULT_QUERY).keys;
    expect(keys).not.toContain('en:question');
    expect(keys).not.toContain('en:sam');
    expect(keys).toContain('en:drive');
  });

  it('reads how forum posts wrap their question: a web search, a pasted message, a wish of someone else, an announcement', () => {
    const roles = (q: string) => weightedSentences(q, 0.4, 0.4, true).map((s) => [s.text.replace(/\s+/g, ' ').trim(), s.weight]);
    // A search of the web is what was tried, even when it quotes the question's words.
    expect(roles("J'ai cherché « imprimante bloquée » sur internet mais les réponses ne correspondent pas. Comment débloquer l'imprimante ?")[0][1]).toBe(0.4);
    expect(roles('I searched for "share calendar" online but every answer is old. How do I share my calendar?')[0][1]).toBe(0.4);
    // What the screen said, pasted in quotation marks, is background; someone else's wish is not the question.
    expect(roles("« La connexion a expiré » puis plus rien. Je n'arrive pas à me connecter au VPN.")[0][1]).toBe(0.4);
    expect(roles("Ma cadre voudrait que ce soit réglé avant vendredi. Je n'arrive pas à me connecter au VPN.")[0][1]).toBe(0.4);
    // "Donc ma question :" announces the question, whatever its form, and its words are not asked about.
    expect(roles("Je suis infirmière de nuit. Donc ma question : mon badge n'ouvre plus la pharmacie")).toEqual([
      ['Je suis infirmière de nuit.', 0.4],
      ["mon badge n'ouvre plus la pharmacie", 1],
    ]);
    expect(queryTerms('We are a team of 12. So my question is: how do I add a shared mailbox?', DEFAULT_QUERY).keys).not.toContain('en:question');
    // A model name ending in digits starts no sentence ("S" is a French function word); a capitalised thanks does.
    expect(roles("J'ai essayé depuis mon téléphone (Galaxy S21, Android 13) et c'est pareil.")).toHaveLength(1);
    expect(roles("Comment vider la file d'impression Merci, je deviens folle.").map(([text]) => text)).toEqual([
      "Comment vider la file d'impression",
      'je deviens folle.',
    ]);
  });

  it('leaves out the words of a link pasted into a question', () => {
    const keys = queryTerms('How do I update the BIOS? I read https://www.dell.com/support/kbdoc/en-us/000121875/update-firmware', DEFAULT_QUERY).keys;
    expect(keys).toContain('en:bio');
    expect(keys).not.toContain('en:kbdoc');
    expect(keys).not.toContain('en:www');
    expect(keys.some((k) => k.includes('000121875'))).toBe(false);
  });

  it('lets a long story weigh no more than storyBudget narrative sentences in all', () => {
    const post = 'I use Windows 11. I print from Word. My printer is a Canon. We share it. How do I clear the print queue?';
    expect(weightedSentences(post, 0.4, 1, false, 2).map((s) => s.weight)).toEqual([0.2, 0.2, 0.2, 0.2, 1]);
    expect(weightedSentences(post, 0.4, 1, false, 0).map((s) => s.weight)).toEqual([0.4, 0.4, 0.4, 0.4, 1]);
  });

  it('focuses a long question on its rarest indexed terms, by weight × idf', () => {
    const terms = {
      keys: ['en:printer', 'en:queue', 'en:window', 'en:laptop', 'fr:queue'],
      weights: [1, 1, 0.4, 0.4, 1],
      analyses: new Map(),
    };
    const stats = { df: new Map([['en:printer', 50], ['en:queue', 3], ['en:window', 80], ['en:laptop', 2]]), chunks: 100 };
    // Terms the index does not hold go; the rest stay when there are no more than maxTerms of them.
    expect(focusTerms(terms, stats, { ...DEFAULT_QUERY, maxTerms: 0 }).keys).toEqual(['en:printer', 'en:queue', 'en:window', 'en:laptop']);
    // idf: queue 3.36, laptop 3.70 × 0.4 = 1.48, printer 0.69, window 0.23 × 0.4.
    expect(focusTerms(terms, stats, { ...DEFAULT_QUERY, maxTerms: 2 }).keys).toEqual(['en:queue', 'en:laptop']);
    const weighted = focusTerms(terms, stats, { ...DEFAULT_QUERY, idfPower: 1 });
    expect(weighted.weights[weighted.keys.indexOf('en:printer')]).toBeCloseTo(Math.log(2) / Math.log(1 + 98.5 / 2.5), 5);
  });

  it('keeps error codes, update numbers and dotted versions as whole terms', () => {
    const terms = analyze('Error 0x80070005 after KB5034441, client v2.3.1 on build 10.0.19045', 'en');
    expect(terms).toEqual(expect.arrayContaining(['0x80070005', 'kb5034441', 'v2.3.1', '10.0.19045']));
  });
});

describe('retrievalQuery', () => {
  const vpn = [
    { role: 'user' as const, content: 'How do I connect to the VPN?' },
    { role: 'assistant' as const, content: 'Install GlobalProtect [1].' },
  ];

  it('searches a follow-up together with the question it continues', () => {
    expect(isFollowUp('and on a Mac?')).toBe(true);
    expect(isFollowUp('et sur Mac ?')).toBe(true);
    expect(isFollowUp('what about Android?')).toBe(true);
    expect(retrievalQuery('and on a Mac?', vpn)).toBe('and on a Mac?\nHow do I connect to the VPN?');
    expect(retrievalQuery('Does it work on Linux?', vpn)).toContain('VPN');
  });

  it('searches a question that names its own subject alone', () => {
    expect(isFollowUp('How do I reset my Windows password after five failed attempts?')).toBe(false);
    expect(retrievalQuery('How do I reset my Windows password after five failed attempts?', vpn)).toBe(
      'How do I reset my Windows password after five failed attempts?',
    );
    expect(retrievalQuery('and on a Mac?', [])).toBe('and on a Mac?');
  });
});

describe('quoting bound', () => {
  it('finds verbatim runs of 40 characters or more, whitespace aside, and ignores shorter shared phrases', () => {
    const answer = 'As the guide says, step 1 of the printer procedure asks you to check tray 1 and confirm the toner. Then tray 2.';
    const runs = verbatimRuns(answer.replace('step 1', 'Step 1'), [LONG]);
    expect(runs).toHaveLength(1);
    expect(runs[0].documentId).toBe('guide');
    expect(verbatimRuns('check tray 1 and confirm', [LONG])).toEqual([]);
  });

  it('cuts a reply that copies a long document down to 500 characters and three sentences', () => {
    const copied = `Here it is: ${LONG.text}`;
    expect(measureQuotes(copied, [LONG]).chars).toBeGreaterThan(2000);
    const bounded = boundQuotes(copied, [LONG]);
    const after = measureQuotes(bounded, [LONG]);
    expect(after.chars).toBeLessThanOrEqual(500);
    expect(after.sentencesByDocument.get('guide')).toBeLessThanOrEqual(3);
    expect(bounded.startsWith('Here it is: Step 1 of the printer procedure')).toBe(true);
    expect(bounded.endsWith('…')).toBe(true);
  });

  it('leaves an answer within the bound unchanged', () => {
    const answer = 'Check the tray. Step 3 of the printer procedure asks you to check tray 3 and confirm the toner level on the panel.';
    expect(boundQuotes(answer, [LONG])).toBe(answer);
  });

  it('counts sentences per document across several passages of it', () => {
    const a = passage('doc', 'One sentence about printers is here. Another sentence about printers is here.');
    const b = passage('doc', 'A third sentence about printers is here. A fourth sentence about printers is here.');
    const answer = `${a.text} ${b.text}`;
    const bounded = boundQuotes(answer, [a, b]);
    expect(measureQuotes(bounded, [a, b]).sentencesByDocument.get('doc')).toBe(3);
  });

  it('the offline answerer picks the matching sentences, not the first ones, within the bound', async () => {
    const offline = new OfflineGenerator();
    const question = 'What does step 17 ask about tray 17?';
    const result = await offline.generate({ question, passages: [LONG, LONG], history: [], language: detectLanguage(question) });
    expect(result.answer).toContain('Step 17 of the printer procedure');
    expect(result.answer).not.toContain('Step 1 of');
    const quoted = measureQuotes(result.answer, [LONG]);
    expect(quoted.chars).toBeLessThanOrEqual(500);
    expect(quoted.sentencesByDocument.get('guide')).toBeLessThanOrEqual(3);
  });
});
