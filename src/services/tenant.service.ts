import { DataSource, EntityManager } from 'typeorm';
import { ApiKey, keyStatus } from '../entities/api-key.entity';
import { KeyStatus, PlanCode, TenantStatus } from '../entities/enums';
import { Plan } from '../entities/plan.entity';
import { Tenant } from '../entities/tenant.entity';
import { BadInput, NotFound } from '../errors';
import type { Principal } from './api-key.service';
import { ApiKeyService } from './api-key.service';
import { AuditService } from './audit.service';
import { normalizeOrigins } from './allowed-origins';
import { containsPattern, isUuid, Page, paginate } from './pagination';
import type { RetrievalIndex } from './retrieval/types';
import type { SharedState } from './shared-state/shared-state';

export interface CreateTenantFields {
  name: string;
  contactEmail: string;
  plan: PlanCode;
  slug?: string | null;
  allowedOrigins?: string[] | null;
}

/** Omitted fields stay as they are; an explicit null clears an override. */
export interface UpdateTenantFields {
  name?: string | null;
  contactEmail?: string | null;
  quotaOverride?: number | null;
  rateOverride?: number | null;
  allowedOrigins?: string[] | null;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DAY_MS = 86_400_000;

/** The operator's workflows on tenants and their keys. Every change is audited in its own transaction. */
export class TenantService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: ApiKeyService,
    private readonly audit: AuditService,
    private readonly index: RetrievalIndex,
    private readonly shared: SharedState,
  ) {}

  async get(id: string): Promise<Tenant> {
    const tenant = isUuid(id) ? await this.dataSource.getRepository(Tenant).findOneBy({ id }) : null;
    if (!tenant) throw NotFound('Tenant');
    return tenant;
  }

  async list(first: number, after: string | null | undefined, status?: TenantStatus | null, search?: string | null): Promise<Page<Tenant>> {
    const qb = this.dataSource.getRepository(Tenant).createQueryBuilder('t').where('true');
    if (status) qb.andWhere('t.status = :status', { status });
    const text = search?.trim();
    if (text) {
      qb.andWhere('(t.name ILIKE :pattern OR t.slug ILIKE :pattern OR t.contact_email ILIKE :pattern)', { pattern: containsPattern(text) });
    }
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt' });
  }

  async plan(code: PlanCode): Promise<Plan> {
    const plan = await this.dataSource.getRepository(Plan).findOneBy({ code });
    if (!plan) throw BadInput(`Unknown plan ${code}.`, 'plan');
    return plan;
  }

  async create(actor: Principal, input: CreateTenantFields): Promise<{ tenant: Tenant; key: ApiKey; secret: string }> {
    const name = requireText(input.name, 'name', 200);
    const contactEmail = requireEmail(input.contactEmail);
    const plan = await this.plan(input.plan);
    const allowedOrigins = normalizeOrigins(input.allowedOrigins ?? []);
    const explicitSlug = input.slug !== undefined && input.slug !== null;
    const slug = explicitSlug ? input.slug!.trim().toLowerCase() : slugify(name);
    if (!SLUG.test(slug)) throw BadInput('slug must be 1-64 lower-case letters, digits and inner hyphens.', 'slug');

    return this.dataSource.transaction(async (m) => {
      const now = new Date();
      const tenant = await m.getRepository(Tenant).save(
        m.getRepository(Tenant).create({
          slug: await this.freeSlug(m, slug, explicitSlug),
          name,
          contactEmail,
          planCode: plan.code,
          status: TenantStatus.ACTIVE,
          allowedOrigins,
          // Both from one instant, so the trial is exactly trialDays long from the creation the client sees.
          createdAt: now,
          updatedAt: now,
          trialEndsAt: plan.trialDays ? new Date(now.getTime() + plan.trialDays * DAY_MS) : null,
        }),
      );
      const { key, secret } = await this.keys.issue(m, {
        tenantId: tenant.id, role: 'CLIENT', kind: plan.code, name: 'default',
      });
      await this.audit.record(m, actor, 'createTenant', { type: 'tenant', id: tenant.id }, { slug: tenant.slug, plan: plan.code });
      return { tenant, key, secret };
    });
  }

  async update(actor: Principal, id: string, input: UpdateTenantFields): Promise<Tenant> {
    const changes: Partial<Tenant> = {};
    if (input.name !== undefined) changes.name = requireText(input.name, 'name', 200);
    if (input.contactEmail !== undefined) changes.contactEmail = requireEmail(input.contactEmail);
    if (input.quotaOverride !== undefined) changes.quotaOverride = optionalInt(input.quotaOverride, 'quotaOverride', 0);
    if (input.rateOverride !== undefined) changes.rateOverride = optionalInt(input.rateOverride, 'rateOverride', 1);
    if (input.allowedOrigins !== undefined) changes.allowedOrigins = normalizeOrigins(input.allowedOrigins ?? []);
    return this.change(actor, id, 'updateTenant', changes, { ...changes });
  }

  async changePlan(actor: Principal, id: string, code: PlanCode): Promise<Tenant> {
    const plan = await this.plan(code);
    return this.change(actor, id, 'changePlan', {}, { plan: code }, async (m, tenant) => {
      if (plan.maxActiveKeys !== null && (await this.activeKeyCount(m, tenant.id)) > plan.maxActiveKeys) {
        throw BadInput(`The ${code} plan allows ${plan.maxActiveKeys} active key; revoke the others first.`, 'plan');
      }
      tenant.planCode = plan.code;
      // A trial starts when a tenant moves onto DEMO and ends when it moves off it.
      tenant.trialEndsAt = plan.trialDays
        ? tenant.trialEndsAt ?? new Date(Date.now() + plan.trialDays * DAY_MS)
        : null;
    });
  }

  async suspend(actor: Principal, id: string, reason: string): Promise<Tenant> {
    const why = requireText(reason, 'reason', 1000);
    return this.change(actor, id, 'suspendTenant', { status: TenantStatus.SUSPENDED, suspendedReason: why }, { reason: why });
  }

  async reactivate(actor: Principal, id: string): Promise<Tenant> {
    return this.change(actor, id, 'reactivateTenant', { status: TenantStatus.ACTIVE, suspendedReason: null });
  }

  /** Erases the tenant and everything it owns: rows cascade in the database, and the index drops its part. */
  async delete(actor: Principal, id: string): Promise<boolean> {
    const tenant = await this.get(id);
    await this.index.removeTenant(tenant.id);
    await this.dataSource.transaction(async (m) => {
      await m.query('DELETE FROM tenant WHERE id = $1', [tenant.id]);
      await this.audit.record(m, actor, 'deleteTenant', { type: 'tenant', id: tenant.id }, { slug: tenant.slug });
    });
    this.keys.evictTenant(tenant.id);
    return true;
  }

  async issueKey(actor: Principal, tenantId: string, name: string, expiresAt?: Date | null): Promise<{ key: ApiKey; secret: string }> {
    const keyName = requireText(name, 'name', 100);
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw BadInput('expiresAt must be in the future.', 'expiresAt');
    const tenant = await this.get(tenantId);
    return this.dataSource.transaction(async (m) => {
      // Locks the tenant row so two concurrent issues can't both pass the one-key check.
      await m.query('SELECT id FROM tenant WHERE id = $1 FOR UPDATE', [tenant.id]);
      const plan = await m.getRepository(Plan).findOneByOrFail({ code: tenant.planCode });
      if (plan.maxActiveKeys !== null && (await this.activeKeyCount(m, tenant.id)) >= plan.maxActiveKeys) {
        throw BadInput(
          `The ${plan.code} plan allows ${plan.maxActiveKeys} active key; revoke or rotate the existing one, or move to BUSINESS.`,
          'tenantId',
        );
      }
      const issued = await this.keys.issue(m, { tenantId: tenant.id, role: 'CLIENT', kind: plan.code, name: keyName, expiresAt });
      await this.audit.record(m, actor, 'issueApiKey', { type: 'apiKey', id: issued.key.id }, { tenantId: tenant.id });
      return issued;
    });
  }

  /** A new secret for the same tenant and name; the old key keeps working for `graceSeconds`, then expires. */
  async rotateKey(actor: Principal, id: string, graceSeconds: number): Promise<{ key: ApiKey; secret: string }> {
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > 30 * 86_400) {
      throw BadInput('graceSeconds must be between 0 and 2592000 (30 days).', 'graceSeconds');
    }
    return this.dataSource.transaction(async (m) => {
      const old = await this.lockKey(m, id);
      if (keyStatus(old, new Date()) !== KeyStatus.ACTIVE) throw BadInput('Only an active key can be rotated.', 'id');
      const tenant = old.tenantId ? await m.getRepository(Tenant).findOneByOrFail({ id: old.tenantId }) : null;
      const issued = await this.keys.issue(m, {
        tenantId: old.tenantId, role: old.role, kind: tenant ? tenant.planCode : 'ADMIN', name: old.name, expiresAt: old.expiresAt,
      });
      const now = new Date();
      const graceEnd = new Date(now.getTime() + graceSeconds * 1000);
      if (graceSeconds === 0) old.revokedAt = now;
      else old.expiresAt = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd;
      old.replacedBy = issued.key.id;
      await m.getRepository(ApiKey).save(old);
      await this.audit.record(m, actor, 'rotateApiKey', { type: 'apiKey', id: old.id }, { newKeyId: issued.key.id, graceSeconds });
      this.keys.evictKey(old.hash);
      return issued;
    });
  }

  async revokeKey(actor: Principal, id: string): Promise<ApiKey> {
    return this.dataSource.transaction(async (m) => {
      const key = await this.lockKey(m, id);
      key.revokedAt ??= new Date();
      await m.getRepository(ApiKey).save(key);
      await this.audit.record(m, actor, 'revokeApiKey', { type: 'apiKey', id: key.id });
      this.keys.evictKey(key.hash);
      return key;
    });
  }

  async unblockKey(actor: Principal, id: string): Promise<ApiKey> {
    const key = await this.dataSource.transaction(async (m) => {
      const key = await this.lockKey(m, id);
      key.blockedUntil = null;
      await m.getRepository(ApiKey).save(key);
      await this.audit.record(m, actor, 'unblockApiKey', { type: 'apiKey', id: key.id });
      return key;
    });
    await this.shared.clear(`block:key:${key.id}`);
    await this.shared.clear(`refusals:key:${key.id}`);
    this.keys.evictKey(key.hash);
    return key;
  }

  private async change(
    actor: Principal,
    id: string,
    action: string,
    changes: Partial<Tenant>,
    detail: Record<string, unknown> = {},
    mutate?: (m: EntityManager, tenant: Tenant) => Promise<void>,
  ): Promise<Tenant> {
    if (!isUuid(id)) throw NotFound('Tenant');
    const tenant = await this.dataSource.transaction(async (m) => {
      const tenant = await m.getRepository(Tenant).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!tenant) throw NotFound('Tenant');
      Object.assign(tenant, changes, { updatedAt: new Date() });
      await mutate?.(m, tenant);
      await m.getRepository(Tenant).save(tenant);
      await this.audit.record(m, actor, action, { type: 'tenant', id }, detail);
      return tenant;
    });
    this.keys.evictTenant(tenant.id);
    return tenant;
  }

  private async lockKey(m: EntityManager, id: string): Promise<ApiKey> {
    const key = isUuid(id) ? await m.getRepository(ApiKey).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!key) throw NotFound('API key');
    return key;
  }

  private async activeKeyCount(m: EntityManager, tenantId: string): Promise<number> {
    const [{ n }] = await m.query(
      `SELECT count(*)::int AS n FROM api_key
       WHERE tenant_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [tenantId],
    );
    return n;
  }

  private async freeSlug(m: EntityManager, slug: string, explicit: boolean): Promise<string> {
    const taken = async (s: string) => (await m.getRepository(Tenant).countBy({ slug: s })) > 0;
    if (!(await taken(slug))) return slug;
    if (explicit) throw BadInput(`The slug "${slug}" is already taken.`, 'slug');
    for (let i = 2; ; i++) {
      const candidate = `${slug.slice(0, 60)}-${i}`;
      if (!(await taken(candidate))) return candidate;
    }
  }
}

function requireText(value: string | null | undefined, field: string, max: number): string {
  const text = (value ?? '').trim();
  if (text.length === 0 || text.length > max) throw BadInput(`${field} must be 1 to ${max} characters.`, field);
  return text;
}

function requireEmail(value: string | null | undefined): string {
  const email = requireText(value, 'contactEmail', 254);
  if (!EMAIL.test(email)) throw BadInput('contactEmail is not an email address.', 'contactEmail');
  return email;
}

function optionalInt(value: number | null, field: string, min: number): number | null {
  if (value === null) return null;
  if (!Number.isInteger(value) || value < min || value > 1_000_000_000) throw BadInput(`${field} must be an integer ≥ ${min}, or null.`, field);
  return value;
}

function slugify(name: string): string {
  const slug = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug || 'tenant';
}
