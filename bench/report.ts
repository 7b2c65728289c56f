import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One line of the bench table: a measured figure against its target. */
export interface Row {
  figure: string;
  measured: number;
  unit: string;
  /** The target; `atMost` false means the figure must reach it instead. Null: reported, no target. */
  target: number | null;
  atMost: boolean;
}

export const RESULTS = path.resolve(__dirname, '../../bench/results');

export const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
export const median = (xs: number[]) => pct([...xs].sort((a, b) => a - b), 50);

export function machine() {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
    date: new Date().toISOString(),
  };
}

export function table(rows: Row[]): string {
  const fmt = (r: Row) => {
    if (r.unit.startsWith('×')) return r.measured.toFixed(2);
    if (r.unit === 'ms' || r.unit === 's') return r.measured.toFixed(r.measured < 10 ? 2 : 1);
    return r.measured.toFixed(0);
  };
  const lines = ['| figure | measured | target | met |', '| --- | --- | --- | --- |'];
  for (const r of rows) {
    // A ratio's unit names what it is a fraction of ('× of bare').
    const unit = r.unit.startsWith('×') ? r.unit.slice(1) : ` ${r.unit}`;
    if (r.target === null) {
      lines.push(`| ${r.figure} | ${fmt(r)}${unit} | | |`);
      continue;
    }
    const met = r.atMost ? r.measured <= r.target : r.measured >= r.target;
    lines.push(`| ${r.figure} | ${fmt(r)}${unit} | ${r.atMost ? '≤' : '≥'} ${r.target}${unit} | ${met ? 'yes' : 'no'} |`);
  }
  return lines.join('\n');
}

/** Prints the table and writes it, with the machine and the details, to bench/results/<name>.json. */
export function report(name: string, started: ReturnType<typeof machine>, rows: Row[], details: Record<string, unknown>): void {
  const ended = machine();
  console.log(`\n${started.nproc} × ${started.cpu}, node ${started.node}, load average ${started.loadavg.join(' ')} → ${ended.loadavg.join(' ')}\n`);
  console.log(table(rows));
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ machine: { ...started, loadavgAfter: ended.loadavg }, rows, details }, null, 2)}\n`);
  console.log(`\nwritten to ${file}`);
}
