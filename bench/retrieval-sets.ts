/**
 * Evaluation sets built in the repository, beside the public StackFAQ set: chatty padding of questions (what
 * help-desk users add around them) and a small French set. Everything is deterministic: the padding of a question
 * depends only on a seed and the question's position, so two runs compare like with like.
 */
import type { Language } from '../src/services/text/analyzer';
import frenchSet from './french-helpdesk.json';

export interface EvalDoc {
  id: string;
  title: string;
  content: string;
}

export interface EvalQuery {
  query: string;
  relevant: string;
}

/** mulberry32: a tiny seeded generator, enough to pick padding reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PADDING: Record<Language, { greetings: string[]; context: string[]; tried: string[]; errors: string[]; thanks: string[] }> = {
  en: {
    greetings: ['Hi all,', 'Hello everyone,', 'Hey guys, quick question.', 'Good morning,', 'Hi team,'],
    context: [
      'We use Windows 11 at work.',
      'I am on a Dell laptop with Office 365 that IT set up last year.',
      'This is on my work computer, a ThinkPad running Windows 10 with the latest updates.',
      'Our company moved everything to Microsoft Teams and SharePoint recently.',
      'I am not very technical, so sorry if this is a basic question.',
      'It started after the update on Monday, and my colleague has the same thing.',
    ],
    tried: [
      'I have tried everything: restarting, reinstalling, clearing the cache, nothing works.',
      'I already rebooted twice and searched the forums for hours.',
      'I tried the usual things but it keeps happening.',
      'Restarting did not help and neither did logging out and back in.',
    ],
    errors: [
      'Error: 0x80070005 Access is denied.',
      'The log says: "Unexpected error (code 500), please try again later."',
      'I get "Something went wrong. Error code: CAA50021" every time.',
      'Event viewer shows Event ID 1000, faulting module ntdll.dll.',
    ],
    thanks: ['Thanks in advance!', 'Any help would be appreciated.', 'Cheers.', 'Thanks a lot for any ideas!', 'Regards, Sam'],
  },
  fr: {
    greetings: ['Bonjour à tous,', 'Bonjour,', 'Salut, petite question.', "Bonjour l'équipe,"],
    context: [
      'Nous utilisons Windows 11 au travail.',
      "Je suis sur un portable Dell avec Office 365 installé par l'informatique l'an dernier.",
      "Je ne suis pas très douée en informatique, désolée si la question est basique.",
      "Ça a commencé après la mise à jour de lundi, et ma collègue a la même chose.",
    ],
    tried: [
      "J'ai tout essayé : redémarrer, réinstaller, vider le cache, rien ne marche.",
      "J'ai déjà redémarré deux fois et cherché sur les forums pendant des heures.",
      'Le redémarrage n’a rien changé, la déconnexion non plus.',
    ],
    errors: [
      'Erreur : 0x80070005 Accès refusé.',
      'Le message dit : « Une erreur inattendue est survenue (code 500), réessayez plus tard. »',
      "J'ai « Un problème est survenu. Code d'erreur : CAA50021 » à chaque fois.",
    ],
    thanks: ["Merci d'avance !", 'Toute aide est la bienvenue.', 'Cordialement, Sam', 'Merci beaucoup pour vos idées !'],
  },
};

/**
 * The question wrapped the way forum users write: a greeting, some context (often naming products that are not the
 * subject), the question, what was tried, a pasted error line, thanks. Each part is present or not by the seed.
 */
export function padQuery(query: string, index: number, lang: Language, seed = 12): string {
  const random = seededRandom(seed * 1_000_003 + index);
  const pick = (list: string[]) => list[Math.floor(random() * list.length)];
  const p = PADDING[lang];
  const parts = [pick(p.greetings)];
  if (random() < 0.8) parts.push(pick(p.context));
  parts.push(query);
  if (random() < 0.7) parts.push(pick(p.tried));
  if (random() < 0.5) parts.push(pick(p.errors));
  parts.push(pick(p.thanks));
  return parts.join(' ');
}

/*
 * Forum posts, as the held-out set's long questions read: an opening, two or three sentences of setup naming the
 * machine, browser and versions, the question (as asked, after "so my question is", folded into a sentence, or as
 * the post's title line), what was tried (sometimes quoting the question's own words as a search), a pasted error
 * line, a sign-off. Nothing is taken from any document: the setup and the errors are generic, product names in
 * them are distractors, and the only topical words are the question's own.
 */
const FORUM: Record<
  Language,
  { openings: string[]; setup: string[]; framings: string[]; tried: string[]; searched: string; errors: string[]; closings: string[] }
