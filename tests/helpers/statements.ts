import { Client } from 'pg';

/** What one piece of work sent to PostgreSQL. */
export interface StatementCount {
  statements: string[];
  /** Write transactions: explicit COMMITs, plus each write statement sent outside a transaction (it commits alone). */
  commits(): number;
  stop(): void;
}

/**
 * The statements of the process's own timers (the usage roll-up every 2 s, the lease reclaim), which may fire while
 * a measured request runs: they are not the request's.
 */
const BACKGROUND = [
  /DELETE FROM usage_pending/, /DELETE FROM quota_lease WHERE expires_at/,
  // The retention purge, which also runs once soon after start.
  /^DELETE FROM (usage_record WHERE created_at|conversation WHERE updated_at) < \$1$/,
];

/**
 * Counts every statement the server sends while it runs, but its timers'. Every statement goes through pg's Client.query (TypeORM's
 * driver, on PGlite's socket and on a server alike), so counting its calls counts round trips. Used by the
 * statement test (a regression fails CI) and by the gateway bench (the figure it prints).
 */
export function countStatements(): StatementCount {
  const original = Client.prototype.query;
  const statements: string[] = [];
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text ?? '';
    if (!BACKGROUND.some((job) => job.test(text))) statements.push(text.replace(/\s+/g, ' ').trim());
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof Client.prototype.query;
  return {
    statements,
    commits() {
      let inTransaction = false;
      let commits = 0;
      for (const s of statements) {
        if (/^(BEGIN|START TRANSACTION)/i.test(s)) inTransaction = true;
        else if (/^COMMIT/i.test(s)) {
          inTransaction = false;
          commits++;
        } else if (/^ROLLBACK/i.test(s)) inTransaction = false;
        else if (!inTransaction && /\b(INSERT|UPDATE|DELETE)\b/i.test(s)) commits++;
      }
      return commits;
    },
    stop: () => void (Client.prototype.query = original),
  };
}
