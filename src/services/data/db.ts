import type { EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import { Prepared, runStatement } from './prepared';

/**
 * Where a store's statements go: the pool, with the hot statements prepared when the driver allows it, or one
 * transaction's connection (see DataLayer.transaction), through which every statement of the transaction must go,
 * unprepared. Stores hold one and never reach TypeORM's manager themselves.
 */
export class Db {
  constructor(
    private readonly manager: EntityManager,
    private readonly prepared: Prepared | null = null,
  ) {}

  /** A hot statement, run as the named prepared statement `name` when possible. */
  run<T = Record<string, unknown>>(name: string, text: string, params: unknown[]): Promise<T[]> {
    return runStatement<T>(this.manager, this.prepared, name, text, params);
  }

  query<T = any>(text: string, params?: unknown[]): Promise<T> {
    return this.manager.query(text, params);
  }

  getRepository<E extends ObjectLiteral>(entity: EntityTarget<E>): Repository<E> {
    return this.manager.getRepository(entity);
  }
}
