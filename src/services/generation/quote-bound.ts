import type { Passage } from '../retrieval/types';

/**
 * The contract's bound on quoting: an answer may repeat at most `maxChars` characters verbatim from
 * documents in total, and at most `maxSentencesPerDocument` sentences of any one document. A verbatim quote is a
 * run of at least `minRun` characters that the answer shares with a passage (whitespace compared collapsed): shorter
 * shared strings are names, commands and set phrases that any paraphrase repeats.
 */
export interface QuoteLimits {
  maxChars: number;
  maxSentencesPerDocument: number;
  minRun: number;
}

export const QUOTE_LIMITS: QuoteLimits = { maxChars: 500, maxSentencesPerDocument: 3, minRun: 40 };

/** One verbatim run: `[start, end)` in the answer, the document it repeats, and how many sentences it spans. */
export interface QuoteRun {
  start: number;
  end: number;
  documentId: string;
  sentences: number;
}

const SENTENCE_BREAK = /(?<=[.!?…])\s+|\n+/;

/** Sentences a quoted run spans: a fragment of one sentence counts as one. */
export function sentenceCount(text: string): number {
  return text.split(SENTENCE_BREAK).filter((s) => /[\p{L}\p{N}]/u.test(s)).length;
}

/** The answer with whitespace runs collapsed to one space, and where each kept character came from. */
function collapse(text: string): { text: string; origin: number[] } {
  let out = '';
  const origin: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (/\s/.test(text[i])) {
      if (out.endsWith(' ')) continue;
      out += ' ';
    } else out += text[i];
    origin.push(i);
  }
  return { text: out, origin };
}

/**
 * The maximal verbatim runs of `answer` in `passages`, in answer order. Greedy from the left: at each position the
 * longest run found in any passage is taken, and the scan resumes after it.
 */
export function verbatimRuns(answer: string, passages: Passage[], minRun = QUOTE_LIMITS.minRun): QuoteRun[] {
  const a = collapse(answer);
  const sources = passages.map((p) => ({ documentId: p.documentId, text: collapse(p.text).text }));
  // Every minRun-long window of the passages, so that most answer positions are rejected with one lookup.
  const windows = new Map<string, number[]>();
  sources.forEach((s, index) => {
    for (let i = 0; i + minRun <= s.text.length; i++) {
      const key = s.text.slice(i, i + minRun);
      const list = windows.get(key);
      if (!list) windows.set(key, [index]);
      else if (!list.includes(index)) list.push(index);
    }
  });

  const runs: QuoteRun[] = [];
  let i = 0;
  while (i + minRun <= a.text.length) {
    const candidates = windows.get(a.text.slice(i, i + minRun));
    if (!candidates) {
      i++;
      continue;
    }
    let best = { length: 0, source: 0 };
    for (const index of candidates) {
      const text = sources[index].text;
      for (let at = text.indexOf(a.text.slice(i, i + minRun)); at >= 0; at = text.indexOf(a.text.slice(i, i + minRun), at + 1)) {
        let length = minRun;
        while (i + length < a.text.length && at + length < text.length && a.text[i + length] === text[at + length]) length++;
        if (length > best.length) best = { length, source: index };
      }
    }
    const quoted = a.text.slice(i, i + best.length);
    runs.push({
      start: a.origin[i],
      end: a.origin[i + best.length - 1] + 1,
      documentId: sources[best.source].documentId,
      sentences: sentenceCount(quoted),
    });
    i += best.length;
  }
  return runs;
}

/** What an answer quotes: total verbatim characters and sentences per document. */
export function measureQuotes(answer: string, passages: Passage[], limits: QuoteLimits = QUOTE_LIMITS) {
  const runs = verbatimRuns(answer, passages, limits.minRun);
  const sentencesByDocument = new Map<string, number>();
  for (const r of runs) sentencesByDocument.set(r.documentId, (sentencesByDocument.get(r.documentId) ?? 0) + r.sentences);
  return {
    chars: runs.reduce((sum, r) => sum + (r.end - r.start), 0),
    sentencesByDocument,
    runs,
  };
}

/** The first `maxSentences` sentences of a run, then at most `maxChars` of them, cut at a word boundary. */
function keepOf(text: string, maxSentences: number, maxChars: number): string {
  let kept = '';
  let sentences = 0;
  for (const match of text.matchAll(/[^.!?…\n]*(?:[.!?…]+|\n+|$)\s*/gu)) {
    if (match[0].length === 0) break;
    if (/[\p{L}\p{N}]/u.test(match[0]) && ++sentences > maxSentences) break;
    kept += match[0];
  }
  if (kept.length <= maxChars) return kept.trimEnd();
  const cut = kept.slice(0, maxChars);
  const space = cut.lastIndexOf(' ');
  return (space > 0 ? cut.slice(0, space) : '').trimEnd();
}

/**
 * Enforces the bound on an answer written by a model: runs are taken in reading order, and the part of a run beyond
 * the character budget or its document's sentence budget is replaced by "…". The kept part of a cut run is
 * counted, so the answer that comes out is within the bound whatever came in.
 */
export function boundQuotes(answer: string, passages: Passage[], limits: QuoteLimits = QUOTE_LIMITS): string {
  let budget = limits.maxChars;
  const sentencesLeft = new Map<string, number>();
  let out = '';
  let at = 0;
  for (const run of verbatimRuns(answer, passages, limits.minRun)) {
    const text = answer.slice(run.start, run.end);
    const left = sentencesLeft.get(run.documentId) ?? limits.maxSentencesPerDocument;
    const kept = keepOf(text, left, budget);
    out += answer.slice(at, run.start) + kept + (kept.length < text.trimEnd().length ? '…' : '');
    at = run.end;
    budget -= kept.length;
    sentencesLeft.set(run.documentId, left - sentenceCount(kept));
  }
  return out + answer.slice(at);
}
