import { Tenant } from '../../entities/tenant.entity';
import type { Db } from '../data/db';

/** One tenant's own row, reached through its scope. */
export class TenantStore {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
  ) {}

  tenant(): Promise<Tenant | null> {
    return this.db.getRepository(Tenant).findOneBy({ id: this.tenantId });
  }

  /** Locks the tenant row until the transaction ends: serialises checks such as the one-active-key rule. */
  async lockTenant(): Promise<void> {
    await this.db.query('SELECT id FROM tenant WHERE id = $1 FOR UPDATE', [this.tenantId]);
  }
}
