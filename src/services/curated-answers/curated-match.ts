import { BadInput } from '../../errors';
import { contentTerms } from '../text/analyzer';

/** What the matcher needs of a curated answer: the phrasings it was approved for. */
export interface Phrased {
  questions: string[];
}

export interface MatchRule {
  /** Least likeness (0..1) of the question to a curated answer. */
  threshold: number;
  /** Least lead of that answer's likeness over the next best answer's. */
  margin: number;
}

/**
 * Measured with bench/curated.eval.ts (npm run eval:curated): every StackFAQ thread curated under its first three
 * phrasings, the other 874 phrasings held out, and the 30 off-topic questions. Threshold alone, with no false match:
 * 0.90 (4.8% of held-out phrasings matched); StackFAQ threads overlap (five of them about Gmail's archive), and a
 * phrasing of one often shares its rare words with another. Requiring a lead over the next answer removes those:
 * with margin 0.3, threshold 0.75 makes no false match on either set and matches 18.8% of held-out phrasings
 * (0.70: 24.0%, 0.60: 30.1%); margin 0.2 let 4 wrong threads through. The threshold stays high for tenants whose
 * answers do not cover what is asked: with each phrasing's own thread left out of the tenant, 1 of the 874 matches
 * another thread at 0.75 (6 at 0.70, 11 at 0.60). With fewer phrasings per answer the rule is weaker: curated under
 * two phrasings, 4 of 999 held-out phrasings matched another thread (Gmail's archive threads again; none below 0.90
 * threshold), 12.7% their own; under five, none of 624 another, 33.0% their own. More phrasings per answer is
 * what raises the true matches.
 */
export const CURATED_RULE: MatchRule = { threshold: 0.75, margin: 0.3 };

/** How many questions' results one matcher keeps (see CuratedMatcher.match). */
const MAX_MATCHED = 10_000;

/**
 * Finds the curated answer a question asks for, if any. A curated answer is returned verbatim, so a wrong match is
 * worse than none: the rule is set for no false match on the evaluation sets, at the price of paraphrases that share
 * too few words with any approved phrasing.
 *
 * Likeness of a question to an answer, over content terms (the analyzer's folded stems, without function words):
 * half the share of the question's terms that some phrasing of the answer uses, plus half the share of its closest
 * phrasing's terms that the question uses. Shares are of weights: a term weighs its rarity among the answers (idf),
 * so the words many curated questions share ("password", "reset") count less than the one that tells them apart
 * ("VPN", "Mac"), and a term no phrasing uses weighs as much as the rarest, so a question about something else
 * cannot match on a few common words.
 */
export class CuratedMatcher<T extends Phrased> {
  private readonly entries: { entry: T; terms: Set<string>; phrasings: string[][] }[] = [];
  private readonly df = new Map<string, number>();
  /** The entries using each term: only those can be alike to a question at all. */
  private readonly byTerm = new Map<string, number[]>();
  /**
   * Questions already matched, with their answer or null. A matcher is one version of a tenant's answers, so its
   * results never go stale; unansweredQuestions asks again for the same listed questions on every call.
   */
  private readonly matched = new Map<string, T | null>();

  constructor(
    entries: readonly T[],
    private readonly rule: MatchRule = CURATED_RULE,
  ) {
    for (const entry of entries) {
      const phrasings = entry.questions.map((q) => contentTerms(q)).filter((terms) => terms.length > 0);
      if (phrasings.length === 0) continue;
      const terms = new Set(phrasings.flat());
      for (const t of terms) {
        this.df.set(t, (this.df.get(t) ?? 0) + 1);
        const users = this.byTerm.get(t);
        if (users) users.push(this.entries.length);
        else this.byTerm.set(t, [this.entries.length]);
      }
      this.entries.push({ entry, terms, phrasings });
    }
  }

  /**
   * The likeness to the question of every answer sharing a term with it, best first; the others' is 0, and leaving
   * them out changes no decision (an absent runner-up counts as 0). unansweredQuestions matches every listed question
   * on each call, so a question is compared only with the answers that share its words.
   */
  rank(question: string): { entry: T; score: number }[] {
    const asked = new Set(contentTerms(question));
    if (asked.size === 0 || this.entries.length === 0) return [];
    let askedWeight = 0;
    const candidates = new Set<number>();
    for (const t of asked) {
      askedWeight += this.weight(t);
      for (const i of this.byTerm.get(t) ?? []) candidates.add(i);
    }
    const ranked = [...candidates].map((i) => {
      const { entry, terms, phrasings } = this.entries[i];
      let covered = 0;
      for (const t of asked) if (terms.has(t)) covered += this.weight(t);
      let closest = 0;
      for (const phrasing of phrasings) {
        let used = 0;
        let total = 0;
        for (const t of phrasing) {
          const w = this.weight(t);
          total += w;
          if (asked.has(t)) used += w;
        }
        closest = Math.max(closest, used / total);
      }
      return { entry, score: (covered / askedWeight + closest) / 2 };
    });
    return ranked.sort((a, b) => b.score - a.score);
  }

  /** The curated answer the question asks for, or null when none is alike enough, or when two are. */
  match(question: string): T | null {
    let found = this.matched.get(question);
    if (found !== undefined) return found;
    const [best, next] = this.rank(question);
    found = best && best.score >= this.rule.threshold && best.score - (next?.score ?? 0) >= this.rule.margin ? best.entry : null;
    // Bounded: a tenant asked endless distinct questions starts again rather than growing without end.
    if (this.matched.size >= MAX_MATCHED) this.matched.clear();
    this.matched.set(question, found);
    return found;
  }

  private weight(term: string): number {
    // A term no answer uses weighs as one used by a single answer: as telling as any can be.
    return Math.log(1 + this.entries.length / Math.max(this.df.get(term) ?? 0, 1));
  }
}

/**
 * Which curated answer of a tenant holds each phrasing, as the matcher compares phrasings (their content terms, so
 * "Install GlobalProtect" and "install globalprotect?" are one). Two answers holding the same phrasing tie on it,
 * and the rule's lead over the next answer then gives neither: a second holder is refused instead of silently
 * turning both off, which "Answer this" on an unanswered question that stays listed would otherwise invite.
 */
export class PhrasingOwners {
  private readonly owners = new Map<string, string>();

  constructor(answers: readonly { id: string; questions: string[] }[]) {
    for (const answer of answers) this.take(answer.id, answer.questions);
  }

  /** Refuses (BAD_USER_INPUT) a phrasing another answer than `id` (none: a new answer) already holds. */
  check(id: string | null, questions: readonly string[]): void {
    for (const question of questions) {
      const owner = this.owners.get(phrasingKey(question));
      if (owner && owner !== id) {
        throw BadInput(`“${question}” is already a phrasing of another curated answer: add to or edit that one instead.`, 'questions', { phrasing: question });
      }
    }
  }

  /** Records `questions` as answer `id`'s phrasings, in place of those it held before. */
  take(id: string, questions: readonly string[]): void {
    for (const [key, owner] of this.owners) if (owner === id) this.owners.delete(key);
    for (const question of questions) {
      const key = phrasingKey(question);
      // A phrasing of no content terms (a lone number, a formula) matches no ask, so it collides with nothing.
      if (key) this.owners.set(key, id);
    }
  }
}

function phrasingKey(question: string): string {
  return contentTerms(question).sort().join(' ');
}