> = {
  en: {
    openings: ['Hi all,', 'Hello,', 'Long time lurker, first post.', 'Hey everyone,', 'Not sure this is the right place to ask, but here goes.'],
    setup: [
      'I am on Windows {win} with Chrome {chrome}.',
      'My laptop is a {laptop} running {os}.',
      'I use Firefox {ff} on {os}, in case that matters.',
      'I also tried on my phone ({phone}) and got the same result.',
      'This is for a small nonprofit with about {n} users.',
      'Our office switched from {suiteA} to {suiteB} a few months ago.',
      'It worked fine until about {n} days ago.',
      'My boss wants this sorted out before the end of the week.',
      'I am not an IT person, I just ended up being the one who fixes things here.',
      'We are a team of {n} people spread over two sites, most of us on Macs.',
    ],
    framings: ['{q}', 'So my question is: {q}', 'Basically, {lq}', 'What I would like to know: {q}', 'TITLE'],
    tried: [
      'I already cleared cookies and cache, disabled all extensions and tried a private window.',
      'I restarted the router and the computer, no change.',
      'I logged out, logged back in, and even reinstalled the app.',
      'Support pointed me to a help page that does not match what I see on screen.',
      'I tried two different browsers and another computer.',
      'A colleague had the same issue last year but does not remember what fixed it.',
    ],
    searched: 'I searched for "{terms}" but every answer I found is years old and the menus have changed since.',
    errors: [
      "Console shows: Uncaught TypeError: Cannot read properties of undefined (reading 'map') at app.{hex}.js:1:{n}",
      'The page says "HTTP ERROR 500" and then "This page isn\'t working right now".',
      'Error: net::ERR_CONNECTION_TIMED_OUT',
      'I get "403 Forbidden - nginx/1.18.{d}".',
      'Sometimes it shows: Request failed with status code 429',
      'Log: [WARN] 2024-03-{dd} 09:{dd}:11 sync: retrying in 30s (ECONNRESET)',
      'The message is "Oops, something went wrong. Please try again later. (#{n})"',
    ],
    closings: ['Any pointers appreciated.', 'Thanks in advance, this is driving me crazy.', 'Edit: formatting.', 'Thanks!', 'Cheers, Alex'],
  },
  fr: {
    openings: ['Bonjour à tous,', 'Bonjour,', "Bonjour, je me permets d'écrire ici.", 'Bonsoir,', 'Salut,'],
    setup: [
      'Je suis sur Windows {win} avec Edge {chrome}.',
      "Mon poste s'appelle PC-{n}-{hex}, dans le bâtiment C.",
      'Je suis infirmière de nuit en cardiologie, on est trois sur le secteur.',
      "J'ai aussi essayé depuis mon téléphone ({phone}) et c'est pareil.",
      "Ça marchait très bien jusqu'à il y a {n} jours.",
      'Ma cadre voudrait que ce soit réglé avant la fin de la semaine.',
      "Je ne suis pas très à l'aise avec l'informatique, je fais de mon mieux.",
      'Nous sommes passés de {suiteA} à {suiteB} il y a quelques mois.',
      'On travaille en 12 heures et ça tombe toujours au moment des transmissions.',
    ],
    framings: ['{q}', 'Donc ma question : {q}', 'En gros, {lq}', 'Je voudrais savoir : {q}', 'TITLE'],
    tried: [
      "J'ai redémarré, vidé le cache du navigateur et essayé avec Chrome.",
      "J'ai débranché et rebranché tous les câbles, sans résultat.",
      "Je me suis déconnectée puis reconnectée, et même réinstallé l'application.",
      "Une collègue avait eu le même souci l'an dernier mais ne se souvient plus de la solution.",
      "J'ai essayé sur un autre ordinateur du couloir, même chose.",
    ],
    searched: "J'ai cherché « {terms} » sur internet mais les réponses ne correspondent pas à ce que j'ai à l'écran.",
    errors: [
      'Message : « Erreur 0x80004005 : erreur non spécifiée ».',
      '« La connexion a expiré (délai dépassé) » puis plus rien.',
      '« Accès refusé. Contactez votre administrateur. (code {n}) »',
      'Le journal affiche : [ERREUR] 2024-03-{dd} 07:{dd} service indisponible, nouvelle tentative dans 30 s',
      "Il y a une fenêtre « Une exception non gérée s'est produite dans l'application » avec un bouton Détails.",
    ],
    closings: ["Merci d'avance !", 'Merci pour votre aide.', 'Bonne journée, Camille', 'Cordialement.', 'Merci, je deviens folle.'],
  },
};

