/**
 * Fits the reranking model of long questions (src/services/retrieval/rerank.ts) on DellQA's development half, with
 * 2-fold cross-validation: a ridge logistic regression (is this passage from the relevant document?) over the
 * features of the passages BM25 and proximity rank first, fitted on the odd-numbered questions and measured on the
 * even ones, then the other way round. The two held-out halves give the cross-validated nDCG@10 that decides; the
 * model written to src/services/retrieval/rerank-model.ts (--write=1) is then fitted on all the development questions.
 * The other sets (StackFAQ, French, plain, padded and long) are measured with that model, as a check.
 *
 *   npx esbuild bench/fit-rerank.ts --bundle --platform=node --packages=external --outfile=dist/lab/fit-rerank.js && node dist/lab/fit-rerank.js
 * Options: --ridge= (default 1), --depth= passages reranked (default 50), --minterms= the length gate (default 12),
 * --write=1, --folds=FILE writes the model fitted on each fold under the name of the fold it is to be measured on
 * (bench/retrieval.eval.ts --rerankmodel=FILE --fold=odd|even), and the lab's ranking flags (bench/retrieval-lab.ts).
 */
import { writeFileSync } from 'node:fs';
import { queryTerms } from '../src/services/retrieval/query-terms';
import { RERANK_FEATURES, rerankFeatures, type RerankModel } from '../src/services/retrieval/rerank';
import { withProximity } from '../src/services/retrieval/pg-retriever';
import { fitLogistic } from './logistic';
import { arg, baseParams, inFold, loadSets, mean, ndcgAt10, num, rankDocs, withCi, type LabParams, type LabSet } from './retrieval-lab';

const depth = num('depth', 50);
const minTerms = num('minterms', 12);

/** Every passage BM25 and proximity rank first for each picked question, with its features and label. */
function examples(set: LabSet, picked: (i: number) => boolean, params: LabParams): { x: number[]; y: number }[] {
  const out: { x: number[]; y: number }[] = [];
  set.queries.forEach((q, i) => {
    if (!picked(i)) return;
    const terms = queryTerms(q.query, params.query);
    if (terms.keys.length === 0) return;
    const rows = withProximity(
      set.index.search(terms.keys, terms.weights, params.bm25, depth).map(({ i: c, score }) => {
        const chunk = set.index.chunks[c];
        return { id: chunk.id, document_id: chunk.docId, heading: chunk.heading, text: chunk.text, lang: chunk.lang, title: chunk.title, score } as never;
      }),
      terms,
      params.proximity,
    ) as unknown as { document_id: string; id: string; lang: 'en' | 'fr'; title: string; heading: string; text: string; score: number }[];
    rerankFeatures(q.query, rows, terms, set.index.stats()).forEach((x, r) => out.push({ x, y: rows[r].document_id === q.relevant ? 1 : 0 }));
  });
  return out;
}

function fit(set: LabSet, picked: (i: number) => boolean, params: LabParams): RerankModel {
  return { coefficients: fitLogistic(examples(set, picked, params), num('ridge', 1)), minTerms, depth };
}

function main(): void {
  const sets = loadSets();
  const dell = sets.find((s) => s.name === 'dellqa')!;
  // The model is fitted on BM25 and proximity's order, never on a previous model's.
  const params: LabParams = { ...baseParams(), rerank: null };
  const before = dell.queries.map((q) => ndcgAt10(rankDocs(dell.index, q.query, params), q.relevant));
  const heldOut: number[] = new Array(dell.queries.length);
  // Each fold's model, for the eval to measure on the other fold through PostgreSQL (--rerankmodel= --fold=).
  const folds: Record<string, RerankModel> = {};
  for (const [train, test] of [['odd', 'even'], ['even', 'odd']] as const) {
    const model = fit(dell, (i) => inFold(train, i), params);
    folds[test] = model;
    console.log(`fitted on ${train}: ${model.coefficients.map((c) => c.toFixed(2)).join(' ')}`);
    dell.queries.forEach((q, i) => {
      if (inFold(test, i)) heldOut[i] = ndcgAt10(rankDocs(dell.index, q.query, { ...params, rerank: model }), q.relevant);
    });
    const pick = (xs: number[]) => mean(xs.filter((_, i) => inFold(test, i))).toFixed(3);
    console.log(`  on ${test}: ${pick(before)} → ${pick(heldOut)}`);
  }
  if (arg('folds')) writeFileSync(arg('folds')!, `${JSON.stringify(folds)}\n`);
  console.log(`DellQA dev nDCG@10, BM25 and proximity: ${withCi(before)}; reranked, cross-validated: ${withCi(heldOut)}`);
  const final = fit(dell, () => true, params);
  console.log(`model fitted on every question: ${RERANK_FEATURES.map((f, i) => `${f} ${final.coefficients[i].toFixed(3)}`).join(', ')}`);
  for (const set of sets.filter((s) => s !== dell)) {
    const a = set.queries.map((q) => ndcgAt10(rankDocs(set.index, q.query, params), q.relevant));
    const b = set.queries.map((q) => ndcgAt10(rankDocs(set.index, q.query, { ...params, rerank: final }), q.relevant));
    console.log(`${set.name.padEnd(16)} ${withCi(a)} → ${withCi(b)}`);
  }
  if (arg('write') === '1') {
    const coefficients = final.coefficients.map((c) => Number(c.toFixed(4)));
    writeFileSync(
      'src/services/retrieval/rerank-model.ts',
      `import type { RerankModel } from './rerank';\n\n` +
        `/*\n * Generated by bench/fit-rerank.ts (do not edit by hand; refit with it): a ridge logistic regression (ridge ${num('ridge', 1)}) over\n` +
        ` * the features of rerank.ts, fitted on every question of DellQA's development half, the ${depth} passages BM25 and\n` +
        ` * proximity rank first for each. Cross-validated nDCG@10 (fitted on one half, measured on the other): ${withCi(before)} →\n` +
        ` * ${withCi(heldOut)}.\n */\n` +
        `export const RERANK_MODEL: RerankModel = {\n  // ${RERANK_FEATURES.join(', ')}\n  coefficients: [${coefficients.join(', ')}],\n  minTerms: ${minTerms},\n  depth: ${depth},\n};\n`,
    );
  }
}

main();
