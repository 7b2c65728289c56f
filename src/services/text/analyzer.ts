/**
 * Text analysis shared by every retrieval backend, so that "how much of the question does this passage cover"
 * means the same thing whether PostgreSQL or Weaviate found the passage.
 *
 * Documents and questions are French or English. A term is a Snowball stem of the word in the text's language,
 * with accents folded afterwards: the French stemmer reads the accents ("bloquée" and "bloqué" only meet as
 * "bloqu" when stemmed before folding), while folding afterwards lets a question typed without accents match.
 */

// snowball-stemmers ships no type declarations; this is the whole surface we use.
interface SnowballStemmers {
  newStemmer(language: string): { stem(word: string): string };
}
const snowball: SnowballStemmers = require('snowball-stemmers');

export type Language = 'en' | 'fr';
export const LANGUAGES: readonly Language[] = ['en', 'fr'];

const WORD = /[\p{L}\p{N}]+/gu;
// A version number: digits in dotted groups, with an optional letter prefix (v2.3.1, 10.0.19045, 365.2).
const VERSION = /(?<![\p{L}\p{N}.])\p{L}{0,3}\d+(?:\.\d+)+(?![\p{L}\p{N}]|\.\d)/gu;

const NON_ASCII = /[^\x00-\x7f]/;
// Three letters or more, then only digits: a name with a version number (see analyze).
const GLUED_VERSION = /^(\p{L}{3,})\d+$/u;
// A model code with a variant or a plural glued after its digits ("R730xd", "H730p", "R710s", "M1000e"): also the
// model alone ("r730"), which is how the other posts and answers name the family.
const MODEL_VARIANT = /^(\p{L}{1,3}\d{2,5})\p{L}{1,3}$/u;
// A product name with its model number glued on ("Precision7510", "Windows2012"): also the number alone.
const GLUED_MODEL = /^\p{L}{3,}(\d{3,})$/u;
const DIGIT = /\d/;

function fold(word: string): string {
  // Most words are plain ASCII; normalising them would be most of the cost of analysing a passage.
  if (!NON_ASCII.test(word)) return word;
  return word
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss');
}

/** Lower-case words with their accents, the form the stemmers expect. */
function words(text: string): string[] {
  // NFC leaves ASCII as it is; skipping it saves most of the cost of the short texts a question is cut into.
  return unglue(NON_ASCII.test(text) ? text.normalize('NFC') : text).toLowerCase().match(WORD) ?? [];
}

// Text that lost its line breaks glues the first word of a line to the last word of the one before ("…the
// backplaneI replaced it", "…can't access itIs this…", "…see the attached pdfThanks"): a capitalised function word
// or sign-off right after two lower-case letters is a word of its own. Product names keep their capitals
// ("PowerEdge", "OpenManage"): their second part is not a function word.
// Latin letters only (ASCII and Latin-1, French's accents included): Unicode property classes cost five times as much,
// and every passage is analysed this way.
const GLUED_WORD = /([a-z\u00df-\u00ff]{2})([A-Z\u00c0-\u00de][a-z\u00df-\u00ff]*)(?![A-Za-z\u00c0-\u00ff0-9])/g;
const OPENERS = new Set(['thanks', 'thank', 'regards', 'please', 'hi', 'hello', 'cheers', 'merci', 'bonjour', 'cordialement']);

/** The text with a space before each word glued to the one before it (see GLUED_WORD). */
export function unglue(text: string): string {
  return text.replace(GLUED_WORD, (whole: string, head: string, tail: string) =>
    isFunctionWord(tail) || OPENERS.has(tail.toLowerCase()) ? `${head} ${tail}` : whole,
  );
}

/** Lower-cases, strips accents (é → e) and splits into alphanumeric tokens. */
export function tokenize(text: string): string[] {
  return words(text).map(fold);
}