const DEVICES = {
  win: ['10 22H2', '11 23H2', '11 Pro 22H2', '10 Enterprise 21H2'],
  chrome: ['120.0.6099.109', '118.0.5993.88', '121.0.6167.85', '119.0.6045.160'],
  ff: ['121.0', '115.6.0esr', '120.0.1'],
  os: ['macOS Sonoma 14.2', 'Ubuntu 22.04', 'Windows 11', 'macOS Ventura 13.6'],
  laptop: ['Dell Latitude 5420', 'Lenovo ThinkPad T14', 'HP EliteBook 840 G8', 'MacBook Air M1'],
  phone: ['iPhone 13, iOS 17.1', 'Pixel 7, Android 14', 'Galaxy S21, Android 13'],
  suiteA: ['Office 2016', 'Lotus Notes', 'Zimbra'],
  suiteB: ['Microsoft 365', 'Google Workspace', 'Office 2021'],
};

/**
 * The question as a long forum post (see FORUM), built only from the seed, its position and the question itself.
 */
export function longQuery(query: string, index: number, lang: Language, seed = 12): string {
  const random = seededRandom(seed * 7_919 + index * 104_729 + 1);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
  const fill = (template: string): string =>
    template.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (name === 'n') return String(2 + Math.floor(random() * 40));
      if (name === 'd') return String(Math.floor(random() * 10));
      if (name === 'dd') return String(10 + Math.floor(random() * 18));
      if (name === 'hex') return Math.floor(random() * 0xffffff).toString(16);
      return pick(DEVICES[name as keyof typeof DEVICES]);
    });
  const f = FORUM[lang];
  const question = query.trim();
  const framing = pick(f.framings);
  const order = f.setup.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const setup = order.slice(0, 2 + Math.floor(random() * 2)).map((i) => fill(f.setup[i]));
  const asked =
    framing === 'TITLE'
      ? null
      : framing.replace('{q}', question).replace('{lq}', question.charAt(0).toLowerCase() + question.slice(1));
  const parts: string[] = [];
  if (framing === 'TITLE') parts.push(`${question}\n`);
  if (random() < 0.6) parts.push(pick(f.openings));
  parts.push(setup[0]);
  // The question comes after the first setup sentence or at the end, as posts do.
  const early = random() < 0.5;
  if (asked && early) parts.push(asked);
  parts.push(...setup.slice(1));
  parts.push(fill(pick(f.tried)));
  if (random() < 0.3) {
    // What users type into a search box: a few of the question's longer words, in order.
    const words = question.match(/[\p{L}\p{N}]{4,}/gu) ?? [];
    const from = Math.floor(random() * Math.max(1, words.length - 2));
    parts.push(f.searched.replace('{terms}', words.slice(from, from + 3).join(' ')));
  }
  // Pasted, so on a line of its own.
  if (random() < 0.6) parts.push(`\n${fill(pick(f.errors))}\n`);
  if (asked && !early) parts.push(asked);
  if (random() < 0.7) parts.push(pick(f.closings));
  return parts.join(' ').replace(/ ?\n ?/g, '\n');
}

/**
 * The French hospital help-desk set (bench/french-helpdesk.json, written for this eval): answer-style documents on
 * VPN, badges, printers, mail, the patient record, Wi-Fi, passwords, workstations, telephony and clinical software,
 * and questions that paraphrase them with few of the document's own words.
 */
export const FRENCH_DOCS: EvalDoc[] = frenchSet.docs;
export const FRENCH_QUERIES: EvalQuery[] = frenchSet.queries;

/**
 * Questions no IT-support corpus should claim to answer, 15 in English then 15 in French; some share an everyday
 * word with IT documents ("open", "account", "save"). Used by the eval and by tests/answer-quality.test.ts.
 */
export const OFF_TOPIC = [
  'What is the capital of Peru?',
  'Write me a poem about the sea.',
  'How do I bake sourdough bread at home?',
  'Who won the football world cup in 1998?',
  'How many calories are in a banana?',
  'What is the best way to learn to play the guitar?',
  'When did the Roman empire fall?',
  'How do I open a savings account at my bank?',
  'Can my dog eat chocolate?',
  'What is the population of Tokyo?',
  'Tell me a joke about cats.',
  'Which planets have rings?',
  'How long should I boil an egg?',
  'What time does the post office close on Saturday?',
  'Recommend a good film for tonight.',
  'Quelle est la capitale du Pérou ?',
  'Écris-moi un poème sur la mer.',
  'Comment faire une pâte à crêpes sans grumeaux ?',
  'Quel temps fera-t-il demain à Lyon ?',
  'Combien de temps faut-il cuire des pâtes ?',
  'Qui a écrit Les Misérables ?',
  'Comment planter des tomates dans mon jardin ?',
  'Quels sont les horaires de la piscine municipale ?',
  'Comment réparer une chambre à air de vélo ?',
  'Où partir en vacances cet été en famille ?',
  'Quelle est la meilleure saison pour visiter le Japon ?',
  'Comment apprendre à nager à un enfant ?',
  'Pourquoi le ciel est-il bleu ?',
  'Raconte-moi une blague sur les chats.',
  'Quel est le meilleur vin pour accompagner un fromage ?',
];
