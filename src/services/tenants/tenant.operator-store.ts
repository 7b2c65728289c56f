import { In } from 'typeorm';
import { TenantStatus } from '../../entities/enums';
import { Plan } from '../../entities/plan.entity';
import { Tenant } from '../../entities/tenant.entity';
import type { Db } from '../data/db';
import { containsPattern, isUuid, Page, paginate } from '../pagination';

/** Tenants and plans across the service, for the operator: listing, finding, creating, changing, deleting. */
export class TenantOperatorStore {
  constructor(private readonly db: Db) {}

  /** The same store inside a transaction. */
  within(tx: Db): TenantOperatorStore {
    return new TenantOperatorStore(tx);
  }

  async tenant(id: string, options: { lock?: boolean } = {}): Promise<Tenant | null> {
    if (!isUuid(id)) return null;
    return this.db.getRepository(Tenant).findOne({ where: { id }, ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** Tenants oldest first, by status and by a search in name, slug or contact email. */
  tenants(first: number, after: string | null | undefined, status?: TenantStatus | null, search?: string | null): Promise<Page<Tenant>> {
    const qb = this.db.getRepository(Tenant).createQueryBuilder('t').where('true');
    if (status) qb.andWhere('t.status = :status', { status });
    const text = search?.trim();
    if (text) {
      qb.andWhere('(t.name ILIKE :pattern OR t.slug ILIKE :pattern OR t.contact_email ILIKE :pattern)', { pattern: containsPattern(text) });
    }
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt' });
  }

  async tenantsByIds(ids: readonly string[]): Promise<Tenant[]> {
    return this.db.getRepository(Tenant).findBy({ id: In([...ids]) });
  }

  saveTenant(tenant: Tenant): Promise<Tenant> {
    return this.db.getRepository(Tenant).save(tenant);
  }

  newTenant(fields: Partial<Tenant>): Tenant {
    return this.db.getRepository(Tenant).create(fields);
  }

  async slugTaken(slug: string): Promise<boolean> {
    return (await this.db.getRepository(Tenant).countBy({ slug })) > 0;
  }

  /** Deletes the tenant; its rows in every tenant-owned table go with it (ON DELETE CASCADE). */
  async deleteTenant(id: string): Promise<void> {
    await this.db.query('DELETE FROM tenant WHERE id = $1', [id]);
  }

  plans(): Promise<Plan[]> {
    return this.db.getRepository(Plan).find({ order: { priceCents: 'ASC' } });
  }

  plan(code: string): Promise<Plan | null> {
    return this.db.getRepository(Plan).findOneBy({ code: code as Plan['code'] });
  }
}
