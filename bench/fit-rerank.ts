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
 * (bench/retrieval.eval.ts --rerankmodel=FILE --fold=odd|even), --final=0 stops after the cross-validated figure,
 * --drop=name,… leaves features out, --raritypower= (RerankModel.rarityPower, default 1), and the lab's ranking flags
 * (bench/retrieval-lab.ts).
 *
 * The translation experiment (bench/translation.ts), measured in the lab only: --translation=model1|pmi adds the
 * features of a question→answer translation table, fitted inside each fold on its question–answer pairs
 * (--tsource=docs: associations of terms within the documents instead, no pairs); --tmincount= --tmaxshare=
 * --tminprob= --tmaxper= --titer= --tnull= --tminpairs= (translation-fit.ts). Figures of 2026-12-07 in the lab,
 * cross-validated DellQA nDCG@10 at depth 20 against 0.378 without: Model 1 on stems held by 2 pairs or more 0.380
 * (20 iterations, 3 pairs: 0.380; empty-word weight 0.2: 0.381), on the rarer stems only (3 pairs, at most 5 % of
 * them) 0.376; pair associations (5 pairs, 3 together) 0.379; associations within the documents 0.382 (0.380 at
 * depth 50, 0.376 without its two evidence features, 0.378 with stricter counts); with --raritypower=0.5, 0.384
 * without and 0.389 with the document associations. A few hundred pairs teach topical neighbours (raid: perc, disk,
 * controller), which the twenty passages found for a post already share; the table costs as much again as the
 * other features (about 0.9 ms a question). Production does not read it.
 * Rarity (--raritypower=; DellQA cross-validated, StackFAQ padded/long, French plain/padded/long): 1 (production)
 * 0.378, 0.864/0.850, 0.737/0.735/0.727; 0.5: 0.384, 0.857/0.842, 0.737/0.726/0.725; 0.25: 0.388, 0.840/0.834,
 * 0.737/0.723/0.722; 0 (raw idf): 0.396, 0.823/0.816, 0.737/0.708/0.692. Reranking English questions only would
 * leave French at BM25 and proximity's 0.737/0.723/0.725, below today's padded 0.735, and StackFAQ's padded and
 * long losses are English.
 */
import { writeFileSync } from 'node:fs';
import { queryTerms, type QueryTerms, type TermStats } from '../src/services/retrieval/query-terms';
import { orderByModel, RERANK_FEATURES, rerankFeatures, type RerankModel, type RerankRow } from '../src/services/retrieval/rerank';
import { withProximity } from '../src/services/retrieval/pg-retriever';
import { fitLogistic } from './logistic';
import { arg, baseParams, inFold, loadSets, mean, ndcgAt10, num, rankDocs, withCi, type LabParams, type LabSet } from './retrieval-lab';
import { TRANSLATION_FEATURES, translationColumns, type TranslationTable } from './translation';
import { DEFAULT_TRANSLATION, fitTranslation, type TranslationOptions, type TranslationPair } from './translation-fit';

const depth = num('depth', 50);
const minTerms = num('minterms', 12);
const rarityPower = num('raritypower', 1);
const translationOptions: TranslationOptions | null = arg('translation')
  ? {
      method: arg('translation') as TranslationOptions['method'],
      minCount: num('tmincount', DEFAULT_TRANSLATION.minCount),
      maxShare: num('tmaxshare', DEFAULT_TRANSLATION.maxShare),
      minProb: num('tminprob', DEFAULT_TRANSLATION.minProb),
      maxPerKey: num('tmaxper', DEFAULT_TRANSLATION.maxPerKey),
      iterations: num('titer', DEFAULT_TRANSLATION.iterations),
      nullWeight: num('tnull', DEFAULT_TRANSLATION.nullWeight),
      minPairs: num('tminpairs', DEFAULT_TRANSLATION.minPairs),
    }
  : null;
const FEATURES = [...RERANK_FEATURES, ...(translationOptions ? TRANSLATION_FEATURES : [])];
// Features left out of the model (their column is zero, so their coefficient is too).
const dropped = new Set((arg('drop') ?? '').split(',').filter(Boolean).map((name) => FEATURES.indexOf(name as never)));

/** A model of rerank.ts, with the translation table its extra features read when the experiment is on. */
type LabModel = RerankModel & { table?: TranslationTable };

/** The translation table fitted on the picked questions and their answers (none without --translation). */
function translation(set: LabSet, picked: (i: number) => boolean, params: LabParams): TranslationTable | undefined {
  if (!translationOptions) return undefined;
  const english = (keys: Iterable<string>) => [...keys].filter((k) => k.startsWith('en:'));
  const pairs: TranslationPair[] = [];
  if (arg('tsource') === 'docs') {
    // Associations within the documents: no question–answer pair, so the same table for every fold.
    for (const keys of set.index.docTerms.values()) pairs.push({ question: english(keys), answer: english(keys) });
  } else {
    set.queries.forEach((q, i) => {
      if (picked(i)) pairs.push({ question: english(queryTerms(q.query, params.query).keys), answer: english(set.index.docTerms.get(q.relevant) ?? []) });
    });
  }
  return fitTranslation(pairs, translationOptions);
}

