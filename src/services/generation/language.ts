import { tokenize } from '../retrieval/analyzer';

export type AnswerLanguage = 'fr' | 'en';

// Function words (and a few topic-free courtesies) that are frequent in one language and (nearly) never a word of
// the other. Words both languages share ("a", "as", "me", "on", "plus") are left out: they would count for both.
// Compared against `tokenize` output, so accents are already folded ("où" → "ou", "été" → "ete").
const FRENCH_WORDS = new Set(
  (
    'le la les un une de des du au aux en et est sont ou mais donc pour dans avec sans sur sous chez par ' +
    'je tu il elle nous vous ils elles te se mon ma mes ton ta tes sa ses notre nos votre vos leur leurs ' +
    'ce cet cette ces qui que quoi quel quelle quels quelles comment pourquoi quand combien ne pas jamais ' +
    'ai avez avons ont suis etes sommes peut peux puis pouvez dois doit faut fait faire veux voudrais ' +
    'oui merci bonjour aussi tres deja encore'
  ).split(' '),
);

const ENGLISH_WORDS = new Set(
  (
    'the and is are was were be been being of to in for with without from by at into about ' +
    'i you he she we they my your his her our their its it this that these those there ' +
    'what which who whom how why when where do does did done doing have has had can could should would will shall ' +
    'not no yes get got use using please thanks hello'
  ).split(' '),
);

// French elision ("l'imprimante", "j'ai", "qu'il", "n'est") is a strong, topic-free French signal that
// tokenising would hide by splitting the apostrophe away.
const ELISION = /(?:^|[^\p{L}])(?:[cdjlmnst]|qu)['’]\p{L}/giu;

// Letters with diacritics that French uses and English (almost) never does outside loanwords.
const FRENCH_DIACRITICS = /[àâçéèêëîïôùûüÿœ]/giu;

// A loanword ("café", "résumé") in an English question must not outweigh its function words, so accents count
// half a word each and at most two words' worth in total.
const DIACRITIC_WEIGHT = 0.5;
const DIACRITIC_CAP = 2;

/**
 * Guesses whether a question is French or English from evidence that does not depend on its topic: function
 * words, French elisions and diacritics. Ties (a bare list of technical keywords such as "VPN Outlook") go to
 * English, since IT vocabulary is English in both languages and an English answer is the least surprising one.
 */
export function detectLanguage(text: string): AnswerLanguage {
  let french = 0;
  let english = 0;
  for (const token of tokenize(text)) {
    if (FRENCH_WORDS.has(token)) french += 1;
    if (ENGLISH_WORDS.has(token)) english += 1;
  }
  french += (text.match(ELISION) ?? []).length;
  french += Math.min(DIACRITIC_CAP, (text.match(FRENCH_DIACRITICS) ?? []).length * DIACRITIC_WEIGHT);
  return french > english ? 'fr' : 'en';
}

const NO_ANSWER: Record<AnswerLanguage, string> = {
  en:
    "The documentation I can search does not cover this question, so I won't guess an answer. " +
    'Please contact your IT service desk, who can help you directly.',
  fr:
    'La documentation que je peux consulter ne couvre pas cette question, je préfère donc ne pas deviner. ' +
    "Veuillez contacter votre service d'assistance informatique, qui pourra vous aider directement.",
};

/** The whole answer when no passage supports the question: it says so and sends the user to human IT support. */
export function noAnswerText(language: AnswerLanguage): string {
  return NO_ANSWER[language];
}
