import fs from 'node:fs';
import path from 'node:path';
import { RESULTS, Row, table } from './report';

/**
 * The last step of `npm run bench`: the gateway and speed runs as one table, the one the README shows, and one
 * JSON file (bench/results/latest.json) holding both runs with their machines, so runs can be compared.
 */
const runs = Object.fromEntries(
  ['gateway', 'speed'].flatMap((name) => {
    const file = path.join(RESULTS, `${name}.json`);
    return fs.existsSync(file) ? [[name, JSON.parse(fs.readFileSync(file, 'utf8'))]] : [];
  }),
) as Record<string, { machine: { nproc: number; cpu: string; node: string; loadavg: number[]; loadavgAfter: number[]; date: string }; rows: Row[] }>;

const rows = Object.values(runs).flatMap((r) => r.rows);
const first = Object.values(runs)[0]?.machine;
if (!first) throw new Error(`no bench results in ${RESULTS}: run npm run bench`);
console.log(`\n## npm run bench, ${first.date.slice(0, 16).replace('T', ' ')} UTC: ${first.nproc} × ${first.cpu}, node ${first.node}`);
for (const [name, run] of Object.entries(runs)) console.log(`${name}: load average ${run.machine.loadavg.join(' ')} → ${run.machine.loadavgAfter.join(' ')}`);
console.log(`\n${table(rows)}`);
fs.writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify({ rows, runs }, null, 2)}\n`);
console.log(`\nwritten to ${path.join(RESULTS, 'latest.json')}`);
