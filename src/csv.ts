/**
 * One CSV field: RFC 4180 quoting, and a value a spreadsheet would read as a formula (leading = + - @, or a TAB or
 * CR, which some spreadsheets skip before reading the rest as one) is prefixed with ' so it is shown, never run.
 * Tenant names, questions and answers are written by others than the operator who opens the file.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
