import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/database';
import { toClientError } from '../../src/http/format-error';
import { createLogger } from '../../src/logger';
import { openTestDatabase } from '../helpers/database';

/** What a statement was given: a question, an answer, a client IP. None of it belongs in the logs. */
const SECRET_QUESTION = 'my password is hunter2, why is my account locked?';
const SECRET_IP = '203.0.113.77';

describe('database errors in the logs', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    await database.dataSource.query('CREATE TABLE log_probe (question text PRIMARY KEY, ip text)');
  });
  afterAll(async () => database?.close());

  /** The error a statement raised, as the application would meet it (TypeORM's QueryFailedError around pg's). */
  const failure = async (sql: string, parameters: unknown[]): Promise<unknown> => {
    try {
      await database.dataSource.query(sql, parameters);
    } catch (error) {
      return error;
    }
    throw new Error('the statement did not fail');
  };

  const logged = (write: (log: ReturnType<typeof createLogger>) => void): Record<string, any>[] => {
    let text = '';
    const sink = new Writable({ write: (chunk, _encoding, done) => ((text += chunk), done()) });
    write(createLogger('info', sink));
    return text.trim().split('\n').map((line) => JSON.parse(line));
  };

  it('keeps the SQLSTATE, the statement and the names it involves, never the parameters or the values quoted', async () => {
    await database.dataSource.query('INSERT INTO log_probe (question, ip) VALUES ($1, $2)', [SECRET_QUESTION, SECRET_IP]);
    const duplicate = await failure('INSERT INTO log_probe (question, ip) VALUES ($1, $2)', [SECRET_QUESTION, SECRET_IP]);
    const badType = await failure('SELECT * FROM log_probe WHERE ip = $1 AND question::int > 0', [SECRET_IP]);

    const lines = logged((log) => {
      // The path every unexpected error of a request takes, and a direct log of one.
      toClientError(duplicate, log, 'request-1');
      log.error({ err: badType }, 'job failed');
      log.warn(duplicate as Error, 'as the first argument');
    });
    expect(lines).toHaveLength(3);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(SECRET_IP);
    expect(lines[0].err.database).toMatchObject({ code: '23505', table: 'log_probe', constraint: 'log_probe_pkey', statement: 'INSERT INTO log_probe (question, ip) VALUES ($1, $2)' });
    expect(lines[0].requestId).toBe('request-1');
    expect(lines[1].err.database).toMatchObject({ code: '22P02', statement: 'SELECT * FROM log_probe WHERE ip = $1 AND question::int > 0' });
    expect(lines[1].err.stack).toMatch(/^\s+at /);
    expect(lines[2].err.database.code).toBe('23505');
  });

  it('logs other errors in full', () => {
    const [line] = logged((log) => log.error({ err: new Error('retriever unreachable at 10.1.2.3') }, 'failed'));
    expect(line.err).toMatchObject({ type: 'Error', message: 'retriever unreachable at 10.1.2.3' });
  });
});
