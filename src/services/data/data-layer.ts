import type { DataSource, EntityManager } from 'typeorm';
import { OperatorData } from './operator-data';
import { Prepared, preparedRunner } from './prepared';
import type { ClientCaller } from '../../caller';
import { KeyKind } from '../../entities/enums';
import { Audience, TenantData, WHOLE_TENANT } from './tenant-data';

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

  /**
   * The data a tenant's key may reach: its whole tenant for a secret key, its visitor's conversations only for a
   * publishable key (see TenantData). Client operations get their scope from here, never from forTenant.
   */
  forCaller(caller: ClientCaller): TenantData {
    const audience: Audience = caller.kind === KeyKind.PUBLISHABLE ? { visitorOnly: true, visitorId: caller.visitorId } : WHOLE_TENANT;
    return new TenantData(this.dataSource.manager, caller.tenant.id, this.prepared, audience);
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
