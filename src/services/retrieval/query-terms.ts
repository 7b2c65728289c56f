import { analyze, contentTerms, detectLanguage, isFunctionWord, LANGUAGES, tokenize, tokenOf, unglue, type Language } from '../text/analyzer';

// Longer terms are indexed nowhere (see PgRetrievalIndex), so asking for them would only cost a lookup.
export const MAX_TERM_LENGTH = 64;

/** The posting key of a term: tagged with its language, so French and English analyses never meet by accident. */
export function postingKey(lang: Language, term: string): string {
  return `${lang}:${term}`;
}

/*
 * Words that users add around a help-desk question (greetings, thanks, "I have tried everything") and that say
 * nothing about its topic. They are dropped from questions only, never from documents: a document about "help"
 * pages must still be findable by a question that names them in its title. Compared in folded, unstemmed form.
 */
const CHATTER: Record<Language, Set<string>> = {
  en: new Set(
    ('hi hello hey dear good everyone everybody quick thanks thank thx tia advance regards cheers please pls lot ' +
      'lots anyone anybody somebody someone ' +
      'guys folks appreciated appreciate grateful help helps helping tried trying everything nothing anything ' +
      'idea ideas suggestion suggestions advice really still already also even though since yesterday today ' +
      'morning weird strange ok okay basically actually seems seem keeps happening').split(' '),
  ),
  fr: new Set(
    ('bonjour bonsoir salut petite petit merci remercie remerciements avance beaucoup bienvenue cordialement svp plait quelqu aide ' +
      'aider idee idees conseil conseils essaye essayer rien deja encore aussi meme hier aujourd hui matin ' +
      'bizarre etrange vraiment toujours bonne journee soiree').split(' '),
  ),
};

/** One question, analysed for a lexical search: language-tagged posting keys with their query weights. */
export interface QueryTerms {
  /** Posting keys (`lang:term`) and their weights, in the same order. */
  keys: string[];
  weights: number[];
  /**
   * The distinct content terms of the question's core (see `coreText`) per language, for measuring how much of the
   * question a passage in that language covers.
   */
  analyses: Map<Language, string[]>;
}

// A sentence that opens with one of these asks something: in a long message, it states what the user wants.
const INTERROGATIVE = new Set(
  ('how what why where when which who whom whose can could is are does do did should would will may shall ' +
    'comment pourquoi ou quand quel quelle quels quelles qui que quoi combien est peut faut puis').split(' '),
);
// A sentence that opens with the writer or the situation tells the story around the question: what they use, what
// they tried, what happened first. Useful context, but it names products and actions that are not the subject.
const NARRATIVE = new Set(
  ('i we our my it this that they he she there everything nothing ' +
    'je j nous notre nos mon ma mes ca cela il elle on tout rien').split(' '),
);

// A pasted diagnostic: an error line, a hexadecimal code, an event id. It belongs to the story unless it is what
// the question asks about ("What does error 0x800CCC0E mean?" is a question, and stays one).
const DIAGNOSTIC = /\b(?:error|erreur|exception|code|event id|0x[0-9a-f]{4,})\b/iu;

const SENTENCE = /(?<=[.!?…])\s+|\n+/u;
// Forum posts often leave out the space after a full stop ("…about 2 years ago.The components…", "…order please?thanks")
// and Chinese or Japanese writers end sentences with "。" or "？": these end a sentence too. A full stop ends one only
// between two lower-case letters and a capital, which leaves abbreviations ("e.g.", "U.S."), versions, file names
// and host names ("setup.exe", "dell.com") whole.
const GLUED_SENTENCE = /(?<=\p{Ll}\p{Ll}\.)(?=\p{Lu})|(?<=[?!])(?=\p{L})|(?<=[。？！])/u;

// A link pasted into a question names a page the writer read; the words of its host and path ("https", "www",
// "kbdoc", a slug of ten words) are not what is asked. Found whether or not a space precedes it ("…slotshttps://…").
const LINK = /(?:https?:\/\/|www\.)\S+/giu;