/** tokenize() of one run of letters and digits: its one token, '' when it has none. */
export function tokenOf(word: string): string {
  // Lower-casing an ASCII run leaves one token of the same letters: the regular expressions are only needed for others.
  return NON_ASCII.test(word) ? (tokenize(word)[0] ?? '') : word.toLowerCase();
}

// Stopwords are compared in folded form, so "à", "où" and "été" are caught however they are typed.
// The lists hold function words and question scaffolding only: they say nothing about any topic.
const EN_STOPWORDS = (
  'a about above after again against all am an and any are aren as at be because been before being below between ' +
  'both but by can cannot could couldn did didn do does doesn doing don down during each few for from further get ' +
  'got had hadn has hasn have haven having he her here hers herself him himself his how i if in into is isn it its ' +
  'itself just let ll me more most my myself no nor not now of off on once only or other ought our ours ourselves ' +
  'out over own re same shan she should shouldn so some such than that the their theirs them themselves then there ' +
  'these they this those through to too under until up ve very was wasn we were weren what when where which while ' +
  'who whom why will with won would wouldn you your yours yourself yourselves'
).split(' ');

const FR_STOPWORDS = (
  'a ai aie aient aies ait as au aucun aura aurai auraient aurais aurait auras aurez auriez aurions aurons auront ' +
  'aussi autre aux avaient avais avait avec avez aviez avions avoir avons ayant ayez ayons c ca ce ceci cela celle ' +
  'celles celui cependant ces cet cette ceux chaque comme comment d dans de des donc dont du elle elles en encore ' +
  'es est et etaient etais etait etant ete etes etiez etions etre eu eue eues eurent eus eusse eut eux fait faut ' +
  'fut ici il ils j je l la le les leur leurs lui m ma mais me meme mes moi mon n ne ni nos notre nous on ont ou ' +
  'par pas peu peut peuvent peux plus pour pourquoi puis puisque qu quand que quel quelle quelles quels qui quoi s ' +
  'sa sans se sera serai seraient serait seront ses si sien soi soit sommes son sont sous suis sur t ta te tes toi ' +
  'ton tous tout toute toutes tu un une vais veux voici voila vos votre vous y'
).split(' ');

const STOPWORDS: Record<Language, Set<string>> = {
  en: new Set(EN_STOPWORDS),
  fr: new Set(FR_STOPWORDS),
};

/** True for a function word of either language ("le", "the", "j"), in any case or accent form. */
export function isFunctionWord(word: string): boolean {
  const f = fold(word.toLowerCase());
  return STOPWORDS.en.has(f) || STOPWORDS.fr.has(f);
}

// Words that are common in one language and (nearly) absent from the other, used to guess a text's language.
const MARKERS: Record<Language, Set<string>> = {
  en: new Set(
    'the is are and to of in how what my with for do does can it this that you your on i be from was have not'.split(
      ' ',
    ),
  ),
  fr: new Set(
    'le la les des du est et pour dans avec une un je mon ma mes comment pas que qui sur au aux ce cette il vous nous ne se sont ou quand faire puis votre'.split(
      ' ',
    ),
  ),
};

