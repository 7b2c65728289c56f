import type { Actor } from '../../caller';
import type { Clock } from '../../clock';
import { KeyKind, PlanCode, TenantStatus } from '../../entities/enums';
import type { Plan } from '../../entities/plan.entity';
import type { Tenant } from '../../entities/tenant.entity';
import { BadInput, NotFound, UpstreamUnavailable } from '../../errors';
import { normalizeOrigins } from '../allowed-origins';
import type { AuditService } from '../audit/audit.service';
import type { DataLayer } from '../data/data-layer';
import type { Db } from '../data/db';
import type { ApiKeyService, IssuedKey } from '../keys/api-key.service';
import { DEFAULT_PROMPT_LIMITS } from '../generation/prompt';
import type { Page } from '../pagination';
import type { RetrievalIndex } from '../retrieval/types';
import { Audience, WHOLE_TENANT } from '../audience';
import { TenantScope } from '../tenant-scope';
import { optionalInt, requireEmail, requireText } from '../validation';
import type { TenantOperatorStore } from './tenant.operator-store';

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
  documentSelfService?: boolean | null;
  visitorAsksPerDay?: number | null;
}

/**
 * Told of tenant changes inside their transaction, so what follows from them (Stripe billing) is queued with the
 * change itself and never lost if the process stops after the commit.
 */
export interface TenantChangeListener {
  /** A tenant was created, or moved to another plan. */
  planSet(tx: Db, tenant: Tenant): Promise<void>;
  /** A tenant is about to be deleted (its rows are still there). */
  deleting(tx: Db, tenantId: string): Promise<void>;
  /** The transaction of one of the above committed: what it queued may now be sent. */
  committed(): void;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const DAY_MS = 86_400_000;
// As much of them as the prompt carries.
const MAX_INSTRUCTION_CHARS = DEFAULT_PROMPT_LIMITS.maxInstructionChars;

/** The operator's workflows on tenants. Every change is audited in its own transaction. */
export class TenantService {
  private catalogue?: Promise<Plan[]>;
  private listener?: TenantChangeListener;

  constructor(
    private readonly data: DataLayer,
    private readonly store: TenantOperatorStore,
    private readonly keys: ApiKeyService,
    private readonly audit: AuditService,
    private readonly index: RetrievalIndex,
    private readonly clock: Clock,
  ) {}

  /** Set once at start-up, when Stripe billing is on. */
  listen(listener: TenantChangeListener): void {
    this.listener = listener;
  }

  /** A tenant the operator names by id; NOT_FOUND for anything else. */
  async get(id: string): Promise<Tenant> {
    const tenant = await this.store.tenant(id);
    if (!tenant) throw NotFound('Tenant');
    return tenant;
  }

  /** The operator's handle on one tenant's data: the tenant it names by id (NOT_FOUND for anything else). */
  async scope(id: string): Promise<TenantScope> {
    return this.scopeOf(await this.get(id));
  }

  /**
   * The data of a tenant already read (a caller's, or one the operator named): the whole tenant, or, for a
   * publishable key, one visitor's conversations (see TenantScope).
   */
  scopeOf(tenant: Tenant, audience: Audience = WHOLE_TENANT): TenantScope {
    return new TenantScope(this.data.db, tenant.id, audience);
  }

  /** Some tenants by id, those that exist (for lists, batched). */
  byIds(ids: readonly string[]): Promise<Tenant[]> {
    return this.store.tenantsByIds(ids);
  }

  list(first: number, after: string | null | undefined, status?: TenantStatus | null, search?: string | null): Promise<Page<Tenant>> {
    return this.store.tenants(first, after, status, search);
  }

  /**
   * The plan catalogue, read once per process: only migrations write it, and they run before a process serves, so
   * a keyed `me { plan }` or `plans` costs no statement. A failed read is not kept.
   */
  plans(): Promise<Plan[]> {
    this.catalogue ??= this.store.plans().catch((error) => {
      this.catalogue = undefined;
      throw error;
    });
    return this.catalogue;
  }

  async plan(code: PlanCode, tx: Db | null = null): Promise<Plan> {
    const plan = await (tx ? this.store.within(tx) : this.store).plan(code);
    if (!plan) throw BadInput(`Unknown plan ${code}.`, 'plan');
    return plan;
  }

