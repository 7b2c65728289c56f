import { analyze, contentTerms, tokenize } from '../text/analyzer';
import { queryTerms } from './query-terms';
import type { Passage } from './types';

/** A past turn of the conversation, oldest first (the shape ChatService and the generators share). */
export interface HistoryTurn {
  role: 'user' | 'assistant';
  content: string;
}

// Openings of a follow-up that leans on what was asked before: "and on a Mac?", "what about Android?", "et sur
// Mac ?", "même chose pour…". Compared on folded tokens.
const FOLLOW_UP_OPENINGS = [
  'and', 'also', 'what about', 'how about', 'same', 'same for', 'but', 'or', 'then', 'otherwise',
  'et', 'et pour', 'et sur', 'et si', 'aussi', 'pareil', 'meme chose', 'mais', 'sinon', 'ou', 'puis',
];
// Words that point back to something named earlier.
// (French articles are left out: "le", "la" open every other question.)
const ANAPHORA = new Set(['it', 'that', 'this', 'there', 'one', 'ca', 'cela', 'celui', 'celle', 'y']);

// A question with this many content terms or more usually names its own subject.
const SELF_CONTAINED_TERMS = 4;
// Characters of the earlier question carried over: its subject, not a whole pasted log.
const MAX_CARRIED_CHARS = 600;

/** True when a question reads as the continuation of an earlier one rather than a new subject. */
export function isFollowUp(question: string): boolean {
  const words = tokenize(question);
  if (words.length === 0) return false;
  const opening = words.slice(0, 2).join(' ');
  if (FOLLOW_UP_OPENINGS.some((o) => opening === o || words[0] === o)) return true;
  const terms = contentTerms(question);
  return terms.length < SELF_CONTAINED_TERMS && (terms.length <= 1 || words.some((w) => ANAPHORA.has(w)));
}

/**
 * The text to search for a question asked in a conversation. A follow-up ("and on a Mac?") names the new detail but
 * not the subject, which is in the user's previous question: the two are searched together, the follow-up first.
 * A question that stands on its own is searched alone, so an earlier topic cannot pull in unrelated documents.
 * Only user turns are used: assistant turns repeat document text and would drown the user's words.
 */
export function retrievalQuery(question: string, history: HistoryTurn[]): string {
  const previous = [...history].reverse().find((t) => t.role === 'user')?.content.trim();
  if (!previous || !isFollowUp(question)) return question;
  return `${question}\n${previous.slice(0, MAX_CARRIED_CHARS)}`;
}

/**
 * The passages a follow-up's search found (the question with the one before it), measured against the question
 * alone: what each covers of the question's own terms. The backend's evidence was computed for the combined text,
 * so it is dropped, and GroundingPolicy then asks the stricter coverage it asks of passages without statistics.
 * A clear new question asked inside a conversation ("Et pour le VPN, que faire en cas d'erreur 502 ?" after a
 * password question) is then judged on its own words, as it would be asked alone: the earlier turn helped find
 * passages but cannot dilute the question until nothing covers it.
 */
export function measuredAlone(question: string, passages: Passage[]): Passage[] {
  const { analyses } = queryTerms(question);
  return passages.map(({ evidence: _combined, ...p }) => {
    const text = `${p.title}\n${p.heading}\n${p.text}`;
    let coverage = 0;
    // The backend measures a chunk in its own language; a passage does not say which, so the better of the two.
    for (const [lang, terms] of analyses) {
      if (terms.length === 0) continue;
      const held = new Set(analyze(text, lang));
      coverage = Math.max(coverage, terms.filter((t) => held.has(t)).length / terms.length);
    }
    return { ...p, coverage };
  });
}
