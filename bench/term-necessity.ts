import { analyze, detectLanguage, LANGUAGES, type Language } from '../src/services/text/analyzer';
import { idf, postingKey, weightedSentences, type QueryOptions, type QueryTerms, type TermStats } from '../src/services/retrieval/query-terms';

/**
 * An experiment, not used in production (a cross-validated +0.013 nDCG@10 on DellQA; the reranking of rerank.ts
 * did more): term necessity for long questions: the probability that a question term occurs in the passage that answers it,
 * from what the question itself shows of the term (how rare it is in the tenant's chunks, where and how often the
 * writer used it, in which kind of sentence, whether it is a code, a number or a capitalised name). In a forum post
 * of eighty words most terms are the story; the few the answer shares are what the search should weigh.
 *
 * The model is a logistic regression fitted and measured by bench/fit-term-necessity.ts.
 */

export const TERM_FEATURES = [
  'bias',
  'idf',
  'idfShare',
  'sentenceWeight',
  'firstPosition',
  'inFirstSentence',
  'inLastSentence',
  'logCount',
  'hasDigit',
  'capitalised',
  'length',
  'logQueryTerms',
] as const;

export interface TermNecessityModel {
  /** One coefficient per TERM_FEATURES name. */
  coefficients: number[];
  /**
   * How much the log-odds of necessity add to a term's idf (the Robertson–Spärck Jones weight is log-odds of the term
   * in relevant passages plus log-odds against it elsewhere; BM25's idf is the second part with the first taken as
   * even): the weight becomes weight × max(0, 1 + lambda × logit(p) / idf). 0: no change.
   */
  lambda: number;
  /** Questions with fewer distinct terms (in their own language) than this are left as they are. */
  minTerms: number;
}

interface Seen {
  count: number;
  first: number;
  firstSentence: number;
  lastSentence: number;
  weight: number;
  digit: boolean;
  capital: boolean;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}._-]*[\p{L}\p{N}]|[\p{L}\p{N}]/gu;
const INNER_CAPITAL = /^\p{L}+$/u;

/**
 * The features of each posting key of the question, in the order of TERM_FEATURES, computed from the sentences as
 * queryTerms weighs them and from the term statistics (df and chunk count) of the tenant.
 */
export function termFeatures(query: string, options: QueryOptions, stats: TermStats): Map<string, number[]> {
  const asked = detectLanguage(query);
  const sentences = weightedSentences(query, options.narrativeWeight, options.contextWeight, options.dropChatter, options.storyBudget);
  const seen = new Map<string, Seen>();
  let position = 0;
  sentences.forEach((sentence, s) => {
    let first = true;
    for (const word of sentence.text.match(WORD) ?? []) {
      // Mid-sentence capitals mark names (a product, a setting); a capitalised opening word says nothing.
      const capital = !first && /\p{Lu}/u.test(word) && (word !== word.toUpperCase() || word.length > 1) && !(word.length <= 1);
      const mixed = INNER_CAPITAL.test(word) && /\p{Ll}/u.test(word[0]) && /\p{Lu}/u.test(word.slice(1));
      first = false;
      position++;
      for (const lang of LANGUAGES) {
        for (const t of analyze(word, lang, asked)) {
          const key = postingKey(lang, t);
          const x = seen.get(key);
          if (x) {
            x.count++;
            x.lastSentence = s;
            x.weight = Math.max(x.weight, sentence.weight);
            x.capital ||= capital || mixed;
          } else {
            seen.set(key, { count: 1, first: position, firstSentence: s, lastSentence: s, weight: sentence.weight, digit: /\d/.test(t), capital: capital || mixed });
          }
        }
      }
    }
  });
  const features = new Map<string, number[]>();
  const idfs = new Map<string, number>();
  const topIdf = new Map<Language, number>();
  const termsIn = new Map<Language, number>();
  for (const key of seen.keys()) {
    const lang = key.slice(0, key.indexOf(':')) as Language;
    const value = idf(stats.df.get(key) ?? 0, Math.max(stats.chunks, 1));
    idfs.set(key, value);
    topIdf.set(lang, Math.max(topIdf.get(lang) ?? 0, value));
    termsIn.set(lang, (termsIn.get(lang) ?? 0) + 1);
  }
  const last = sentences.length - 1;
  for (const [key, x] of seen) {
    const lang = key.slice(0, key.indexOf(':')) as Language;
    const value = idfs.get(key)!;
    features.set(key, [
      1,
      value / 10,
      value / Math.max(topIdf.get(lang)!, 1e-9),
      x.weight,
      x.first / Math.max(position, 1),
      x.firstSentence === 0 ? 1 : 0,
      x.lastSentence === last && last > 0 ? 1 : 0,
      Math.log(x.count),
      x.digit ? 1 : 0,
      x.capital ? 1 : 0,
      (key.length - lang.length - 1) / 10,
      Math.log(termsIn.get(lang)!),
    ]);
  }
  return features;
}

export function necessity(coefficients: number[], features: number[]): number {
  let z = 0;
  for (let i = 0; i < features.length; i++) z += coefficients[i] * features[i];
  return 1 / (1 + Math.exp(-z));
}

/**
 * The question's terms reweighted by their necessity (TermNecessityModel.lambda). Short questions, where every term
 * is needed, are left as they are.
 */
export function weighByNecessity(terms: QueryTerms, query: string, options: QueryOptions, stats: TermStats, model: TermNecessityModel): QueryTerms {
  if (model.lambda === 0) return terms;
  const features = termFeatures(query, options, stats);
  const count = new Map<string, number>();
  for (const key of features.keys()) {
    const lang = key.slice(0, key.indexOf(':'));
    count.set(lang, (count.get(lang) ?? 0) + 1);
  }
  const weights = terms.keys.map((key, i) => {
    const f = features.get(key);
    if (!f || (count.get(key.slice(0, key.indexOf(':'))) ?? 0) < model.minTerms) return terms.weights[i];
    const p = necessity(model.coefficients, f);
    const termIdf = Math.max(f[1] * 10, 1e-6);
    return terms.weights[i] * Math.max(0, 1 + (model.lambda * Math.log(p / (1 - p))) / termIdf);
  });
  return { keys: terms.keys, weights, analyses: terms.analyses };
}
