import type { DataSource, EntityManager } from 'typeorm';
import { OperatorData } from './operator-data';
import { TenantData } from './tenant-data';

/**
 * The one door to the database for services. Tenant-owned rows are reached through `forTenant(id)`, whose every
 * statement carries the tenant condition; the operator's cross-tenant work and system jobs through `operator`.
 * No other module writes SQL on tenant-owned tables (the retrieval index, scoped by its own `forTenant`, aside).
 */
export class DataLayer {
  readonly operator: OperatorData;

  constructor(private readonly dataSource: DataSource) {
    this.operator = new OperatorData(dataSource.manager);
  }

  forTenant(tenantId: string): TenantData {
    return new TenantData(this.dataSource.manager, tenantId);
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
