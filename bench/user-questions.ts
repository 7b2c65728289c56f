/**
 * Questions as users ask them, for the speed bench: the real question texts of DellQA (long forum posts, a median of
 * 78 words), StackFAQ (one-line questions) and the French help-desk set, and their lengths in words, which the
 * synthetic corpus's questions follow. Searches are timed by length bucket, because a question's length is what
 * a search's work grows with (one posting list per distinct term).
 */
import fs from 'node:fs';
import path from 'node:path';
import { FRENCH_QUERIES, seededRandom } from './retrieval-sets';

/** The ask's own bound (AskInput.question: 1..4000 characters): longer posts are refused before any search. */
const MAX_CHARS = 4000;

export interface UserQuestion {
  set: 'dellqa-dev' | 'stackfaq' | 'french';
  text: string;
  words: number;
}

export interface Bucket {
  name: string;
  /** Inclusive bounds, in words. */
  min: number;
  max: number;
}

export const BUCKETS: Bucket[] = [
  { name: '≤ 8 words', min: 1, max: 8 },
  { name: '9–30 words', min: 9, max: 30 },
  { name: '> 30 words', min: 31, max: Number.POSITIVE_INFINITY },
];

export const wordCount = (text: string) => text.split(/\s+/).filter(Boolean).length;

function readQueries(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { query: string }).query);
}

/**
 * Every question of the three sets that an ask accepts. The public sets are read from `evalDir`
 * (the speed bench passes BENCH_EVAL_DIR or its default); a set that is not there is left out, and the caller says so.
 */
export function loadUserQuestions(evalDir: string): { questions: UserQuestion[]; missing: string[] } {
  const questions: UserQuestion[] = [];
  const missing: string[] = [];
  for (const set of ['dellqa-dev', 'stackfaq'] as const) {
    const file = path.join(evalDir, set, 'queries.jsonl');
    if (!fs.existsSync(file)) {
      missing.push(file);
      continue;
    }
    for (const text of readQueries(file)) questions.push({ set, text, words: wordCount(text) });
  }
  for (const q of FRENCH_QUERIES) questions.push({ set: 'french', text: q.query, words: wordCount(q.query) });
  return { questions: questions.filter((q) => q.text.trim().length > 0 && q.text.trim().length <= MAX_CHARS), missing };
}

/**
 * `count` questions of the bucket, drawn without replacement where there are enough (the same ones for a seed), so
 * every bucket is timed on as many searches, whatever its share of the sets.
 */
export function sampleBucket(questions: UserQuestion[], bucket: Bucket, count: number, seed: number): UserQuestion[] {
  const pool = questions.filter((q) => q.words >= bucket.min && q.words <= bucket.max);
  if (pool.length === 0) return [];
  const random = seededRandom(seed);
  const shuffled = [...pool];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return Array.from({ length: count }, (_, i) => shuffled[i % shuffled.length]);
}
