import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor, Caller } from '../../caller';
import type { Clock } from '../../clock';
import { ApiKey, keyStatus } from '../../entities/api-key.entity';
import { KeyKind, KeyRole, KeyStatus, PlanCode, TenantStatus } from '../../entities/enums';
import type { Plan } from '../../entities/plan.entity';
import type { Tenant } from '../../entities/tenant.entity';
import { AppError, BadInput, NotFound, TenantSuspended, Unauthenticated } from '../../errors';
import type { AbuseService } from '../abuse/abuse.service';
import type { AuditService } from '../audit/audit.service';
import type { DataLayer } from '../data/data-layer';
import type { Db } from '../data/db';
import { TenantScope } from '../tenant-scope';
import type { TenantOperatorStore } from '../tenants/tenant.operator-store';
import { requireText } from '../validation';
import type { KeyOperatorStore } from './key.operator-store';

/** What authentication learnt: the caller, or the refusal and whatever could be attributed to it. */
export type AuthResult =
  | { ok: true; caller: Caller; blockedUntil: Date | null }
  | { ok: false; error: AppError; tenantId: string | null; keyId: string | null; badCredential: boolean };

export interface IssuedKey {
  key: ApiKey;
  secret: string;
}

const KEY_FORMAT = /^(sk_(demo|starter|business|enterprise|admin)|pk_(demo|starter|business|enterprise))_[A-Za-z0-9_-]{43}$/;
/** Active secret keys a tenant may hold at no charge, whatever its plan (the plan's key rules count publishable keys). */
export const MAX_ACTIVE_SECRET_KEYS = 3;
const TOUCH_INTERVAL_MS = 60_000;
const MAX_GRACE_SECONDS = 30 * 86_400;
// Any constant: serialises the first-start admin key check between processes sharing a database.
const ADMIN_KEY_LOCK = 7_304_119;

interface CachedKey {
  key: ApiKey;
  tenant: Tenant | null;
  plan: Plan | null;
  fetchedAt: number;
}

/**
 * The whole life of an API key: issue, verify, rotate with grace, revoke, unblock. A key is
 * `sk_<plan|admin>_<43 base64url chars>` (secret) or `pk_<plan>_<43 base64url chars>` (publishable); the database keeps only an HMAC-SHA-256 under the server pepper and a
 * 16-character display prefix. Verification is one indexed query on the hash, cached briefly per process;
 * revocations, rotations and suspensions made here evict the cache at once.
 */
export class ApiKeyService {
  private readonly cache = new Map<string, CachedKey>();
  /** Lookups under way: when a busy key's entry expires, its concurrent requests share one query, not one each. */
  private readonly inFlight = new Map<string, Promise<CachedKey | null>>();
  private readonly lastTouched = new Map<string, number>();
  private readonly envAdminHash: Buffer | null;

  constructor(
    private readonly data: DataLayer,
    private readonly store: KeyOperatorStore,
    private readonly tenants: TenantOperatorStore,
    private readonly audit: AuditService,
    private readonly abuse: AbuseService,
    private readonly clock: Clock,
    private readonly options: { pepper: string; cacheTtlMs: number; envAdminKey?: string },
  ) {
    this.envAdminHash = options.envAdminKey ? Buffer.from(this.hash(options.envAdminKey), 'hex') : null;
  }

  hash(key: string): string {
    return createHmac('sha256', this.options.pepper).update(key).digest('hex');
  }

  /** Inserts a new key row (inside the transaction `tx` when given) and returns it with its secret, which is never stored or shown again. */
  async issue(
    tx: Db | null,
    input: { tenantId: string | null; role: KeyRole; plan: PlanCode | 'ADMIN'; kind?: KeyKind; name: string; expiresAt?: Date | null },
  ): Promise<IssuedKey> {
    const kind = input.kind ?? KeyKind.SECRET;
    const secret = `${kind === KeyKind.PUBLISHABLE ? 'pk' : 'sk'}_${input.plan.toLowerCase()}_${randomBytes(32).toString('base64url')}`;
    const db = tx ? this.store.within(tx) : this.store;
    const key = await db.saveKey(
      db.newKey({
        tenantId: input.tenantId, role: input.role, kind, name: input.name, prefix: secret.slice(0, 16), hash: this.hash(secret),
        expiresAt: input.expiresAt ?? null,
      }),
    );
    return { key, secret };
  }

