import type { Pool, PoolClient } from 'pg';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/** Runs `text` as the named prepared statement `name`; resolves to its rows. */
export type Prepared = <T = Record<string, unknown>>(name: string, text: string, params: unknown[]) => Promise<T[]>;

/**
 * Named prepared statements, through TypeORM's own pg pool (TypeORM has no way to name a statement). The hot
 * statements (an ask's reservation, search and settle) are long CTEs: PostgreSQL spent about 3 of the 4 ms of
 * server CPU per ask parsing and planning them again on every call (measured from its statement log on a server).
 * Prepared, each connection parses a statement once and then only binds and runs it. A name must always name the
 * same text. Errors are wrapped as TypeORM wraps them, so callers see one kind of failure either way.
 */
export function preparedRunner(dataSource: DataSource): Prepared | null {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) return null;
  // One runner per pool (the data layer's and the retrieval index's are the same): a second runner emptying a
  // connection's statements would drop the first one's behind its back ("prepared statement does not exist").
  let runner = runners.get(pool);
  if (!runner) {
    runner = newRunner(pool);
    runners.set(pool, runner);
  }
  return runner;
}

const runners = new WeakMap<Pool, Prepared>();

function newRunner(pool: Pool): Prepared {
  /*
   * PGlite serves every socket connection from its one session, so a statement prepared through a connection the
   * pool has since closed (after 10 s idle) is still there, and the next connection, not knowing it, would prepare it
   * again: "already exists". So each connection empties the set of statements before its first prepared one. On a
   * server a new connection is a new session and this is a no-op.
   */
  const fresh = new WeakSet<PoolClient>();
  return async <T>(name: string, text: string, params: unknown[]): Promise<T[]> => {
    const client = await pool.connect();
    try {
      if (!fresh.has(client)) {
        await client.query('DEALLOCATE ALL');
        fresh.add(client);
      }
      return (await client.query({ name, text, values: params })).rows as T[];
    } catch (error) {
      throw new QueryFailedError(text, params, error as Error);
    } finally {
      client.release();
    }
  };
}

/**
 * How a data scope runs a hot statement: prepared when it has a runner, through its manager otherwise (inside a
 * transaction, whose statements must all go through its one connection).
 */
export function runStatement<T>(db: EntityManager, prepared: Prepared | null, name: string, text: string, params: unknown[]): Promise<T[]> {
  return prepared ? prepared<T>(name, text, params) : db.query(text, params);
}
