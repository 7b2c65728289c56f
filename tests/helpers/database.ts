import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Database, openDatabase } from '../../src/database';

/** Runs one statement on the server at `serverUrl` (its maintenance database), on a connection of its own. */
async function onServer(serverUrl: string, sql: string): Promise<void> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/**
 * A new, empty database on the PostgreSQL server at `serverUrl`, named `<prefix>_<random>`, and how to drop it:
 * for test files running in parallel and for the benches, so none shares rows with another.
 */
export async function scratchDatabase(serverUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new database created on the
 * PostgreSQL server named by TEST_DATABASE_URL (CI), so files running in parallel never share rows.
 */
export async function freshDatabaseUrl(): Promise<string | undefined> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  return serverUrl ? (await scratchDatabase(serverUrl, 'test')).url : undefined;
}

export async function openTestDatabase(): Promise<Database> {
  return openDatabase({ url: await freshDatabaseUrl(), dataDir: null });
}
