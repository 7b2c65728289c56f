import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Database, openDatabase } from '../../src/database';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new database created on the
 * PostgreSQL server named by TEST_DATABASE_URL (CI), so files running in parallel never share rows.
 */
export async function freshDatabaseUrl(): Promise<string | undefined> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) return undefined;
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function openTestDatabase(): Promise<Database> {
  return openDatabase({ url: await freshDatabaseUrl(), dataDir: null });
}
