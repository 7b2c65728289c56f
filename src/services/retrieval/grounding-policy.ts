import { contentTerms } from '../text/analyzer';
import { coreText } from './query-terms';
import type { Passage } from './types';

export interface GroundingOptions {
  /** Least share of the question's content terms one passage (with its title) must contain to support it. */
  minCoverage: number;
  /** Least number of the question's content terms that passage must contain, when the question has that many. */
  minMatchedTerms: number;
  /** A passage scoring below this fraction of the best score is too weak to cite beside it. */
  minRelativeScore: number;
  /** How many supporting passages are handed on to the generator. */
  maxPassages: number;
}

/**
 * Calibrated with bench/retrieval.eval.ts on StackFAQ (1,249 paraphrased questions, typically 4 to 9 content terms)
 * and 30 off-topic questions in French and English. With these values 92% of StackFAQ questions are grounded and
 * 27 of the 30 off-topic ones are refused. Lowering minCoverage to 0.4 grounds 98% and refuses the same 27, but
 * then two shared words out of five suffice, which is thin evidence for a support answer; 0.6 refuses the same
 * off-topic questions and grounds only 72%. The three that pass share three everyday words with a thread ("open",
 * "save", "account" for a question about a bank): lexical evidence cannot tell those apart.
 */
export const DEFAULT_GROUNDING: GroundingOptions = {
  minCoverage: 0.5,
  minMatchedTerms: 2,
  minRelativeScore: 0.5,
  maxPassages: 4,
};

export interface GroundingDecision {
  grounded: boolean;
  /** The passages that support the question, best first; empty when not grounded. */
  passages: Passage[];
}

/**
 * Decides whether retrieved passages support a question well enough to answer from them, and which to cite.
 *
 * A lexical backend always returns *something* as long as one word of the question occurs in the corpus, so the
 * ranking alone says nothing about whether the answer is there. Evidence is judged on three measures that mean
 * the same for every backend: how much of the question a passage covers (the analyzer's coverage, which already
 * folds accents, stems and ignores function words), how many distinct question terms that is in absolute terms
 * (one shared word in a long question proves nothing), and the passage's score relative to the best one (a
 * passage far behind the leader is retrieved noise, even if it covers some words).
 */
export class GroundingPolicy {
  constructor(private readonly options: GroundingOptions = DEFAULT_GROUNDING) {}

  select(question: string, passages: Passage[]): GroundingDecision {
    // Greetings, thanks and the story around a long question are not what the passage has to cover.
    const termCount = contentTerms(coreText(question)).length;
    if (termCount === 0 || passages.length === 0) return { grounded: false, passages: [] };

    const { minCoverage, minMatchedTerms, minRelativeScore, maxPassages } = this.options;
    const needed = Math.min(minMatchedTerms, termCount);
    const best = Math.max(...passages.map((p) => p.score));
    const supporting = passages
      .filter((p) => p.coverage >= minCoverage)
      // Coverage is a share; rounding guards against 2/3 * 3 landing just under 2.
      .filter((p) => Math.round(p.coverage * termCount) >= needed)
      .filter((p) => best <= 0 || p.score >= minRelativeScore * best)
      .sort((a, b) => b.score - a.score)
      .slice(0, maxPassages);
    return { grounded: supporting.length > 0, passages: supporting };
  }
}