  /**
   * issueApiKey: a new key of the tenant. Publishable keys are what the plan's key rules count (one active key on
   * DEMO and STARTER); a tenant holds up to MAX_ACTIVE_SECRET_KEYS active secret keys on any plan, at no charge.
   */
  async issueForTenant(actor: Actor, tenantId: string, name: string, expiresAt?: Date | null, kind: KeyKind = KeyKind.SECRET): Promise<IssuedKey> {
    const keyName = requireText(name, 'name', 100);
    const now = this.now();
    if (expiresAt && expiresAt.getTime() <= now.getTime()) throw BadInput('expiresAt must be in the future.', 'expiresAt');
    const found = await this.tenants.tenant(tenantId);
    if (!found) throw NotFound('Tenant');
    return this.data.transaction(async (tx) => {
      const scope = new TenantScope(tx, found.id);
      // Locks the tenant row so two concurrent issues can't both pass the one-key check.
      await scope.tenant.lockTenant();
      const tenant = (await scope.tenant.tenant())!;
      const plan = (await this.tenants.within(tx).plan(tenant.planCode))!;
      const active = await scope.keys.activeKeyCount(now, kind);
      if (kind === KeyKind.PUBLISHABLE && plan.maxActiveKeys !== null && active >= plan.maxActiveKeys) {
        throw BadInput(
          `The ${plan.code} plan allows ${plan.maxActiveKeys} active publishable key; revoke or rotate the existing one, or move to BUSINESS.`,
          'kind',
        );
      }
      if (kind === KeyKind.SECRET && active >= MAX_ACTIVE_SECRET_KEYS) {
        throw BadInput(`A tenant holds at most ${MAX_ACTIVE_SECRET_KEYS} active secret keys; revoke or rotate one first.`, 'kind');
      }
      const issued = await this.issue(tx, { tenantId: tenant.id, role: 'CLIENT', plan: plan.code, kind, name: keyName, expiresAt });
      await this.audit.record(tx, actor, 'issueApiKey', { type: 'apiKey', id: issued.key.id }, { tenantId: tenant.id });
      return issued;
    });
  }

