import { csvField } from '../csv';

export type Format = 'table' | 'json' | 'csv';

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | null | undefined;
}

/** Rows as an aligned text table, CSV (RFC 4180 quoting, formulas guarded) or JSON; JSON prints `json` when given (the raw data). */
export function render<T>(rows: T[], columns: Column<T>[], format: Format, json: unknown = rows): string {
  if (format === 'json') return JSON.stringify(json, null, 2);
  const cells = rows.map((row) => columns.map((c) => String(c.value(row) ?? '')));
  const headers = columns.map((c) => c.header);
  if (format === 'csv') {
    return [headers, ...cells].map((line) => line.map(csvField).join(',')).join('\n');
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((line) => line[i].length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** Label: value lines for one object. */
export function details(pairs: [string, string | number | null | undefined][]): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${`${label}:`.padEnd(width + 1)} ${value ?? '-'}`).join('\n');
}
