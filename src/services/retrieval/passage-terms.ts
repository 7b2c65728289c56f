import { analyze, type Language } from '../text/analyzer';
import { ChunkMemo } from '../text/chunk-memo';
import { postingKey } from './query-terms';

/** What ranking derives from a passage's words, whatever the question: proximity and reranking both read it. */
export interface PassageTerms {
  /** The passage's terms in order (title, heading, then text), as the analyzer gives them. */
  terms: string[];
  /** The posting key (`lang:term`) of each term, in the same order. */
  keyed: string[];
  /** The posting keys it holds. */
  keys: Set<string>;
  /** Its runs of two and of three terms, joined by a space. */
  bigrams: Set<string>;
  trigrams: Set<string>;
}

export interface PassageSource {
  id: string;
  lang: Language;
  title: string;
  heading: string;
  text: string;
}

// Kept per chunk: a long question's reranked passages were analysed twice (proximity, then reranking) and their word
// runs rebuilt on every ask, most of the time a long question's search took beyond the index itself.
const PASSAGES = new ChunkMemo<PassageTerms>();
const TITLES = new ChunkMemo<Set<string>>(200_000);

export function passageTerms(row: PassageSource): PassageTerms {
  return PASSAGES.get(`${row.lang}:${row.id}`, `${row.title}\n${row.heading}\n${row.text}`, (source) => {
    const terms = analyze(source, row.lang);
    const keyed = terms.map((t) => postingKey(row.lang, t));
    return { terms, keyed, keys: new Set(keyed), bigrams: ngrams(terms, 2), trigrams: ngrams(terms, 3) };
  });
}

/** The posting keys of a document title (many passages share one). */
export function titleKeys(lang: Language, title: string): Set<string> {
  return TITLES.get(`${lang}:${title}`, title, (source) => new Set(analyze(source, lang).map((t) => postingKey(lang, t))));
}

/** The runs of `n` consecutive terms, joined by a space. */
export function ngrams(terms: string[], n: number): Set<string> {
  const out = new Set<string>();
  for (let i = n - 1; i < terms.length; i++) out.add(terms.slice(i - n + 1, i + 1).join(' '));
  return out;
}