// A short opening clause before a comma: an address ("Hi all,", "Bonjour à tous,") when it holds a chatter word.
const OPENING = /^[^\p{L}\p{N}]*([\p{L}\s'’]{0,24}),\s*/u;

// A run-on: a capitalised function word right after a lower-case word or a number starts a sentence whose full stop
// the writer left out ("…le dossier d'un patient Le redémarrage n'a rien changé", "…on my laptop The sync fails").
// Help-desk questions typed like a title have no full stop, and without this cut the sentence after them takes their
// role. "I" is left out: English capitalises it mid-sentence. A capitalised thanks ("…reste noir Merci, je…") starts
// the sign-off the same way. A capital followed by digits is a model name ("Galaxy S21"), not the word "s".
const RUN_ON = /(?<=[\p{Ll}\p{N}])\s+(?=(\p{Lu}\p{Ll}*)(?![\p{L}\p{N}]))/gu;
const SIGN_OFF = new Set(['merci', 'thanks', 'thank', 'cheers', 'regards', 'cordialement']);

/*
 * A first-person sentence is the question, not its background, when it states what the writer needs or what fails:
 * help-desk users, French ones above all, ask by stating the problem ("Je n'arrive pas à ouvrir…", "Ma carte ne
 * déverrouille pas la porte", "I'd like to export my data", "My laptop won't start"). A need is a verb of wanting or
 * looking for; a failure is a negated verb other than être/avoir/to be, whose negation describes the writer ("Je ne
 * suis pas douée en informatique") or a past attempt ("n'a rien changé") rather than the problem.
 */
// "voudrait" is left out: in a message it is someone else's wish ("Ma cadre voudrait que ce soit réglé vendredi").
const NEED = /\b(?:want|wanna|need|needs|(?:'d|would) like|trying|looking for|wonder|wondering|voudrais|voulais|veux|aimerais|souhaite|souhaiterais|cherche|besoin|dois|doit)(?!\p{L})/iu;
const FAILS_EN = /\b(?:can't|cannot|can not|won't|doesn't|does not|don't|do not|isn't|is not|aren't|unable|impossible|stopped|fails?|failing)\b/iu;
const FAILS_FR = new RegExp(
  String.raw`\b(?:ne|n['’])\s*(?:(?:me|m['’]|se|s['’]|te|t['’]|le|la|les|l['’]|lui|y|en)\s*)*` +
    String.raw`(?!(?:suis|est|sont|es|sommes|etes|êtes|ai|a|as|avons|avez|ont|avait|avais|était|etait)(?!\p{L}))` +
    String.raw`\p{L}+\s+(?:pas|plus|jamais|rien)\b|\bimpossible\b`,
  'iu',
);
// What was tried and did not help ("Restarting did not help", "Le redémarrage n'a rien changé", "sans résultat"),
// and a search of the web or the forums ("J'ai cherché « … » sur internet mais…", "I searched for … online"): the
// story around the question however the sentence opens, even when it quotes the question's words.
const ATTEMPT = new RegExp(
  String.raw`\b(?:did not|didn't|has not|hasn't|have not|haven't|no luck|no change|nothing changed|nothing works|neither|` +
    String.raw`(?:searched|googled)(?!\p{L})[^.!?]*?\b(?:online|internet|google|the web|forums?|answers? I found)|` +
    String.raw`(?:cherché|cherche|recherché|recherche)(?!\p{L})[^.!?]*?\b(?:sur internet|sur google|sur le web|sur les forums|en ligne)|` +
    String.raw`sans (?:succès|succes|résultat|resultat)|(?:n['’]|ne\s+)(?:a|ai|avons|ont|as|avez)\s+(?:rien|pas|jamais|plus)\s+` +
    String.raw`(?:changé|change|marché|marche|fonctionné|fonctionne|résolu|resolu|réglé|regle|aidé|aide|donné|donne))(?!\p{L})`,
  'iu',
);

// A sentence that opens with quotation marks is what the screen said, pasted ("« La connexion a expiré » puis plus rien").
const QUOTED = /^[\s(]*[«"“]/u;

// How forum posts announce their question ("So my question is:", "Donc ma question :", "Je voudrais savoir :") and
// lead into it ("En gros, …", "Basically, …"): the words of the announcement are not part of what is asked.
const ASKING = /^(?:(?:so|donc|alors)\s*,?\s+)?(?:my question is|ma question(?:\s+est)?|what i(?:'d| would) like to know(?: is)?|i(?:'d| would) like to know|je voudrais savoir|j['’]aimerais savoir)\s*[:,]?\s*/iu;
const LEAD_IN = /^(?:basically|en gros|bref)\s*,\s*/iu;

type Role = 'question' | 'narrative' | 'other';

function sentenceRole(raw: string, body: string): Role {
  const first = tokenize(body)[0] ?? '';
  if (raw.trim().endsWith('?') || INTERROGATIVE.has(first)) return 'question';
  if (ATTEMPT.test(body) || QUOTED.test(body)) return 'narrative';
  if (NARRATIVE.has(first)) {
    return !DIAGNOSTIC.test(raw) && (NEED.test(body) || FAILS_EN.test(body) || FAILS_FR.test(body)) ? 'question' : 'narrative';
  }
  return DIAGNOSTIC.test(raw) ? 'narrative' : 'other';
}

// Loops rather than flatMap and matchAll, which cost several times more (V8's flatMap is generic; matchAll copies
// the expression) on a path every ask takes twice.
function splitSentences(query: string): string[] {
  const sentences: string[] = [];
  for (const part of unglue(query.replace(LINK, ' ')).split(SENTENCE).flatMap((p) => p.split(GLUED_SENTENCE))) {
    let from = 0;
    RUN_ON.lastIndex = 0;
    for (let m = RUN_ON.exec(part); m; m = RUN_ON.exec(part)) {
      if (m[1] === 'I' || !(isFunctionWord(m[1]) || SIGN_OFF.has(m[1].toLowerCase()))) continue;
      sentences.push(part.slice(from, m.index).trim());
      from = m.index;
    }
    sentences.push(part.slice(from).trim());
  }
  return sentences;
}

// A greeting or a sign-off, by its words: chatter around at most one other word ("Hey guys, quick question.", "Regards, Sam").
function isChatterSentence(raw: string): boolean {
  if (raw.trim().endsWith('?')) return false;
  const chatter = tokenize(raw).filter((w) => CHATTER_WORDS.has(w)).length;
  const content = contentTerms(withoutChatter(raw)).length;
  return chatter > 0 && content <= 1;
}

/**
 * The sentences of a message with the weight of their terms: narrative sentences count `narrativeWeight`; in a
 * message that asks a question, sentences that neither ask nor tell the story count `contextWeight`. With
 * `dropChatter`, an opening address ("Bonjour l'équipe,") and sentences that are only a greeting or a sign-off go,
 * and each sentence's text comes without its chatter; its role is read from the words after the address.
 */
export function weightedSentences(
  query: string,
  narrativeWeight: number,
  contextWeight = 1,
  dropChatter = false,
  storyBudget = 0,
): { text: string; weight: number }[] {
  const drop = dropChatter && hasMoreThanChatter(query);
  let sentences = splitSentences(query)
    .map((raw) => {
      // An address is not where the sentence starts; "I logged out, then…" is.
      const opening = OPENING.exec(raw);
      let body = opening && tokenize(opening[1]).some((w) => CHATTER_WORDS.has(w)) ? raw.slice(opening[0].length) : raw;
      const asking = ASKING.exec(body);
      if (asking) body = body.slice(asking[0].length);
      const lead = LEAD_IN.exec(body);
      if (lead) body = body.slice(lead[0].length);
      return { raw, body, asking: asking !== null, text: drop ? withoutChatter(body) : raw };
    })
    // Sentences left with no content word (a bare "Merci d'avance !") take no part.
    .filter((s) => contentTerms(s.text).length > 0);
  if (drop) {
    // Greetings open a message and sign-offs close it; elsewhere a short sentence may be the story ("No luck.").
    const framing = (s: { raw: string }, i: number) => (i === 0 || i === sentences.length - 1) && isChatterSentence(s.raw);
    const kept = sentences.filter((s, i) => !framing(s, i));
    if (kept.length > 0) sentences = kept;
  }
  if (sentences.length < 2) return sentences.map(({ text }) => ({ text, weight: 1 }));
  const roles = sentences.map(({ raw, body, asking }): Role => (asking ? 'question' : sentenceRole(raw, body)));
  // When every sentence tells the story, none is background to another.
  if (roles.every((r) => r === 'narrative')) return sentences.map(({ text }) => ({ text, weight: 1 }));
  const asks = roles.includes('question');
  // A long story would outweigh its question by its length alone: past `storyBudget` sentences, they share it.
  const story = roles.filter((r) => r === 'narrative').length;
  const share = storyBudget > 0 && story > storyBudget ? storyBudget / story : 1;
  const weight = { question: 1, narrative: narrativeWeight * share, other: asks ? contextWeight : 1 };
  return sentences.map(({ text }, i) => ({ text, weight: weight[roles[i]] }));
}

export interface QueryOptions {
  /** Cap on a query term's weight when the question repeats it. */
  maxRepeatWeight: number;
  /** Drop greetings, thanks and "I tried everything" words from questions. */
  dropChatter: boolean;
  /** Weight of the terms of narrative sentences in a message of several sentences (1: no difference). */
  narrativeWeight: number;
  /** Weight of sentences that neither ask nor tell the story, in a message that asks a question (1: none). */
  contextWeight: number;
  /** Narrative sentences past this many share its weight (0: no bound). */
  storyBudget: number;
  /**
   * In a question with more distinct indexed terms than this (in one language), only this many are searched: those
   * with the highest weight × idf. 0: every term.
   */
  maxTerms: number;
  /** Each term's weight is multiplied by (idf / highest idf of the question) to this power. 0: no change. */
  idfPower: number;
}

// Measured on StackFAQ and its padded twin (bench/retrieval.eval.ts): chatter dropped loses the least to padding;
// narrative at 0.4 beat 0.3 and 0.2 once k1 was 2.6 (pg-retriever.ts); a repeat cap of 1 (no extra weight for
// repeated words) did slightly better than 2 on both sets. Then on every fourth StackFAQ question, plain, padded and
// as long forum posts, and the 138 French questions likewise (nDCG@10, StackFAQ / padded / long / French / French
// padded / French long): before 0.883 / 0.863 / 0.786 / 0.725 / 0.669 / 0.591; context 0.7: 0.883 / 0.867 / 0.810
// / 0.725 / 0.675 / 0.601; context 0.4: 0.883 / 0.870 / 0.817 / 0.725 / 0.681 / 0.614; context 0.7 and story budget
// 2: 0.883 / 0.864 / 0.816 / 0.725 / 0.684 / 0.624 (budget 3: 0.812 long, 1: 0.824 long but padded 0.864 with
// proximity); proximity (pg-retriever.ts) adds the rest. The idf focus lost everywhere, worst on long posts
// (maxTerms 8: long 0.666; idfPower 1: StackFAQ 0.851, long 0.725): in a forum post the rarest words are the
// story's product names and versions, not the question's. Both stay off.
// Sentence roles: a first-person need or failure read as the question, a failed attempt as story,
// run-on sentences cut, an address and a greeting or sign-off sentence dropped. Chosen on the odd-numbered French
// questions, confirmed on the even ones and on every fourth StackFAQ question (nDCG@10 plain / padded / long):
// French odd 0.655 / 0.628 / 0.538 → 0.655 / 0.652 / 0.566; even 0.818 / 0.766 / 0.729 → 0.818 / 0.793 / 0.734;
// StackFAQ 0.883 / 0.865 / 0.836 → 0.883 / 0.880 / 0.853. Without the failure rule (a need only) the odd half did as
// well (0.649 / 0.585) but the even one lost 0.035 to padding.
// On real forum posts (DellQA's development half, idf per language, links dropped, glued versions split), a repeat
// cap of 2 scored 0.348 nDCG@10 against 0.346 for 1, but lost French padded questions 0.723 → 0.717: the cap stays 1.
// Later, with the reranker refitted for each change by 2-fold cross-validation (bench/recall-lab.ts: DellQA 0.385 as
// the base): weighing the sentences more alike helps real posts and breaks the padded and long ones. BM25's k3 = 1
// over the summed weights 0.392, but French padded 0.739 → 0.704; searching long questions with every sentence
// alike (roles kept for proximity and the reranker) 0.394–0.397, but long StackFAQ 0.847 → 0.70–0.77 and long French
// 0.727 → 0.68; story and context at 1 when the question sentences hold fewer than 3 content terms 0.384. The idf
// focus (idfPower 0.5 and 1 on questions of 12 terms or more) 0.391 / 0.389, but long StackFAQ 0.835 / 0.816 and
// long French 0.720; within each sentence 0.389 / 0.387. All stay off.
export const DEFAULT_QUERY: QueryOptions = {
  maxRepeatWeight: 1,
  dropChatter: true,
  narrativeWeight: 0.4,
  contextWeight: 0.4,
  storyBudget: 2,
  maxTerms: 0,
  idfPower: 0,
};

/**
 * Analyses a question in each language (always without its own language's function words, and without chatter),
 * with each term weighted by how often the question repeats it and by the role of its sentence. A term repeated
 * in a long question is usually its subject; the weight is capped so a pasted log line repeating one word cannot
 * take over the ranking.
 */
export function queryTerms(query: string, options: QueryOptions = DEFAULT_QUERY): QueryTerms {
  const asked = detectLanguage(query);
  const sentences = weightedSentences(query, options.narrativeWeight, options.contextWeight, options.dropChatter, options.storyBudget);
  const analyses = new Map<Language, string[]>();
  const weights = new Map<string, number>();
  for (const lang of LANGUAGES) {
    const core = new Set<string>();
    for (const sentence of sentences) {
      const terms = analyze(sentence.text, lang, asked).filter((t) => t.length <= MAX_TERM_LENGTH);
      if (sentence.weight === 1) for (const t of terms) core.add(t);
      for (const t of terms) {
        const key = postingKey(lang, t);
        weights.set(key, Math.min(options.maxRepeatWeight, (weights.get(key) ?? 0) + sentence.weight));
      }
    }
    analyses.set(lang, [...core]);
  }
  return { keys: [...weights.keys()], weights: [...weights.values()], analyses };
}

/**
 * What a question asks, without its chatter and, in a message of several sentences, without the story around it:
 * the text whose terms a passage must cover to support an answer (GroundingPolicy).
 */
export function coreText(query: string, options: QueryOptions = DEFAULT_QUERY): string {
  return weightedSentences(query, options.narrativeWeight, options.contextWeight, options.dropChatter, options.storyBudget)
    .filter((s) => s.weight === 1)
    .map((s) => s.text)
    .join('\n');
}

const CHATTER_WORDS = new Set([...CHATTER.en, ...CHATTER.fr]);

// Chatter only goes when the question has more to say: "help" alone is still a question about help.
function hasMoreThanChatter(query: string): boolean {
  return tokenize(query).filter((w) => !CHATTER_WORDS.has(w)).length >= 2;
}

function withoutChatter(text: string): string {
  return text.replace(/[\p{L}\p{N}]+/gu, (w) => (CHATTER_WORDS.has(tokenOf(w)) ? ' ' : w));
}

/** How common each query term is in the tenant's index: document frequencies by posting key, and the chunk count. */
export interface TermStats {
  df: Map<string, number>;
  chunks: number;
}

/** The BM25 idf of a term found in `df` of `n` chunks (the formula of the search statement). */
export function idf(df: number, n: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/**
 * The question's terms focused by how rare they are in the tenant's documents (`maxTerms`, `idfPower`): in a long
 * message most words are the story around the question, and the words that say what it is about are the ones the
 * documents seldom use. Terms absent from the index are dropped (they cannot score). Each language is focused on its
 * own terms, since a chunk is scored with the terms of its language only.
 */
export function focusTerms(terms: QueryTerms, stats: TermStats, options: QueryOptions = DEFAULT_QUERY): QueryTerms {
  const byLang = new Map<string, { key: string; weight: number; idf: number }[]>();
  terms.keys.forEach((key, i) => {
    const df = stats.df.get(key) ?? 0;
    if (df === 0) return;
    const lang = key.slice(0, key.indexOf(':'));
    byLang.set(lang, [...(byLang.get(lang) ?? []), { key, weight: terms.weights[i], idf: idf(df, stats.chunks) }]);
  });
  const keys: string[] = [];
  const weights: number[] = [];
  for (const list of byLang.values()) {
    const top = Math.max(...list.map((t) => t.idf));
    const kept =
      options.maxTerms > 0 && list.length > options.maxTerms
        ? [...list].sort((a, b) => b.weight * b.idf - a.weight * a.idf).slice(0, options.maxTerms)
        : list;
    for (const t of kept) {
      keys.push(t.key);
      weights.push(t.weight * (options.idfPower > 0 ? (t.idf / top) ** options.idfPower : 1));
    }
  }
  return { keys, weights, analyses: terms.analyses };
}
