import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { openDataDirPglite } from './pglite';

export interface Database {
  dataSource: DataSource;
  /** 'postgres' for a server, 'pglite' for the embedded database. */
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

/** A server URL, or the directory and port of a Unix socket (`pg` then connects to `<host>/.s.PGSQL.<port>`). */
export type DatabaseTarget = string | { socketDir: string; port: number };

export function dataSourceOptions(target: DatabaseTarget, poolSize?: number): DataSourceOptions {
  return {
    type: 'postgres',
    driver: loadPg(),
    ...(typeof target === 'string'
      ? { url: target }
      : { host: target.socketDir, port: target.port, username: 'postgres', database: 'postgres' }),
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsTransactionMode: 'each',
    // TypeORM would otherwise run CREATE EXTENSION "uuid-ossp" at every connect (uuid primary keys); the migrations
    // use the built-in gen_random_uuid() and create what the schema needs.
    installExtensions: false,
    extra: poolSize ? { max: poolSize } : undefined,
  };
}

/**
 * The `pg` module, for TypeORM. At load, pg asks whether it runs in a Cloudflare Worker: `navigator.userAgent` if
 * there is a navigator, else it builds a `Response` — which on Node 20 (no `navigator`) loads undici, Node's fetch,
 * for nothing: 0.1–0.3 s of every start. A navigator that is not Cloudflare's answers first, for the load only.
 */
function loadPg(): unknown {
  const global = globalThis as { navigator?: unknown };
  if (global.navigator !== undefined) return require('pg');
  Object.defineProperty(global, 'navigator', { value: { userAgent: 'Node.js' }, configurable: true });
  try {
    return require('pg');
  } finally {
    delete global.navigator;
  }
}

// Any constant: the advisory lock that lets only one process at a time run migrations on a shared server.
const MIGRATION_LOCK = 7_304_118;

/**
 * Opens the database and brings its schema up to date.
 *
 * Without a URL the database is PGlite, kept in `dataDir` (or in memory when `dataDir` is null). PGlite has one
 * session; typeorm-pglite shares it between "connections" with no lock, so one transaction's ROLLBACK can undo
 * another's work (tests/processes/database.test.ts runs concurrent transactions). Instead PGlite listens on a socket and TypeORM uses the ordinary pg driver
 * with a pool of ONE connection: transactions then queue behind each other instead of interleaving.
 *
 * The socket server checks no password and serves one connection at a time, so it must not be reachable by
 * anyone else: a Unix socket (never TCP) in a directory only this user can open, the socket itself 0600.
 */
export async function openDatabase(options: {
  url?: string;
  dataDir: string | null;
  /** PGlite already opening on `dataDir` (main.ts starts it before loading the rest of the code). */
  pglite?: Promise<PGlite>;
}): Promise<Database> {
  if (options.url) {
    const dataSource = await new DataSource(dataSourceOptions(options.url)).initialize();
    await migrate(dataSource);
    return { dataSource, kind: 'postgres', close: () => dataSource.destroy() };
  }
  const pglite = await (options.pglite ?? openDataDirPglite(options.dataDir));
  return serveEmbedded(pglite, options.dataDir, true);
}

/**
 * Brings an embedded database's schema up to date and leaves it open (the data-directory template is written from
 * a migrated database, so a first start finds its schema current).
 */
export async function migrateEmbedded(pglite: PGlite): Promise<void> {
  const database = await serveEmbedded(pglite, null, false);
  await database.close();
}

/**
 * Serves `pglite` on a private Unix socket (a fresh directory of mode 0700, the socket 0600), for pg to reach at
 * `{ socketDir, port }`; `stop` closes the socket server and removes the directory. Also the gateway bench's plain
 * endpoint's way to its embedded database, so both sides reach PGlite alike.
 */
export async function servePgliteSocket(pglite: PGlite, dataDir: string | null): Promise<{ socketDir: string; port: number; stop(): Promise<void> }> {
  const socketDir = privateSocketDir(dataDir);
  const socketPath = path.join(socketDir, `.s.PGSQL.${SOCKET_PORT}`);
  const server = new PGLiteSocketServer({ db: pglite, path: socketPath });
  const stop = async () => {
    await server.stop();
    fs.rmSync(socketDir, { recursive: true, force: true });
  };
  try {
    await server.start();
    fs.chmodSync(socketPath, 0o600);
  } catch (error) {
    await stop();
    throw error;
  }
  return { socketDir, port: SOCKET_PORT, stop };
}

/** Serves `pglite` on a private Unix socket and opens TypeORM on it; `close` stops PGlite too when `ownsPglite`. */
async function serveEmbedded(pglite: PGlite, dataDir: string | null, ownsPglite: boolean): Promise<Database> {
  let socket: Awaited<ReturnType<typeof servePgliteSocket>> | null = null;
  const stop = async () => {
    await socket?.stop();
    if (ownsPglite) await pglite.close();
  };
  try {
    socket = await servePgliteSocket(pglite, dataDir);
    const { socketDir, port } = socket;
    const dataSource = await new DataSource(dataSourceOptions({ socketDir, port }, 1)).initialize();
    await migrate(dataSource);
    return {
      dataSource,
      kind: 'pglite',
      close: async () => {
        await dataSource.destroy();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

// Only names the socket file (`.s.PGSQL.5432`, as libpq and pg expect); nothing listens on a TCP port.
const SOCKET_PORT = 5432;
const SOCKET_DIR_PREFIX = 'pgsock-';
// sun_path holds 108 bytes on Linux (104 on macOS) including the terminating NUL.
const MAX_SOCKET_PATH = 100;

/**
 * A fresh directory of mode 0700 for the socket: inside DATA_DIR when the socket path fits the ~107-byte limit of
 * Unix socket paths, else under the system temp directory. A new one per start, so a socket left behind by a
 * killed process never blocks the next start; leftovers in DATA_DIR are removed here.
 */
function privateSocketDir(dataDir: string | null): string {
  let base = os.tmpdir();
  if (dataDir) {
    for (const name of fs.readdirSync(dataDir)) {
      if (name.startsWith(SOCKET_DIR_PREFIX)) fs.rmSync(path.join(dataDir, name), { recursive: true, force: true });
    }
    const longest = path.join(dataDir, `${SOCKET_DIR_PREFIX}XXXXXX`, `.s.PGSQL.${SOCKET_PORT}`);
    if (Buffer.byteLength(longest) <= MAX_SOCKET_PATH) base = dataDir;
  }
  const dir = fs.mkdtempSync(path.join(base, SOCKET_DIR_PREFIX));
  fs.chmodSync(dir, 0o700); // mkdtemp already uses 0700; stated so the guarantee does not rest on a default
  return dir;
}

async function migrate(dataSource: DataSource): Promise<void> {
  if (await schemaIsCurrent(dataSource)) return;
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    // On PGlite the pool has one connection and the runner holds it, so the lock is unnecessary and would
    // deadlock runMigrations; on a server it keeps two starting processes from migrating at once.
    const shared = dataSource.driver.options.extra?.max !== 1;
    if (shared) await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      if (!shared) await runner.release();
      await dataSource.runMigrations();
    } finally {
      if (shared) await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    if (!runner.isReleased) await runner.release();
  }
}

/**
 * Whether every migration of this build is already recorded: one query on TypeORM's own table. Most starts find the
 * schema current, and TypeORM's check (information_schema lookups, then the table) cost ~0.2–0.4 s on PGlite; any
 * migration missing, or no table yet, and the full path runs under the lock, which checks again.
 */
async function schemaIsCurrent(dataSource: DataSource): Promise<boolean> {
  let rows: { name: string }[];
  try {
    rows = await dataSource.query(`SELECT name FROM "${dataSource.options.migrationsTableName ?? 'migrations'}"`);
  } catch {
    return false; // no migrations table: a new database
  }
  const done = new Set(rows.map((row) => row.name));
  // The name TypeORM records: the migration's `name`, else its class name.
  return dataSource.migrations.every((migration) => done.has(migration.name || migration.constructor.name));
}