function features(query: string, rows: RerankRow[], terms: QueryTerms, stats: TermStats, table: TranslationTable | undefined): number[][] {
  const base = rerankFeatures(query, rows, terms, stats, rarityPower);
  if (!table) return base;
  const extra = translationColumns(rows, terms, stats, table, rarityPower);
  return base.map((x, r) => [...x, ...extra[r]]);
}

/** The lab's ranking with a model: production's reranking, or the same model with its extra features. */
function withModel(params: LabParams, model: LabModel): LabParams {
  const { table } = model;
  return {
    ...params,
    rerank: model,
    rerankWith: table ? (query, rows, terms, stats) => orderByModel(rows, features(query, rows, terms, stats, table), model.coefficients) : undefined,
  };
}

/** Every passage BM25 and proximity rank first for each picked question, with its features and label. */
function examples(set: LabSet, picked: (i: number) => boolean, params: LabParams, table: TranslationTable | undefined): { x: number[]; y: number }[] {
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
    features(q.query, rows, terms, set.index.stats(), table).forEach((x, r) =>
      out.push({ x: x.map((v, j) => (dropped.has(j) ? 0 : v)), y: rows[r].document_id === q.relevant ? 1 : 0 }),
    );
  });
  return out;
}

/**
 * The model for the picked questions. With a translation table, the table is fitted on all of them and the
 * coefficients on features read through tables that never saw the question (each half of the picked questions
 * through the table of the other half), as the table will be read on questions it never saw.
 */
function fit(set: LabSet, picked: (i: number) => boolean, params: LabParams): LabModel {
  const table = translation(set, picked, params);
  const shape = { minTerms, depth, ...(rarityPower === 1 ? {} : { rarityPower }) };
  if (!table) return { coefficients: fitLogistic(examples(set, picked, params, undefined), num('ridge', 1)), ...shape };
  const order: number[] = [];
  set.queries.forEach((_, i) => picked(i) && order.push(i));
  const half = new Set(order.filter((_, j) => j % 2 === 0));
  const first = (i: number) => picked(i) && half.has(i);
  const second = (i: number) => picked(i) && !half.has(i);
  const data = [...examples(set, first, params, translation(set, second, params)), ...examples(set, second, params, translation(set, first, params))];
  return { coefficients: fitLogistic(data, num('ridge', 1)), ...shape, table };
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
  if (translationOptions && (arg('folds') || arg('write'))) throw new Error('the translation features are measured in the lab only: no --folds or --write');
  for (const [train, test] of [['odd', 'even'], ['even', 'odd']] as const) {
    const model = fit(dell, (i) => inFold(train, i), params);
    folds[test] = model;
    console.log(`fitted on ${train}: ${model.coefficients.map((c) => c.toFixed(2)).join(' ')}`);
    dell.queries.forEach((q, i) => {
      if (inFold(test, i)) heldOut[i] = ndcgAt10(rankDocs(dell.index, q.query, withModel(params, model)), q.relevant);
    });
    const pick = (xs: number[]) => mean(xs.filter((_, i) => inFold(test, i))).toFixed(3);
    console.log(`  on ${test}: ${pick(before)} → ${pick(heldOut)}`);
  }
  if (arg('folds')) writeFileSync(arg('folds')!, `${JSON.stringify(folds)}\n`);
  console.log(`DellQA dev nDCG@10, BM25 and proximity: ${withCi(before)}; reranked, cross-validated: ${withCi(heldOut)}`);
  if (arg('final') === '0') return;
  const final = fit(dell, () => true, params);
  console.log(`model fitted on every question: ${FEATURES.map((f, i) => `${f} ${final.coefficients[i].toFixed(3)}`).join(', ')}`);
  for (const set of sets.filter((s) => s !== dell)) {
    const a = set.queries.map((q) => ndcgAt10(rankDocs(set.index, q.query, params), q.relevant));
    const b = set.queries.map((q) => ndcgAt10(rankDocs(set.index, q.query, withModel(params, final)), q.relevant));
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
        `export const RERANK_MODEL: RerankModel = {\n  // ${RERANK_FEATURES.join(', ')}\n  coefficients: [${coefficients.join(', ')}],\n  minTerms: ${minTerms},\n  depth: ${depth},\n` +
        `${rarityPower === 1 ? '' : `  rarityPower: ${rarityPower},\n`}};\n`,
    );
  }
}

main();