  async create(actor: Actor, input: CreateTenantFields): Promise<{ tenant: Tenant } & IssuedKey> {
    const name = requireText(input.name, 'name', 200);
    const contactEmail = requireEmail(input.contactEmail);
    const plan = await this.plan(input.plan);
    const allowedOrigins = normalizeOrigins(input.allowedOrigins ?? []);
    const explicitSlug = input.slug !== undefined && input.slug !== null;
    const slug = explicitSlug ? input.slug!.trim().toLowerCase() : slugify(name);
    if (!SLUG.test(slug)) throw BadInput('slug must be 1-64 lower-case letters, digits and inner hyphens.', 'slug');

    const created = await this.data.transaction(async (tx) => {
      const db = this.store.within(tx);
      const now = new Date(this.clock.now());
      const tenant = await db.saveTenant(
        db.newTenant({
          slug: await freeSlug(db, slug, explicitSlug),
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
      const { key, secret } = await this.keys.issue(tx, { tenantId: tenant.id, role: 'CLIENT', plan: plan.code, name: 'default' });
      await this.audit.record(tx, actor, 'createTenant', { type: 'tenant', id: tenant.id }, { slug: tenant.slug, plan: plan.code });
      await this.listener?.planSet(tx, tenant);
      return { tenant, key, secret };
    });
    this.listener?.committed();
    return created;
  }

  async update(actor: Actor, id: string, input: UpdateTenantFields): Promise<Tenant> {
    const changes: Partial<Tenant> = {};
    if (input.name !== undefined) changes.name = requireText(input.name, 'name', 200);
    if (input.contactEmail !== undefined) changes.contactEmail = requireEmail(input.contactEmail);
    if (input.quotaOverride !== undefined) changes.quotaOverride = optionalInt(input.quotaOverride, 'quotaOverride', 0);
    if (input.rateOverride !== undefined) changes.rateOverride = optionalInt(input.rateOverride, 'rateOverride', 1);
    if (input.allowedOrigins !== undefined) changes.allowedOrigins = normalizeOrigins(input.allowedOrigins ?? []);
    if (input.documentSelfService !== undefined) changes.documentSelfService = input.documentSelfService ?? false;
    if (input.visitorAsksPerDay !== undefined) changes.visitorAsksPerDay = optionalInt(input.visitorAsksPerDay, 'visitorAsksPerDay', 1);
    return this.change(actor, id, 'updateTenant', changes, { ...changes });
  }

  async changePlan(actor: Actor, id: string, code: PlanCode): Promise<Tenant> {
    const tenant = await this.change(actor, id, 'changePlan', {}, { plan: code }, async (tx, tenant) => {
      const plan = await this.plan(code, tx);
      // The plan's key rule counts publishable keys; secret keys are free on every plan.
      const active = await new TenantScope(tx, tenant.id).keys.activeKeyCount(new Date(this.clock.now()), KeyKind.PUBLISHABLE);
      if (plan.maxActiveKeys !== null && active > plan.maxActiveKeys) {
        throw BadInput(`The ${code} plan allows ${plan.maxActiveKeys} active publishable key; revoke the others first.`, 'plan');
      }
      tenant.planCode = plan.code;
      // A trial starts when a tenant moves onto DEMO and ends when it moves off it.
      tenant.trialEndsAt = plan.trialDays ? tenant.trialEndsAt ?? new Date(this.clock.now() + plan.trialDays * DAY_MS) : null;
      await this.listener?.planSet(tx, tenant);
    });
    this.listener?.committed();
    return tenant;
  }

  /**
   * The database decides whether a tenant is served, so it changes first; the index then lets the tenant's part
   * rest. When the index cannot be reached the suspension holds all the same, and the operator is told so: suspending
   * again (it repeats harmlessly) settles the index.
   */
  async suspend(actor: Actor, id: string, reason: string): Promise<Tenant> {
    const why = requireText(reason, 'reason', 1000);
    const tenant = await this.change(actor, id, 'suspendTenant', { status: TenantStatus.SUSPENDED, suspendedReason: why }, { reason: why });
    await this.inIndex(() => this.index.suspendTenant?.(tenant.id));
    return tenant;
  }

  /** As `suspend`: a failed index call leaves the tenant served but unable to search, until reactivated again. */
  async reactivate(actor: Actor, id: string): Promise<Tenant> {
    const tenant = await this.change(actor, id, 'reactivateTenant', { status: TenantStatus.ACTIVE, suspendedReason: null });
    await this.inIndex(() => this.index.reactivateTenant?.(tenant.id));
    return tenant;
  }

  /**
   * Sets the tenant's instructions to the assistant (null or blank: none). Asks see them once their key's tenant row
   * is read again: at once on this process, within KEY_CACHE_TTL_MS on the others.
   */
  async setInstructions(actor: Actor, id: string, instructions: string | null): Promise<Tenant> {
    const text = instructions?.trim() || null;
    if (text && text.length > MAX_INSTRUCTION_CHARS) throw BadInput(`instructions must be at most ${MAX_INSTRUCTION_CHARS} characters.`, 'instructions');
    return this.change(actor, id, 'setAssistantInstructions', { assistantInstructions: text }, { chars: text?.length ?? 0 });
  }

  /**
   * Suspends inside the caller's transaction (billing: a payment not made in time), only if `when` holds for the
   * tenant once locked; null when the tenant is gone or `when` said no. The caller calls `forget` after the commit.
   */
  suspendWithin(tx: Db, actor: Actor, id: string, reason: string, when: (tenant: Tenant) => boolean): Promise<Tenant | null> {
    return this.changeWithin(tx, actor, id, 'suspendTenant', { status: TenantStatus.SUSPENDED, suspendedReason: reason }, { reason }, when);
  }

  /** Reactivates inside the caller's transaction (billing: the invoice was paid), as suspendWithin. */
  reactivateWithin(tx: Db, actor: Actor, id: string, when: (tenant: Tenant) => boolean): Promise<Tenant | null> {
    return this.changeWithin(tx, actor, id, 'reactivateTenant', { status: TenantStatus.ACTIVE, suspendedReason: null }, {}, when);
  }

  /** Keys verified before a change made within another transaction stop being trusted. */
  forget(tenantId: string): void {
    this.keys.evictTenant(tenantId);
  }

  /** Erases the tenant and everything it owns: rows cascade in the database, and the index drops its part. */
  async delete(actor: Actor, id: string): Promise<boolean> {
    const tenant = await this.get(id);
    await this.inIndex(() => this.index.removeTenant(tenant.id));
    await this.data.transaction(async (tx) => {
      await this.listener?.deleting(tx, tenant.id);
      await this.store.within(tx).deleteTenant(tenant.id);
      await this.audit.record(tx, actor, 'deleteTenant', { type: 'tenant', id: tenant.id }, { slug: tenant.slug });
    });
    this.keys.evictTenant(tenant.id);
    this.listener?.committed();
    return true;
  }

  /** An index call of an operator workflow: an unreachable index is the contract's UPSTREAM_UNAVAILABLE. */
  private async inIndex(work: () => Promise<void> | undefined): Promise<void> {
    try {
      await work();
    } catch (error) {
      throw Object.assign(UpstreamUnavailable('document index'), { cause: error });
    }
  }

  private async change(
    actor: Actor,
    id: string,
    action: string,
    changes: Partial<Tenant>,
    detail: Record<string, unknown> = {},
    mutate?: (tx: Db, tenant: Tenant) => Promise<void>,
  ): Promise<Tenant> {
    const tenant = await this.data.transaction(async (tx) => {
      const tenant = await this.changeWithin(tx, actor, id, action, changes, detail, () => true, mutate);
      if (!tenant) throw NotFound('Tenant');
      return tenant;
    });
    this.keys.evictTenant(tenant.id);
    return tenant;
  }

  private async changeWithin(
    tx: Db,
    actor: Actor,
    id: string,
    action: string,
    changes: Partial<Tenant>,
    detail: Record<string, unknown>,
    when: (tenant: Tenant) => boolean,
    mutate?: (tx: Db, tenant: Tenant) => Promise<void>,
  ): Promise<Tenant | null> {
    const db = this.store.within(tx);
    const tenant = await db.tenant(id, { lock: true });
    if (!tenant || !when(tenant)) return null;
    Object.assign(tenant, changes, { updatedAt: new Date(this.clock.now()) });
    await mutate?.(tx, tenant);
    await db.saveTenant(tenant);
    await this.audit.record(tx, actor, action, { type: 'tenant', id }, detail);
    return tenant;
  }
}

async function freeSlug(db: TenantOperatorStore, slug: string, explicit: boolean): Promise<string> {
  if (!(await db.slugTaken(slug))) return slug;
  if (explicit) throw BadInput(`The slug "${slug}" is already taken.`, 'slug');
  for (let i = 2; ; i++) {
    const candidate = `${slug.slice(0, 60)}-${i}`;
    if (!(await db.slugTaken(candidate))) return candidate;
  }
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
