import type { DataSource, EntityManager } from 'typeorm';
import { OperatorData } from './operator-data';
import { Prepared, preparedRunner } from './prepared';
import { TenantData } from './tenant-data';

/**
 * The one door to the database for services. Tenant-owned rows are reached through `forTenant(id)`, whose every
 * statement carries the tenant condition; the operator's cross-tenant work and system jobs through `operator`.
 * No other module writes SQL on tenant-owned tables (the retrieval index, scoped by its own `forTenant`, aside).
 */
export class DataLayer {
  readonly operator: OperatorData;
  /** Named prepared statements for the hot paths, shared with the retrieval index; null off TypeORM's pg driver. */
  readonly prepared: Prepared | null;

  constructor(private readonly dataSource: DataSource) {
    this.prepared = preparedRunner(dataSource);
    this.operator = new OperatorData(dataSource.manager, this.prepared);
  }

  forTenant(tenantId: string): TenantData {
    return new TenantData(this.dataSource.manager, tenantId, this.prepared);
  }

  /** Runs `work` in one transaction; scopes made inside it with `within(manager)` share it. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** A trivial round trip, for /readyz. */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
