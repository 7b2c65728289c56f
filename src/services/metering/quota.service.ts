import type { Clock } from '../../clock';
import type { Plan } from '../../entities/plan.entity';
import type { Tenant } from '../../entities/tenant.entity';
import type { ClientCaller } from '../../caller';
import { KeyKind } from '../../entities/enums';
import { NotFound, QuotaExceeded, VisitorCapExceeded } from '../../errors';
import type { Exchange } from '../conversations/exchange';
import type { Db } from '../data/db';
import type { TenantScope } from '../tenant-scope';
import type { UsageEntry } from '../usage/usage-sql';
import type { QuotaOperatorStore } from './quota.operator-store';
import { Batcher } from './batcher';
import { Lease, LeaseRequest, QuotaStore, ReadAhead, Refused, Reservation, SettleRequest, Taken, VisitorCount } from './quota.store';

export type { Lease, ReadAhead } from './quota.store';

/** Most leases one statement takes or settles: bounds its parameters' size and the time it holds the counter row. */
const MAX_BATCH = 64;

/**
 * What one batch of lease statements shares: one tenant and month, so any of its scopes' stores serves it. Each ask
 * carries its own audience and visitor's day, so a publishable key's asks go with the IT team's and other visitors'.
 */
function batchKey(scope: TenantScope, month: string): string {
  return `${scope.tenantId}|${month}`;
}

/**
 * Whether PostgreSQL refused a statement for what it met, not for being unreachable: the data it was given (a data
 * exception, class 22, or a broken constraint, class 23) or the locks of another transaction (a deadlock or a
 * serialization failure, class 40). The statement wrote nothing, and the same work in smaller pieces may succeed.
 */
