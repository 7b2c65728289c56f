import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { ApiKey, keyStatus } from '../entities/api-key.entity';
import { KeyStatus, PlanCode, Role, TenantStatus } from '../entities/enums';
import { Plan } from '../entities/plan.entity';
import { Tenant } from '../entities/tenant.entity';
import { AppError, TenantSuspended, Unauthenticated } from '../errors';

/** Who is calling: the verified key, its role and (for client keys) its tenant. */
export interface Principal {
  role: Role;
  /** Null for the ADMIN_API_KEY from the environment, which has no row. */
  keyId: string | null;
  keyPrefix: string;
  tenantId: string | null;
  tenant: Tenant | null;
  plan: Plan | null;
}

/** What authentication learnt: the principal, or the refusal and whatever could be attributed to it. */
export type AuthResult =
  | { ok: true; principal: Principal; blockedUntil: Date | null }
  | { ok: false; error: AppError; tenantId: string | null; keyId: string | null; badCredential: boolean };

export interface IssuedSecret {
  secret: string;
  prefix: string;
  hash: string;
}

const KEY_FORMAT = /^sk_(demo|starter|business|enterprise|admin)_[A-Za-z0-9_-]{43}$/;
const TOUCH_INTERVAL_MS = 60_000;

interface CachedKey {
  key: ApiKey;
  tenant: Tenant | null;
  plan: Plan | null;
  fetchedAt: number;
}

/**
 * Issues and verifies API keys. A key is `sk_<plan|admin>_<43 base64url chars>`; the database keeps only an
 * HMAC-SHA-256 under the server pepper and a 16-character display prefix. Verification is one indexed query on the
 * hash, cached briefly per process; revocations, rotations and suspensions made here evict the cache at once.
 */
export class ApiKeyService {
  private readonly cache = new Map<string, CachedKey>();
  private readonly lastTouched = new Map<string, number>();
  private readonly envAdminHash: Buffer | null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly pepper: string,
    private readonly cacheTtlMs: number,
    envAdminKey?: string,
  ) {
    this.envAdminHash = envAdminKey ? Buffer.from(this.hash(envAdminKey), 'hex') : null;
  }

  hash(key: string): string {
    return createHmac('sha256', this.pepper).update(key).digest('hex');
  }

  generate(kind: PlanCode | 'ADMIN'): IssuedSecret {
    const secret = `sk_${kind.toLowerCase()}_${randomBytes(32).toString('base64url')}`;
    return { secret, prefix: secret.slice(0, 16), hash: this.hash(secret) };
  }

  /** Inserts a new key row and returns it with its secret, which is never stored or shown again. */
  async issue(
    manager: EntityManager,
    input: { tenantId: string | null; role: Role; kind: PlanCode | 'ADMIN'; name: string; expiresAt?: Date | null },
  ): Promise<{ key: ApiKey; secret: string }> {
    const { secret, prefix, hash } = this.generate(input.kind);
    const key = await manager.getRepository(ApiKey).save(
      manager.getRepository(ApiKey).create({
        tenantId: input.tenantId,
        role: input.role,
        name: input.name,
        prefix,
        hash,
        expiresAt: input.expiresAt ?? null,
      }),
    );
    return { key, secret };
  }

  async authenticate(presented: string, now = new Date()): Promise<AuthResult> {
    const refuse = (error: AppError, key?: ApiKey, badCredential = true): AuthResult => ({
      ok: false, error, tenantId: key?.tenantId ?? null, keyId: key?.id ?? null, badCredential,
    });
    // A malformed key can't match anything: refuse without a database round trip.
    if (!KEY_FORMAT.test(presented)) return refuse(Unauthenticated('The API key is not valid.'));
    const hash = this.hash(presented);
    if (this.envAdminHash && timingSafeEqual(Buffer.from(hash, 'hex'), this.envAdminHash)) {
      return {
        ok: true,
        blockedUntil: null,
        principal: { role: 'ADMIN', keyId: null, keyPrefix: 'env:ADMIN_API_KEY', tenantId: null, tenant: null, plan: null },
      };
    }
    const found = await this.lookup(hash);
    if (!found) return refuse(Unauthenticated('The API key is not valid.'));
    const { key, tenant, plan } = found;
    const status = keyStatus(key, now);
    if (status === KeyStatus.REVOKED) return refuse(Unauthenticated('This API key was revoked.'), key);
    if (status === KeyStatus.EXPIRED) return refuse(Unauthenticated('This API key has expired.'), key);
    if (key.role === 'CLIENT') {
      if (!tenant || !plan) return refuse(Unauthenticated('The API key is not valid.'), key);
      if (tenant.status === TenantStatus.SUSPENDED) {
        return refuse(TenantSuspended('This tenant is suspended; contact your account manager.'), key, false);
      }
      if (tenant.trialEndsAt && tenant.trialEndsAt.getTime() <= now.getTime()) {
        return refuse(TenantSuspended(`The DEMO trial ended on ${tenant.trialEndsAt.toISOString()}.`), key, false);
      }
    }
    this.touch(key.id, now);
    return {
      ok: true,
      blockedUntil: key.blockedUntil && key.blockedUntil > now ? key.blockedUntil : null,
      principal: { role: key.role, keyId: key.id, keyPrefix: key.prefix, tenantId: key.tenantId, tenant, plan },
    };
  }

  /** Evicts a key from this process's cache (after revoke, rotate, block or unblock). */
  evictKey(hash: string): void {
    this.cache.delete(hash);
  }

  /** Evicts every cached key of a tenant (after suspension, plan change or deletion). */
  evictTenant(tenantId: string): void {
    for (const [hash, entry] of this.cache) if (entry.key.tenantId === tenantId) this.cache.delete(hash);
  }

  private async lookup(hash: string): Promise<CachedKey | null> {
    const cached = this.cache.get(hash);
    if (cached && Date.now() - cached.fetchedAt < this.cacheTtlMs) return cached;
    const key = await this.dataSource
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .leftJoinAndMapOne('k.tenant', Tenant, 't', 't.id = k.tenant_id')
      .leftJoinAndMapOne('t.plan', Plan, 'p', 'p.code = t.plan_code')
      .where('k.hash = :hash', { hash })
      .getOne();
    if (!key) {
      this.cache.delete(hash);
      return null;
    }
    const tenant = (key as ApiKey & { tenant?: Tenant }).tenant ?? null;
    const plan = (tenant as (Tenant & { plan?: Plan }) | null)?.plan ?? null;
    const entry = { key, tenant, plan, fetchedAt: Date.now() };
    if (this.cacheTtlMs > 0) this.cache.set(hash, entry);
    if (this.cache.size > 50_000) this.cache.clear();
    return entry;
  }

  // lastUsedAt is advisory: written at most once a minute per key, off the request path, so a busy key doesn't
  // turn every request into a write.
  private touch(keyId: string, now: Date): void {
    const last = this.lastTouched.get(keyId) ?? 0;
    if (now.getTime() - last < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(keyId, now.getTime());
    void this.dataSource
      .query('UPDATE api_key SET last_used_at = $2 WHERE id = $1', [keyId, now])
      .catch(() => this.lastTouched.delete(keyId));
  }
}
