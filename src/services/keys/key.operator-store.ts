import { In } from 'typeorm';
import { ApiKey } from '../../entities/api-key.entity';
import { Plan } from '../../entities/plan.entity';
import { Tenant } from '../../entities/tenant.entity';
import type { Db } from '../data/db';
import { isUuid } from '../pagination';

/**
 * Keys across tenants: verifying a presented key (a key names its tenant, so the lookup precedes any scope), the
 * operator's key workflows (which name a key, not a tenant), and the admin keys.
 */
export class KeyOperatorStore {
  constructor(private readonly db: Db) {}

  /** The same store inside a transaction. */
  within(tx: Db): KeyOperatorStore {
    return new KeyOperatorStore(tx);
  }

  /** The key with this hash, with its tenant and plan: how a request becomes a Caller. */
  async keyByHash(hash: string): Promise<{ key: ApiKey; tenant: Tenant | null; plan: Plan | null } | null> {
    const key = await this.db
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .leftJoinAndMapOne('k.tenant', Tenant, 't', 't.id = k.tenant_id')
      .leftJoinAndMapOne('t.plan', Plan, 'p', 'p.code = t.plan_code')
      .where('k.hash = :hash', { hash })
      .getOne();
    if (!key) return null;
    const tenant = (key as ApiKey & { tenant?: Tenant }).tenant ?? null;
    const plan = (tenant as (Tenant & { plan?: Plan }) | null)?.plan ?? null;
    return { key, tenant, plan };
  }

  /** A key by id, for the operator's key workflows. */
  async key(id: string, options: { lock?: boolean } = {}): Promise<ApiKey | null> {
    if (!isUuid(id)) return null;
    return this.db.getRepository(ApiKey).findOne({ where: { id }, ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  async keysOfTenants(tenantIds: readonly string[]): Promise<ApiKey[]> {
    return this.db.getRepository(ApiKey).find({ where: { tenantId: In([...tenantIds]) }, order: { createdAt: 'ASC' } });
  }

  saveKey(key: ApiKey): Promise<ApiKey> {
    return this.db.getRepository(ApiKey).save(key);
  }

  newKey(fields: Partial<ApiKey>): ApiKey {
    return this.db.getRepository(ApiKey).create(fields);
  }

  async adminKeyCount(): Promise<number> {
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM api_key WHERE role = 'ADMIN'`);
    return n;
  }

  async touchKey(id: string, at: Date): Promise<void> {
    await this.db.query('UPDATE api_key SET last_used_at = $2 WHERE id = $1', [id, at]);
  }

  /** Shown on the key for the operator; the block itself lives in shared state. */
  async markKeyBlocked(id: string, until: Date | null): Promise<void> {
    await this.db.query('UPDATE api_key SET blocked_until = $2 WHERE id = $1', [id, until]);
  }

  /** Serialises the first-start admin key check between processes sharing a database (within a transaction). */
  async lockAdminKeys(lock: number): Promise<void> {
    await this.db.query('SELECT pg_advisory_xact_lock($1)', [lock]);
  }
}