function refusedForItsData(error: unknown): boolean {
  const code = (error as { driverError?: { code?: unknown } }).driverError?.code ?? (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23') || code === '40P01' || code === '40001');
}

export interface QuotaFigures {
  limit: number | null;
  used: number;
  remaining: number | null;
  resetsAt: Date;
  ratePerMinute: number;
}

/** The calendar month in UTC, as stored: "YYYY-MM". */
export function monthOf(now: Date): string {
  // toISOString().slice(0, 7) without formatting the whole date: every ask takes its lease under this month.
  return `${String(now.getUTCFullYear()).padStart(4, '0')}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** 00:00 UTC on the first of the next month. */
export function nextMonthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

/** 00:00 UTC of the next day: when a visitor's daily asks start again. */
export function nextDayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

/** The figures in force for a tenant: its overrides win over its plan's. */
export function effectiveLimits(tenant: Tenant, plan: Plan): { monthlyQuota: number | null; ratePerMinute: number } {
  return {
    monthlyQuota: tenant.quotaOverride ?? plan.monthlyQuota,
    ratePerMinute: tenant.rateOverride ?? plan.ratePerMinute,
  };
}

/**
 * Monthly quotas, exact under any concurrency and any number of processes (see QuotaStore.reserveMany). A reservation
 * is a lease: it lasts `leaseMs` (longer than any ask may run), and a lease whose process died is reclaimed by any
 * live process (`reclaimExpired`), given back and recorded as ERROR. Leases are taken, and settled, in batches: the
 * asks of one tenant that arrive while its previous lease (or settle) statement runs share the next one (Batcher),
 * so a tenant's busy minute costs a few statements on its counter row rather than one per ask.
 */
export class QuotaService {
  private readonly reserves = new Batcher((batch: { store: QuotaStore; month: string; limit: number | null }, asks: LeaseRequest[]) => this.reserveBatch(batch, asks), MAX_BATCH);
  private readonly settles = new Batcher((batch: { store: QuotaStore; month: string }, requests: SettleRequest[]) => this.settleBatch(batch, requests), MAX_BATCH);

  constructor(
    private readonly db: Db,
    private readonly store: QuotaOperatorStore,
    private readonly clock: Clock,
    private readonly leaseMs: number,
  ) {}

  /** A tenant's quota this month: the caller's own, or one the operator listed. */
  async status(tenant: Tenant, plan: Plan): Promise<QuotaFigures> {
    const { monthlyQuota, ratePerMinute } = effectiveLimits(tenant, plan);
    const now = new Date(this.clock.now());
    const used = await new QuotaStore(this.db, tenant.id).quotaUsed(monthOf(now));
    return this.figures(monthlyQuota, used, ratePerMinute);
  }

  figures(limit: number | null, used: number, ratePerMinute: number): QuotaFigures {
    return {
      limit,
      used,
      remaining: limit === null ? null : Math.max(0, limit - used),
      resetsAt: nextMonthStart(new Date(this.clock.now())),
      ratePerMinute,
    };
  }

  /**
   * Takes one request of this month's quota as a lease (and one of the visitor's day, when given), or throws
   * QUOTA_EXCEEDED; reads the conversation's recent turns with it when asked (see QuotaStore.reserveMany).
   */
  async reserve(
    scope: TenantScope,
    limit: number | null,
    holder: { apiKeyId: string | null; operation: string; ip: string | null },
    readAhead: ReadAhead | null,
    visitor: VisitorCount | null = null,
  ): Promise<Reservation> {
    const now = new Date(this.clock.now());
    const month = monthOf(now);
    const ask: LeaseRequest = { ...holder, startedAt: now, expiresAt: new Date(now.getTime() + this.leaseMs), readAhead, audience: scope.audience, visitor };
    const reserved = await this.reserves.submit(`${batchKey(scope, month)}|${limit}`, { store: scope.quota, month, limit }, ask);
    if ('refused' in reserved) throw reserved.refused === 'VISITOR' ? VisitorCapExceeded(nextDayStart(now)) : QuotaExceeded(nextMonthStart(now));
    return reserved;
  }

  /**
   * One batch of leases: in one statement when the quota and the visitors' days cover them, else the asks left
   * undecided one by one (in order), so that exactly the requests that fit are granted.
   */
  private async reserveBatch(batch: { store: QuotaStore; month: string; limit: number | null }, asks: LeaseRequest[]): Promise<(Reservation | Refused)[]> {
    const { store, month, limit } = batch;
    const taken = await store.reserveMany(month, limit, asks);
    const each: (Reservation | Refused)[] = [];
    for (const [i, ask] of asks.entries()) each.push(taken[i] ?? (await this.reserveAlone(store, month, limit, ask)));
    return each;
  }

  /** One ask in a batch of its own, which the statement always decides. */
  private async reserveAlone(store: QuotaStore, month: string, limit: number | null, ask: LeaseRequest): Promise<Reservation | Refused> {
    const [taken]: Taken[] = await store.reserveMany(month, limit, [ask]);
    if (!taken) throw new Error('A lease statement left its only ask undecided');
    return taken;
  }

  /**
   * The visitor count an ask also takes, when its tenant caps visitors (visitorAsksPerDay) and its key is
   * publishable; secret keys are the tenant's own IT team and are not capped. Counted per UTC day.
   */
  visitorCap(caller: ClientCaller): VisitorCount | null {
    const cap = caller.tenant.visitorAsksPerDay;
    if (cap === null || cap === undefined || caller.kind !== KeyKind.PUBLISHABLE) return null;
    return { day: new Date(this.clock.now()).toISOString().slice(0, 10), visitorId: caller.visitorId ?? '', cap };
  }

  /**
   * Ends a lease: kept when the answer was sent, given back otherwise. Its usage, and the exchange the operation
   * produced if any, are written by the same statement.
   */
  async settle(scope: TenantScope, lease: Lease, keep: boolean, usage: UsageEntry, exchange: Exchange | null): Promise<void> {
    const at = new Date(this.clock.now());
    // Every lease joins its tenant's next batch of settles (one tenant and month: one store serves it all).
    const stored = await this.settles.submit(batchKey(scope, lease.month), { store: scope.quota, month: lease.month }, { lease, keep, usage, at, exchange });
    if (keep && !stored) throw NotFound('Conversation');
  }

  /**
   * One batch of settles, in one statement and one commit. When PostgreSQL refuses it for what it met (the data of
   * one of them, or another transaction's locks: nothing of the statement was written), each is settled alone, so
   * only an offending one fails; any other failure is every one's.
   */
  private async settleBatch(batch: { store: QuotaStore; month: string }, requests: SettleRequest[]): Promise<(boolean | Promise<boolean>)[]> {
    const { store, month } = batch;
    try {
      return await store.settleMany(month, requests);
    } catch (error) {
      if (requests.length === 1 || !refusedForItsData(error)) throw error;
      const each = await Promise.allSettled(requests.map((one) => store.settleMany(month, [one])));
      return each.map((r) => (r.status === 'fulfilled' ? r.value[0] : Promise.reject(r.reason)));
    }
  }

  /** Forgets the visitors' counts of days before yesterday (UTC); returns how many. */
  purgeVisitorCounts(): Promise<number> {
    return this.store.purgeVisitorCounts(new Date(this.clock.now() - 86_400_000).toISOString().slice(0, 10));
  }

  /** Reclaims the leases of processes that died mid-ask; returns how many. */
  reclaimExpired(): Promise<number> {
    return this.store.reclaimExpiredLeases(new Date(this.clock.now()));
  }
}
