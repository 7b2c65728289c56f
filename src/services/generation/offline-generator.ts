import { contentTerms, tokenize } from '../text/analyzer';
import type { Passage } from '../retrieval/types';
import { ChunkMemo } from '../text/chunk-memo';
import { noAnswerText, type AnswerLanguage } from './language';
import { citedPassages, truncate } from './prompt';
import { QUOTE_LIMITS } from './quote-bound';
import type { GenerationRequest, GenerationResult, Generator } from './types';

// The contract's bound on what is quoted: the sentences below are the documents' own words.
const MAX_QUOTED_CHARS = QUOTE_LIMITS.maxChars;
const MAX_SENTENCES_PER_DOCUMENT = QUOTE_LIMITS.maxSentencesPerDocument;
const MAX_SENTENCES = 4;
// Shorter fragments are headings or list labels ("Windows", "Step 2"), which read badly out of context.
const MIN_SENTENCE_TOKENS = 3;
const MAX_TITLE_CHARS = 80;

interface Sentence {
  passage: number;
  documentId: string;
  position: number;
  text: string;
  terms: Set<string>;
}

// Sentence ends are punctuation followed by what starts a sentence; requiring a capital, digit or quote next
// keeps "e.g. the" and "v2.1" whole. Line breaks also end a sentence: documents hold lists and step-by-steps.
const SENTENCE_END = /(?<=[.!?…])\s+(?=[\p{Lu}\d«"“(])/u;
const LIST_MARKER = /^\s*(?:[-*•·–]|\d{1,2}[.)])\s+/;
// A document's own footnote markers would be mistaken for our citations.
const BRACKETED_NUMBER = /\s*\[\d+(?:\s*,\s*\d+)*\]/g;

// A passage's sentences depend on its text alone; popular chunks are split and analysed once.
const SPLIT = new ChunkMemo<{ text: string; terms: Set<string> }[]>();

function splitSentences(passageText: string): { text: string; terms: Set<string> }[] {
  const sentences = [];
  for (const line of passageText.split(/\n+/)) {
    for (const raw of line.replace(LIST_MARKER, '').split(SENTENCE_END)) {
      const text = raw.replace(BRACKETED_NUMBER, '').replace(/\s+/g, ' ').trim();
      if (tokenize(text).length < MIN_SENTENCE_TOKENS) continue;
      // Analysed in both languages, as the analyzer's coverage does: a sentence's language is not guessed, so a
      // short one is not stemmed with the wrong stemmer and missed.
      sentences.push({ text, terms: new Set([...contentTerms(text, 'en'), ...contentTerms(text, 'fr')]) });
    }
  }
  return sentences;
}

function sentencesOf(passage: Passage, index: number): Sentence[] {
  return SPLIT.get(passage.chunkId, passage.text, splitSentences).map((s, position) => ({
    passage: index,
    documentId: passage.documentId,
    position,
    ...s,
  }));
}

/** "Click OK" + 1 → "Click OK [1]." : the marker sits inside the sentence, before its final punctuation. */
function withMarker(text: string, passage: number): string {
  // "…" stays with the words: it marks a cut sentence, which "cut… [1]" shows better than "cut [1]…".
  const match = /^(.*?)([.!?:;]*)$/su.exec(text);
  const body = match ? match[1] : text;
  const end = match && match[2] ? match[2] : '.';
  return `${body} [${passage + 1}]${end}`;
}

function titleOf(passage: Passage): string {
  return truncate(passage.title || passage.heading || '?', MAX_TITLE_CHARS);
}

function endSentence(text: string): string {
  return /[.!?…:;]$/.test(text) ? text : `${text}.`;
}

function quoteTitles(titles: string[], language: AnswerLanguage): string {
  const quoted = titles.map((t) => (language === 'fr' ? `« ${t} »` : `“${t}”`));
  if (quoted.length === 1) return quoted[0];
  const and = language === 'fr' ? 'et' : 'and';
  return `${quoted.slice(0, -1).join(', ')} ${and} ${quoted[quoted.length - 1]}`;
}

/** The framing sentence, in the question's language: where the quoted sentences come from. */
function intro(titles: string[], language: AnswerLanguage): string {
  if (language === 'fr') {
    return titles.length === 1
      ? `Voici ce qu'indique la documentation ${quoteTitles(titles, language)} à ce sujet :`
      : `Voici ce qu'indiquent les documents ${quoteTitles(titles, language)} à ce sujet :`;
  }
  return titles.length === 1
    ? `Here is what the documentation ${quoteTitles(titles, language)} says about this:`
    : `Here is what the documents ${quoteTitles(titles, language)} say about this:`;
}

/**
 * The answerer used when no API key is configured: it composes a short answer from the passages' own sentences,
 * so every statement is one the documentation makes, with [n] markers saying which passage each comes from.
 *
 * Sentences are chosen greedily by how many of the question's still-uncovered content terms they add, so a
 * two-part question gets a sentence for each part rather than two sentences about the first. The sentences around
 * a chosen one in its passage then fill any room left: in a procedure, the steps next to the one that matches the
 * question's words are usually the rest of the answer.
 */
export class OfflineGenerator implements Generator {
  readonly model = 'offline-extractive';

  async generate(request: GenerationRequest, onDelta?: (text: string) => void): Promise<GenerationResult> {
    const { question, passages, language } = request;
    const selected = this.select(question, passages, language);
    if (selected.length === 0) {
      // Same as ClaudeGenerator: nothing was generated, so nothing is counted.
      const answer = noAnswerText(language);
      onDelta?.(answer);
      return { answer, model: this.model, inputTokens: 0, outputTokens: 0, cited: [] };
    }

    const titles = [...new Set(selected.map((s) => titleOf(passages[s.passage])))];
    const pieces = [intro(titles, language)];
    selected.forEach((sentence, i) => {
      // One marker per run of sentences from the same passage, at the end of the run, reads less cluttered.
      const next = selected[i + 1];
      const text =
        next && next.passage === sentence.passage ? endSentence(sentence.text) : withMarker(sentence.text, sentence.passage);
      pieces.push(` ${text}`);
    });
    const answer = pieces.join('');
    for (const piece of pieces) onDelta?.(piece);

    // There is no tokenizer offline; about four characters per token is the usual estimate for English and
    // French prose. The counts only have to be honest in scale, since usage records and reports show them.
    const read = question.length + passages.reduce((sum, p) => sum + p.text.length, 0);
    return {
      answer,
      model: this.model,
      inputTokens: Math.ceil(read / 4),
      outputTokens: Math.ceil(answer.length / 4),
      cited: citedPassages(answer, passages.length),
    };
  }

  async ping(): Promise<void> {}

  /**
   * The sentences of the answer, in reading order (by passage rank, then by position in the passage), within the
   * quoting bound: at most MAX_QUOTED_CHARS quoted characters in all and MAX_SENTENCES_PER_DOCUMENT sentences of
   * any one document, so no document, however short, is ever reproduced beyond that.
   */
  private select(question: string, passages: Passage[], language: AnswerLanguage): Sentence[] {
    // A loop rather than flatMap, which was most of the cost of choosing the answer's sentences (V8's flatMap is generic).
    const candidates: Sentence[] = [];
    passages.forEach((p, i) => candidates.push(...sentencesOf(p, i)));
    if (candidates.length === 0) return [];
    const wanted = new Set(contentTerms(question, language));
    // A question term found in few candidate sentences says more about which sentence answers than one found in all.
    const weight = new Map<string, number>();
    for (const t of wanted) {
      const df = candidates.filter((c) => c.terms.has(t)).length;
      weight.set(t, Math.log(1 + candidates.length / Math.max(1, df)));
    }
    let room = MAX_QUOTED_CHARS;
    const perDocument = new Map<string, number>();
    const chosen: Sentence[] = [];
    const isChosen = (c: Sentence) => chosen.some((x) => x.passage === c.passage && x.position === c.position);
    const take = (s: Sentence): boolean => {
      // The separating space joins two adjacent sentences into one quoted run, so it counts too.
      const cost = s.text.length + 1;
      if (cost > room || (perDocument.get(s.documentId) ?? 0) >= MAX_SENTENCES_PER_DOCUMENT) return false;
      chosen.push(s);
      perDocument.set(s.documentId, (perDocument.get(s.documentId) ?? 0) + 1);
      room -= cost;
      return true;
    };
    // Too long for the room left: the sentence is cut to size rather than giving no answer ("…" is not quoted).
    const takeCut = (s: Sentence) => room > 40 && take({ ...s, text: truncate(s.text, room - 1).replace(/…$/, '') + '…' });

    const uncovered = new Set(wanted);
    const gain = (s: Sentence, terms: Set<string>) => {
      let sum = 0;
      for (const t of terms) if (s.terms.has(t)) sum += weight.get(t)!;
      return sum;
    };
    while (chosen.length < MAX_SENTENCES && uncovered.size > 0) {
      let best: Sentence | undefined;
      // The best one's gain is kept rather than computed again for every comparison.
      let bestGain = 0;
      for (const s of candidates) {
        if (isChosen(s)) continue;
        const g = gain(s, uncovered);
        if (g === 0 || (perDocument.get(s.documentId) ?? 0) >= MAX_SENTENCES_PER_DOCUMENT) continue;
        // Ties go to the sentence matching more of the question overall, then to the better passage and the
        // earlier sentence (candidates are already in that order, so a strict ">" keeps the first).
        if (!best || g > bestGain || (g === bestGain && gain(s, wanted) > gain(best, wanted))) {
          best = s;
          bestGain = g;
        }
      }
      if (!best) break;
      for (const t of best.terms) uncovered.delete(t);
      if (!take(best) && chosen.length === 0) takeCut(best);
    }

    // The passage matched as a whole (its title, or terms spread over sentences): its opening sentence.
    if (chosen.length === 0 && !take(candidates[0])) takeCut(candidates[0]);

    // Neighbours of the chosen sentences fill the room left, nearest first and the following one before the
    // preceding one: a matching step's context is the steps around it, usually the next.
    const picked = [...chosen];
    for (let distance = 1; distance < MAX_SENTENCES && chosen.length < MAX_SENTENCES; distance++) {
      for (const s of picked) {
        for (const position of [s.position + distance, s.position - distance]) {
          const neighbour = candidates.find((c) => c.passage === s.passage && c.position === position);
          if (neighbour && chosen.length < MAX_SENTENCES && !isChosen(neighbour)) take(neighbour);
        }
      }
    }

    return chosen.sort((a, b) => a.passage - b.passage || a.position - b.position);
  }
}
