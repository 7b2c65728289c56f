/**
 * A question→answer translation table (Berger and Lafferty 1999; Xue, Jeon and Croft 2008): for a question term, the
 * answer terms that tend to stand for it in the answer, each with P(question term | answer term). A forum post
 * says "the screen stays black after the update" where the solution that fixed it says "roll back the display
 * driver": the words differ, and a purely lexical reranker cannot see that the answer answers. The table is learnt
 * from question–answer pairs (translation-fit.ts) and read as extra reranking features (fit-rerank.ts
 * --translation=…). An experiment: on DellQA's development half it moved the cross-validated nDCG@10 by -0.002 to
 * +0.005 (the header of fit-rerank.ts), so production's reranker (src/services/retrieval/rerank.ts) does not read it.
 */
import type { Language } from '../src/services/text/analyzer';
import { passageTerms } from '../src/services/retrieval/passage-terms';
import type { QueryTerms, TermStats } from '../src/services/retrieval/query-terms';
import { weighedKeys, type RerankRow, type WeighedKey } from '../src/services/retrieval/rerank';

export interface TranslationTable {
  /** For each question posting key, the answer posting keys that translate into it and their probabilities. */
  byQuestionKey: Map<string, { keys: string[]; probs: number[] }>;
}

/** A question term as translation reads it: its posting key, weight and rarity (rerank.ts), and its background. */
export interface TranslatedKey extends Pick<WeighedKey, 'key' | 'weight' | 'rarity'> {
  /** P(term) in the tenant's passages, roughly: what the likelihood falls back on when a passage lacks the term. */
  background: number;
}

/** How strongly each component of the translation likelihood is mixed in (Xue et al.'s β and λ). */
const TRANSLATED = 0.5;
const BACKGROUND = 0.2;

/**
 * The features of one passage (TRANSLATION_FEATURES): how much more likely the question is given the passage once
 * the answer's words may stand for the question's (the translation language model's log-likelihood less the plain
 * one, per unit of question weight); the share of the question's rarity that the passage holds only through other
 * words; and the evidence other words give for the question's terms against their background, weighed by the
 * terms' weights and by their rarity.
 */
export function translationFeatures(question: TranslatedKey[], counts: Map<string, number>, length: number, table: TranslationTable): number[] {
  let gain = 0;
  let totalWeight = 0;
  let translated = 0;
  let totalRarity = 0;
  let evidence = 0;
  let rareEvidence = 0;
  const size = Math.max(1, length);
  for (const { key, weight, rarity, background } of question) {
    totalWeight += weight;
    totalRarity += rarity;
    const own = (counts.get(key) ?? 0) / size;
    let through = 0;
    let others = 0;
    let otherMass = 0;
    const row = table.byQuestionKey.get(key);
    if (row) {
      for (let i = 0; i < row.keys.length; i++) {
        const tf = counts.get(row.keys[i]);
        if (!tf) continue;
        through += (row.probs[i] * tf) / size;
        if (row.keys[i] !== key) {
          others += row.probs[i];
          otherMass += (row.probs[i] * tf) / size;
        }
      }
    }
    const plain = (1 - BACKGROUND) * own + BACKGROUND * background;
    const mixed = (1 - BACKGROUND) * ((1 - TRANSLATED) * own + TRANSLATED * through) + BACKGROUND * background;
    gain += weight * (Math.log(mixed) - Math.log(plain));
    if (own === 0) translated += rarity * Math.min(1, others);
    evidence += weight * Math.log1p(otherMass / background);
    rareEvidence += rarity * Math.log1p(otherMass / background);
  }
  return [
    totalWeight > 0 ? gain / totalWeight : 0,
    totalRarity > 0 ? translated / totalRarity : 0,
    totalWeight > 0 ? evidence / totalWeight : 0,
    totalRarity > 0 ? rareEvidence / totalRarity : 0,
  ];
}

export const TRANSLATION_FEATURES = ['translationGain', 'translatedShare', 'translationEvidence', 'rareTranslationEvidence'] as const;

/** The translation features of each row (zeros for rows in another language than the table's). */
export function translationColumns(rows: RerankRow[], terms: QueryTerms, stats: TermStats, table: TranslationTable, rarityPower = 1, lang: Language = 'en'): number[][] {
  const analysed = rows.map(passageTerms);
  const meanLength = Math.max(1, analysed.reduce((s, p) => s + p.terms.length, 0) / Math.max(1, rows.length));
  const question: TranslatedKey[] = weighedKeys(terms, stats, lang, rarityPower).map(({ key, weight, rarity }) => ({
    key,
    weight,
    rarity,
    background: Math.max(stats.df.get(key) ?? 0, 0.5) / Math.max(stats.chunks, 1) / meanLength,
  }));
  return rows.map((r, i) => {
    if (r.lang !== lang) return TRANSLATION_FEATURES.map(() => 0);
    const counts = new Map<string, number>();
    for (const k of analysed[i].keyed) counts.set(k, (counts.get(k) ?? 0) + 1);
    return translationFeatures(question, counts, analysed[i].terms.length, table);
  });
}