const ACCENTED = /[àâäçéèêëîïôöùûüÿœ]/g;
// French elision ("l'imprimante", "j'ai", "qu'il") is a strong, topic-free French signal that tokenising hides by
// splitting at the apostrophe.
const ELISION = /(?:^|[^\p{L}])(?:[cdjlmnst]|qu)['’]\p{L}/giu;

/**
 * Guesses whether a text is French or English from its function words, elisions and accents. The one detector of
 * the project: retrieval picks the stemmer with it, and the answer's language comes from it. A text with no clue either way
 * (a bare list of keywords) counts as English, the language of most IT vocabulary.
 */
export function detectLanguage(text: string): Language {
  let en = 0;
  let fr = 0;
  for (const w of words(text)) {
    const f = fold(w);
    if (MARKERS.en.has(f)) en++;
    if (MARKERS.fr.has(f)) fr++;
  }
  fr += (text.match(ELISION) ?? []).length;
  // An accent is weaker evidence than a function word: English IT texts quote "café" or "résumé" now and then.
  fr += Math.min(3, (text.toLowerCase().match(ACCENTED) ?? []).length) * 0.5;
  return fr > en ? 'fr' : 'en';
}

const STEMMERS: Record<Language, { stem(word: string): string }> = {
  en: snowball.newStemmer('english'),
  fr: snowball.newStemmer('french'),
};

// Indexing stems the same few thousand words over and over; the cache is dropped whole when it grows too large,
// which keeps memory bounded without bookkeeping.
const STEM_CACHE_LIMIT = 100_000;
const stemCache: Record<Language, Map<string, string>> = { en: new Map(), fr: new Map() };

function stem(word: string, lang: Language): string {
  const cache = stemCache[lang];
  let term = cache.get(word);
  if (term === undefined) {
    // Digits and very short words gain nothing from stemming and are where stemmers make odd cuts.
    term = word.length <= 3 || /\d/.test(word) ? fold(word) : fold(STEMMERS[lang].stem(word));
    if (cache.size >= STEM_CACHE_LIMIT) cache.clear();
    cache.set(word, term);
  }
  return term;
}

/**
 * The version of what `analyze` makes of a text. Documents keep the terms they were indexed with (chunk.terms), so
 * any change here that alters a text's terms must bump it: at the next start every stored chunk is analysed again
 * (services/retrieval/reanalysis.ts), and old documents meet questions analysed the new way.
 */
export const ANALYSIS_VERSION = 1;

/**
 * Every content term of a text in order, repeats kept (term frequencies are counted from this). `alsoDrop` names a
 * second language whose function words are dropped too: a French question analysed as English should not look for
 * "comment" or "mon" in English passages.
 */
export function analyze(text: string, lang: Language, alsoDrop?: Language): string[] {
  const stop = STOPWORDS[lang];
  const other = alsoDrop && alsoDrop !== lang ? STOPWORDS[alsoDrop] : undefined;
  const terms: string[] = [];
  for (const w of words(text)) {
    const f = fold(w);
    if (stop.has(f) || other?.has(f)) continue;
    terms.push(stem(w, lang));
    // A product name with its version glued on ("iDRAC8", "Win10", "ESXi7") also counts as the product alone, so
    // that it meets the name written without the number or with another one ("iDRAC", "iDRAC9"); with a model number
    // ("Precision7510"), as the number alone too. A model with a variant ("R730xd") also counts as the model. These
    // add terms and drop none (stored chunks gain them at the next start: ANALYSIS_VERSION).
    // Most words hold no digit: one test spares them the three expressions below.
    if (!DIGIT.test(w)) continue;
    const product = GLUED_VERSION.exec(w);
    if (product && !stop.has(fold(product[1]))) terms.push(stem(product[1], lang));
    const model = product ? GLUED_MODEL.exec(w) : MODEL_VARIANT.exec(w);
    if (model) terms.push(fold(model[1]));
  }
  // Error codes (0x80070005) and update numbers (KB5034441) are single words already; dotted versions are not, so
  // "v2.3.1" is also kept whole beside its parts: the whole matches exactly, the parts still match older indexes.
  for (const version of text.toLowerCase().match(VERSION) ?? []) terms.push(fold(version));
  return terms;
}

/** Distinct content terms of a text: stems of its tokens minus stopwords, in `lang` or the text's own language. */
export function contentTerms(text: string, lang: Language = detectLanguage(text)): string[] {
  return [...new Set(analyze(text, lang))];
}

/**
 * Share (0..1) of `queryTerms` found among the content terms of `text`. Without `lang`, the text is analysed in
 * both languages, so the answer does not depend on guessing the language of a short question right.
 */
export function coverage(queryTerms: string[], text: string, lang?: Language): number {
  if (queryTerms.length === 0) return 0;
  const present = new Set(lang ? analyze(text, lang) : LANGUAGES.flatMap((l) => analyze(text, l)));
  return queryTerms.filter((t) => present.has(t)).length / queryTerms.length;
}
