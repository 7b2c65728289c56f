/**
 * The curated-answer match rule, measured (npm run eval:curated). Every StackFAQ thread gets a curated answer whose
 * questions are the first `--curated=N` (default 3) of its phrasings; the others are held out and asked. A held-out
 * phrasing matching its own thread's answer is a true match; matching another thread's answer is a false match,
 * and so is any match of the 30 off-topic questions. "Own missing" asks each held-out phrasing of a tenant holding
 * every thread but its own: any match there is false too.
 *
 * Options: --data=DIR (default ../shared/eval/stackfaq from the working directory), --curated=N, --show=1 (the
 * closest wrong matches and some missed phrasings under the rule in use).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CURATED_RULE, CuratedMatcher, type MatchRule } from '../src/services/curated-answers/curated-match';
import { OFF_TOPIC, type EvalQuery } from './retrieval-sets';

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

const pct = (n: number, of: number) => `${n} (${((100 * n) / of).toFixed(1)}%)`;

function main(): void {
  const dataDir = resolve(arg('data') ?? resolve(process.cwd(), '../shared/eval/stackfaq'));
  const curatedCount = Number(arg('curated') ?? 3);
  const queries = readJsonl<EvalQuery>(resolve(dataDir, 'queries.jsonl'));
  const byThread = new Map<string, string[]>();
  for (const q of queries) byThread.set(q.relevant, [...(byThread.get(q.relevant) ?? []), q.query]);

  const entries = [...byThread].map(([thread, phrasings]) => ({ thread, questions: phrasings.slice(0, curatedCount) }));
  const heldOut = [...byThread].flatMap(([thread, phrasings]) => phrasings.slice(curatedCount).map((query) => ({ query, thread })));
  const matcher = new CuratedMatcher(entries);
  // Each question's ranking once; the rules are compared on it.
  const ranked = heldOut.map((q) => ({ ...q, ranking: matcher.rank(q.query) }));
  const offTopic = OFF_TOPIC.map((query) => ({ query, ranking: matcher.rank(query) }));
  const matched = (ranking: { entry: { thread: string }; score: number }[], rule: MatchRule) => {
    const [best, next] = ranking;
    return best && best.score >= rule.threshold && best.score - (next?.score ?? 0) >= rule.margin ? best.entry.thread : null;
  };
  // With its own thread absent, the tenant's answers are the other threads: the rule applies to them alone.
  const ownMissing = (q: (typeof ranked)[number], rule: MatchRule) => {
    const others = q.ranking.filter((r) => r.entry.thread !== q.thread);
    return matched(others, rule) !== null;
  };

  console.log(`StackFAQ: ${entries.length} threads curated with ${curatedCount} phrasings each, ${heldOut.length} phrasings held out; ${OFF_TOPIC.length} off-topic questions`);
  console.log('margin  threshold  true matches    false: other thread  false: off-topic  false, own missing');
  for (const margin of [0, 0.1, 0.2, 0.3]) {
    for (const threshold of [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]) {
      const rule = { threshold, margin };
      const hits = ranked.map((q) => ({ q, match: matched(q.ranking, rule) }));
      const right = hits.filter((h) => h.match === h.q.thread).length;
      const wrong = hits.filter((h) => h.match !== null && h.match !== h.q.thread).length;
      const off = offTopic.filter((q) => matched(q.ranking, rule) !== null).length;
      const missing = ranked.filter((q) => ownMissing(q, rule)).length;
      const inUse = threshold === CURATED_RULE.threshold && margin === CURATED_RULE.margin ? '  ← in use' : '';
      console.log(`${margin.toFixed(2).padStart(6)}  ${threshold.toFixed(2).padStart(9)}  ${pct(right, heldOut.length).padEnd(14)}  ${String(wrong).padStart(19)}  ${String(off).padStart(16)}  ${String(missing).padStart(18)}${inUse}`);
    }
  }

  if (arg('show')) {
    const wrongs = ranked
      .map((q) => ({ q, other: q.ranking.find((r) => r.entry.thread !== q.thread)! }))
      .sort((a, b) => b.other.score - a.other.score)
      .slice(0, 10);
    console.log('\nclosest other threads:');
    for (const { q, other } of wrongs) console.log(`  ${other.score.toFixed(3)}  "${q.query}" → "${other.entry.questions[0]}"`);
    console.log('\nsome held-out phrasings missed under the rule in use:');
    for (const q of ranked.filter((q) => matched(q.ranking, CURATED_RULE) !== q.thread).slice(0, 15)) {
      console.log(`  ${q.ranking[0].score.toFixed(3)}  "${q.query}" (its thread: "${byThread.get(q.thread)![0]}")`);
    }
  }
}

main();
