import { Column } from 'typeorm';

/**
 * Base of every tenant-owned row. Services always put `tenantId` in their `where`, so a row of another tenant is
 * simply not found (NOT_FOUND), never forbidden.
 */
export abstract class TenantScoped {
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;
}
