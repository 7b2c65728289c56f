import type { DataSource } from 'typeorm';
import { Db } from './db';
import { preparedRunner } from './prepared';

/**
 * The database as the composition root hands it to the stores: one Db on the pool, transactions, and a ping for
 * /readyz. Only the feature stores (`src/services/<feature>/*.store.ts`) write SQL; each tenant-scoped store adds
 * the tenant condition itself, and the operator's cross-tenant work lives in the features' operator stores. The
 * retrieval index, scoped by its own `forTenant`, is the one other module with SQL on tenant-owned tables.
 */
export class DataLayer {
  /** The pool, with named prepared statements for the hot paths (shared with the retrieval index) on TypeORM's pg driver. */
  readonly db: Db;

  constructor(private readonly dataSource: DataSource) {
    this.db = new Db(dataSource.manager, preparedRunner(dataSource));
  }

  /** Runs `work` in one transaction; stores made with `within(tx)` share it. */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(new Db(manager)));
  }

  /** A trivial round trip, for /readyz. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }
}
