/**
 * Fits and measures the term-necessity experiment (bench/term-necessity.ts) on DellQA's development half, with
 * 2-fold cross-validation: coefficients (a ridge logistic regression: does the relevant document hold this
 * question term?) and lambda are fitted on the odd-numbered questions and measured on the even ones,
 * then the other way round; the two held-out halves give the cross-validated nDCG@10 that decides. The model written
 * out at the end is fitted on all the development questions the same way.
 *
 *   npx esbuild bench/fit-term-necessity.ts --bundle --platform=node --packages=external --outfile=dist/lab/fit.js && node dist/lab/fit.js
 * Options: --out=FILE writes the final model as JSON; the lab's flags (bench/retrieval-lab.ts) set the ranking.
 */
import { writeFileSync } from 'node:fs';
import { queryTerms, type QueryTerms } from '../src/services/retrieval/query-terms';
import { TERM_FEATURES, termFeatures, weighByNecessity, type TermNecessityModel } from './term-necessity';
import { detectLanguage } from '../src/services/text/analyzer';
import { fitLogistic, type Example } from './logistic';
import { arg, baseParams, inFold, loadSets, mean, ndcgAt10, rankDocs, withCi, type LabParams, type LabSet, type MemIndex } from './retrieval-lab';

const LAMBDAS = (arg('lambdas') ?? '0.25,0.5,1').split(',').map(Number);
const MIN_TERMS = (arg('minterms') ?? '0').split(',').map(Number);

function statsOf(index: MemIndex): { df: Map<string, number>; chunks: number } {
  return { df: index.df, chunks: index.chunks.length };
}

/** One example per question term of the question's own language that the tenant's chunks hold. */
function examples(set: LabSet, picked: (i: number) => boolean, params: LabParams): Example[] {
  const out: Example[] = [];
  const stats = statsOf(set.index);
  set.queries.forEach((q, i) => {
    if (!picked(i)) return;
    const lang = detectLanguage(q.query);
    const held = set.index.docTerms.get(q.relevant) ?? new Set<string>();
    for (const [key, x] of termFeatures(q.query, params.query, stats)) {
      if (!key.startsWith(`${lang}:`) || !stats.df.get(key)) continue;
      out.push({ x, y: held.has(key) ? 1 : 0 });
    }
  });
  return out;
}

export function withModel(params: LabParams, model: TermNecessityModel): LabParams {
  return {
    ...params,
    reweight: (terms: QueryTerms, index: MemIndex, query: string) => weighByNecessity(terms, query, params.query, statsOf(index), model),
  };
}

function ndcgs(set: LabSet, picked: (i: number) => boolean, params: LabParams): number[] {
  return set.queries.flatMap((q, i) => (picked(i) ? [ndcgAt10(rankDocs(set.index, q.query, params), q.relevant)] : []));
}

/** Coefficients, then the lambda and the length gate that do best on the same questions. */
function fit(set: LabSet, picked: (i: number) => boolean, params: LabParams): TermNecessityModel {
  const coefficients = fitLogistic(examples(set, picked, params));
  let best: TermNecessityModel = { coefficients, lambda: 0, minTerms: 0 };
  let bestScore = mean(ndcgs(set, picked, params));
  for (const lambda of LAMBDAS) {
    for (const minTerms of MIN_TERMS) {
      const model = { coefficients, lambda, minTerms };
      const score = mean(ndcgs(set, picked, withModel(params, model)));
      console.log(`    lambda ${lambda} minTerms ${minTerms}: ${score.toFixed(3)}`);
      if (score > bestScore) [best, bestScore] = [model, score];
    }
  }
  return best;
}

function main(): void {
  const [dell] = loadSets();
  // Measured on BM25 and proximity's order, without reranking.
  const params: LabParams = { ...baseParams(), rerank: null };
  const heldOut: number[] = new Array(dell.queries.length);
  for (const [train, test] of [['odd', 'even'], ['even', 'odd']] as const) {
    const model = fit(dell, (i) => inFold(train, i), params);
    console.log(`fitted on ${train}: ${JSON.stringify({ ...model, coefficients: model.coefficients.map((c) => +c.toFixed(3)) })}`);
    dell.queries.forEach((q, i) => {
      if (inFold(test, i)) heldOut[i] = ndcgAt10(rankDocs(dell.index, q.query, withModel(params, model)), q.relevant);
    });
    console.log(`  on ${test}: ${mean(heldOut.filter((_, i) => inFold(test, i))).toFixed(3)} (without: ${mean(ndcgs(dell, (i) => inFold(test, i), params)).toFixed(3)})`);
  }
  console.log(`cross-validated nDCG@10 on DellQA dev: ${withCi(heldOut)}`);
  if (arg('final') === '0') return;
  const final = fit(dell, () => true, params);
  console.log(`final model (all questions): ${JSON.stringify(final)}`);
  console.log(TERM_FEATURES.map((f, i) => `${f} ${final.coefficients[i].toFixed(3)}`).join(', '));
  const out = arg('out');
  if (out) writeFileSync(out, `${JSON.stringify({ features: TERM_FEATURES, ...final }, null, 2)}\n`);
}

main();
