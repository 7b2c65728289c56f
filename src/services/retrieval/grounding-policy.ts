import { contentTerms } from '../text/analyzer';
import { coreText } from './query-terms';
import type { Passage } from './types';

export interface GroundingOptions {
  /** Least share of the question's content terms one passage (with its title) must contain to support it. */
  minCoverage: number;
  /**
   * The same, for a passage whose chance matches cannot be told: without term statistics (Passage.evidence), or
   * from a tenant with fewer than `minChunksForEvidence` chunks.
   */
  minCoverageWithoutEvidence: number;
  /** Chunks a tenant needs before document frequencies say which words are common in it. */
  minChunksForEvidence: number;
  /** Least number of the question's content terms that passage must contain, when the question has that many. */
  minMatchedTerms: number;
  /**
   * When the question holds a term the tenant's documents never use, the terms a passage shares with it must be
   * expected by chance in fewer than this many chunks (Passage.evidence.chance).
   */
  maxChance: number;
  /** A passage scoring below this fraction of the best score is too weak to cite beside it. */
  minRelativeScore: number;
  /** How many supporting passages are handed on to the generator. */
  maxPassages: number;
}

/**
 * Calibrated with bench/retrieval.eval.ts on StackFAQ (1,249 paraphrased questions, typically 4 to 9 content terms),
 * the French help-desk set, and 30 off-topic questions in French and English.
 *
 * Coverage alone (0.5) grounded 92% of StackFAQ and refused 27 of the 30 off-topic questions; the three that passed
 * ("the best way to learn to play the guitar", "open a savings account at my bank", "when does the post office
 * close on Saturday") share three everyday words with a thread ("best", "way", "play"; "open", "save", "account";
 * "time", "office", "close") and miss the one word that says what they are about, a word no document of the tenant
 * uses ("guitar", "bank", "saturday"). Shares of words, weighted by idf or not, cannot tell them from paraphrases,
 * which also miss words. What does: a question naming something the documents never mention needs more than a
 * chance meeting of common words. The words the passage shares with it must be rare together: with each word's
 * share of chunks taken as independent, fewer than maxChance chunks would hold them all (guitar 0.65, bank 2.1, post
 * office 0.40 expected chunks). That let coverage go down to 0.4. Chosen on every second StackFAQ question (from
 * the first) and the 138 French ones (grounded, coverage 0.5 alone → this policy; in brackets, those citing the
 * relevant document): StackFAQ 91.2% → 93.1% (492 → 509 of 625), padded 90.1% → 92.2%, long 79.2% → 85.8%; French
 * 66.7% → 71.0% (71 → 76 of 138), padded 57.2% → 62.3%, long 24.6% → 29.0%; off-topic refused 27/30 → 30/30 on the
 * StackFAQ tenant, 30/30 → 30/30 on the French one. Confirmed on the other StackFAQ questions: 93.3% → 94.6%
 * (504 → 522 of 624), padded 91.7% → 93.1%, long 80.3% → 87.5%. maxChance 0.2 grounded fewer French questions
 * (63.8%), 1 let the guitar and the post office through. A
 * backend without term statistics (Weaviate) keeps coverage 0.5, and so does a tenant of a handful of documents:
 * in a few chunks any two of its words meet "by chance" (with the rule, the tests' five-document tenants refused
 * "How do I connect to the VPN from home?", "home" being in none of their documents).
 */
export const DEFAULT_GROUNDING: GroundingOptions = {
  minCoverage: 0.4,
  minCoverageWithoutEvidence: 0.5,
  minChunksForEvidence: 50,
  minMatchedTerms: 2,
  maxChance: 0.3,
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
 * passage far behind the leader is retrieved noise, even if it covers some words). Where the backend gives term
 * statistics, a question naming something the documents never use must also share words that are rare together.
 */
export class GroundingPolicy {
  constructor(private readonly options: GroundingOptions = DEFAULT_GROUNDING) {}

  select(question: string, passages: Passage[]): GroundingDecision {
    // Greetings, thanks and the story around a long question are not what the passage has to cover.
    const termCount = contentTerms(coreText(question)).length;
    if (termCount === 0 || passages.length === 0) return { grounded: false, passages: [] };

    const { minMatchedTerms, minRelativeScore, maxPassages } = this.options;
    const needed = Math.min(minMatchedTerms, termCount);
    const best = Math.max(...passages.map((p) => p.score));
    const supporting = passages
      .filter((p) => this.strongEnough(p))
      // Coverage is a share; rounding guards against 2/3 * 3 landing just under 2.
      .filter((p) => Math.round(p.coverage * termCount) >= needed)
      .filter((p) => best <= 0 || p.score >= minRelativeScore * best)
      .sort((a, b) => b.score - a.score)
      .slice(0, maxPassages);
    return { grounded: supporting.length > 0, passages: supporting };
  }

  private strongEnough(p: Passage): boolean {
    const { minCoverage, minCoverageWithoutEvidence, minChunksForEvidence, maxChance } = this.options;
    const e = p.evidence;
    if (!e) return p.coverage >= minCoverageWithoutEvidence;
    if (e.unknownTerms === 0 || !('chance' in e)) return p.coverage >= minCoverage;
    if (e.chunks < minChunksForEvidence) return p.coverage >= minCoverageWithoutEvidence;
    return p.coverage >= minCoverage && e.chance < maxChance;
  }
}
