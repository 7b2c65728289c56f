import fs from 'node:fs';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { openPglite } from './pglite';

export interface Database {
  dataSource: DataSource;
  /** 'postgres' for a server, 'pglite' for the embedded database. */
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export function dataSourceOptions(url: string, poolSize?: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsTransactionMode: 'each',
    extra: poolSize ? { max: poolSize } : undefined,
  };
}

// Any constant: the advisory lock that lets only one process at a time run migrations on a shared server.
const MIGRATION_LOCK = 7_304_118;

/**
 * Opens the database and brings its schema up to date.
 *
 * Without a URL the database is PGlite, kept in `dataDir` (or in memory when `dataDir` is null). PGlite has one
 * session; typeorm-pglite shares it between "connections" with no lock, so one transaction's ROLLBACK can undo
 * another's work (shared/STACK.md). Instead PGlite listens on a loopback socket and TypeORM uses the ordinary pg
 * driver with a pool of ONE connection: transactions then queue behind each other instead of interleaving.
 */
export async function openDatabase(options: { url?: string; dataDir: string | null }): Promise<Database> {
  if (options.url) {
    const dataSource = await new DataSource(dataSourceOptions(options.url)).initialize();
    await migrate(dataSource);
    return { dataSource, kind: 'postgres', close: () => dataSource.destroy() };
  }

  if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
  const pglite = await openPglite(options.dataDir ? `${options.dataDir}/pgdata` : undefined);
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0 });
  await server.start();
  const url = `postgres://postgres:postgres@${server.getServerConn()}/postgres`;
  const dataSource = await new DataSource(dataSourceOptions(url, 1)).initialize();
  await migrate(dataSource);
  return {
    dataSource,
    kind: 'pglite',
    close: async () => {
      await dataSource.destroy();
      await server.stop();
      await pglite.close();
    },
  };
}

async function migrate(dataSource: DataSource): Promise<void> {
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