  /**
   * A new secret for the same tenant, name and kind; the old key keeps working for `graceSeconds`, then expires.
   * `ofTenant` limits the keys a secret key may name to its own tenant's (another's: NOT_FOUND); null for the operator.
   */
  async rotate(actor: Actor, id: string, graceSeconds: number, ofTenant: string | null = null): Promise<IssuedKey> {
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS) {
      throw BadInput(`graceSeconds must be between 0 and ${MAX_GRACE_SECONDS} (30 days).`, 'graceSeconds');
    }
    return this.data.transaction(async (tx) => {
      const db = this.store.within(tx);
      const old = await this.lockKey(db, id, ofTenant);
      const now = this.now();
      if (keyStatus(old, now) !== KeyStatus.ACTIVE) throw BadInput('Only an active key can be rotated.', 'id');
      const tenant = old.tenantId ? await this.tenants.within(tx).tenant(old.tenantId) : null;
      const issued = await this.issue(tx, {
        tenantId: old.tenantId, role: old.role, plan: tenant ? tenant.planCode : 'ADMIN', kind: old.kind, name: old.name, expiresAt: old.expiresAt,
      });
      const graceEnd = new Date(now.getTime() + graceSeconds * 1000);
      if (graceSeconds === 0) old.revokedAt = now;
      else old.expiresAt = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd;
      old.replacedBy = issued.key.id;
      await db.saveKey(old);
      await this.audit.record(tx, actor, 'rotateApiKey', { type: 'apiKey', id: old.id }, { newKeyId: issued.key.id, graceSeconds });
      this.evictKey(old.hash);
      return issued;
    });
  }

  /** Stops a key at once; `ofTenant` as for rotate. */
  async revoke(actor: Actor, id: string, ofTenant: string | null = null): Promise<ApiKey> {
    return this.data.transaction(async (tx) => {
      const db = this.store.within(tx);
      const key = await this.lockKey(db, id, ofTenant);
      key.revokedAt ??= this.now();
      await db.saveKey(key);
      await this.audit.record(tx, actor, 'revokeApiKey', { type: 'apiKey', id: key.id });
      this.evictKey(key.hash);
      return key;
    });
  }

  async unblock(actor: Actor, id: string): Promise<ApiKey> {
    const key = await this.data.transaction(async (tx) => {
      const db = this.store.within(tx);
      const key = await this.lockKey(db, id);
      key.blockedUntil = null;
      await db.saveKey(key);
      await this.audit.record(tx, actor, 'unblockApiKey', { type: 'apiKey', id: key.id });
      return key;
    });
    await this.abuse.liftKeyBlock(key.id);
    this.evictKey(key.hash);
    return key;
  }

  async authenticate(presented: string): Promise<AuthResult> {
    const refuse = (error: AppError, key?: ApiKey, badCredential = true): AuthResult => ({
      ok: false, error, tenantId: key?.tenantId ?? null, keyId: key?.id ?? null, badCredential,
    });
    // A malformed key can't match anything: refuse without a database round trip.
    if (!KEY_FORMAT.test(presented)) return refuse(Unauthenticated('The API key is not valid.'));
    const hash = this.hash(presented);
    if (this.envAdminHash && timingSafeEqual(Buffer.from(hash, 'hex'), this.envAdminHash)) {
      return { ok: true, blockedUntil: null, caller: { role: 'ADMIN', keyId: null, keyPrefix: 'env:ADMIN_API_KEY' } };
    }
    const found = await this.lookup(hash);
    if (!found) return refuse(Unauthenticated('The API key is not valid.'));
    const { key, tenant, plan } = found;
    const now = this.now();
    const status = keyStatus(key, now);
    // A key we issued and stopped (revoked, expired, rotated past its grace) is no guess at a credential: it is an
    // old page still cached somewhere (behind one hospital NAT, dozens of them). Refused, but not counted towards
    // the IP block, which would otherwise lock every key of that address out. Unknown and malformed keys count.
    if (status === KeyStatus.REVOKED) return refuse(Unauthenticated('This API key was revoked.'), key, false);
    if (status === KeyStatus.EXPIRED) return refuse(Unauthenticated('This API key has expired.'), key, false);
    const blockedUntil = key.blockedUntil && key.blockedUntil > now ? key.blockedUntil : null;
    this.touch(key.id, now);
    if (key.role === 'ADMIN') return { ok: true, blockedUntil, caller: { role: 'ADMIN', keyId: key.id, keyPrefix: key.prefix } };
    if (!tenant || !plan) return refuse(Unauthenticated('The API key is not valid.'), key);
    if (tenant.status === TenantStatus.SUSPENDED) {
      return refuse(TenantSuspended('This tenant is suspended; contact your account manager.'), key, false);
    }
    if (tenant.trialEndsAt && tenant.trialEndsAt.getTime() <= now.getTime()) {
      return refuse(TenantSuspended(`The DEMO trial ended on ${tenant.trialEndsAt.toISOString()}.`), key, false);
    }
    return { ok: true, blockedUntil, caller: { role: 'CLIENT', kind: key.kind, keyId: key.id, keyPrefix: key.prefix, tenant, plan, visitorId: null } };
  }

  /**
   * Without ADMIN_API_KEY, the operator needs some way in: at first start (no admin key in the database yet) one is
   * generated and returned to be printed once. Its hash is stored like any other key.
   */
  async ensureFirstAdminKey(): Promise<string | null> {
    if (this.options.envAdminKey) return null;
    return this.data.transaction(async (tx) => {
      const db = this.store.within(tx);
      await db.lockAdminKeys(ADMIN_KEY_LOCK);
      if ((await db.adminKeyCount()) > 0) return null;
      const { secret } = await this.issue(tx, { tenantId: null, role: 'ADMIN', plan: 'ADMIN', name: 'first admin key' });
      return secret;
    });
  }

  /** The keys of some tenants, oldest first (for Tenant.keys, batched). */
  ofTenants(tenantIds: readonly string[]): Promise<ApiKey[]> {
    return this.store.keysOfTenants(tenantIds);
  }

  /** Evicts a key from this process's cache (after revoke, rotate, block or unblock). */
  evictKey(hash: string): void {
    this.cache.delete(hash);
    this.inFlight.delete(hash);
  }

  /** Evicts every cached key of a tenant (after suspension, plan change or deletion). */
  evictTenant(tenantId: string): void {
    for (const [hash, entry] of this.cache) if (entry.key.tenantId === tenantId) this.cache.delete(hash);
    this.inFlight.clear();
  }

  private now(): Date {
    return new Date(this.clock.now());
  }

  private async lockKey(db: KeyOperatorStore, id: string, ofTenant: string | null = null): Promise<ApiKey> {
    const key = await db.key(id, { lock: true });
    // Another tenant's key, or an admin key, is as absent to a tenant's secret key as one that does not exist.
    if (!key || (ofTenant !== null && key.tenantId !== ofTenant)) throw NotFound('API key');
    return key;
  }

  private lookup(hash: string): Promise<CachedKey | null> {
    const cached = this.cache.get(hash);
    if (cached && this.clock.now() - cached.fetchedAt < this.options.cacheTtlMs) return Promise.resolve(cached);
    let pending = this.inFlight.get(hash);
    if (!pending) {
      pending = this.fetch(hash).finally(() => {
        if (this.inFlight.get(hash) === pending) this.inFlight.delete(hash);
      });
      this.inFlight.set(hash, pending);
    }
    return pending;
  }

  private async fetch(hash: string): Promise<CachedKey | null> {
    const now = this.clock.now();
    const found = await this.store.keyByHash(hash);
    if (!found) {
      this.cache.delete(hash);
      return null;
    }
    const entry = { ...found, fetchedAt: now };
    if (this.options.cacheTtlMs > 0) this.cache.set(hash, entry);
    if (this.cache.size > 50_000) this.cache.clear();
    return entry;
  }

  // lastUsedAt is advisory: written at most once a minute per key, off the request path, so a busy key doesn't
  // turn every request into a write.
  private touch(keyId: string, now: Date): void {
    const last = this.lastTouched.get(keyId) ?? 0;
    if (now.getTime() - last < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(keyId, now.getTime());
    void this.store.touchKey(keyId, now).catch(() => this.lastTouched.delete(keyId));
  }
}
