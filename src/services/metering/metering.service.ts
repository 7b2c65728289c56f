import type { ClientCaller } from '../../caller';
import type { Clock } from '../../clock';
import { ClientClosed, RateLimited, usageCodeOf, usageOutcomeOf } from '../../errors';
import type { AbuseService } from '../abuse/abuse.service';
import type { Exchange, Turn } from '../conversations/exchange';
import type { Db } from '../data/db';
import type { RateDecision, RateLimitService } from '../rate-limit.service';
import type { TenantScope } from '../tenant-scope';
import type { UsageOperatorStore } from '../usage/usage.operator-store';
import type { UsageEntry } from '../usage/usage-sql';
import { UsageStore } from '../usage/usage.store';
import { effectiveLimits, QuotaFigures, QuotaService } from './quota.service';
import type { QuotaAlertService } from './quota-alert.service';
import type { ReadAhead } from './quota.store';

/** What metering needs from the request, without depending on the GraphQL context. */
export interface MeterRequest {
  caller: ClientCaller;
  /** The caller's own tenant data, built from it with the request's context. */
  scope: TenantScope;
  ip: string;
  /** Receives the rate figures for the RateLimit-* headers. */
  onRate(decision: RateDecision): void;
  /** The conversation the operation continues, whose recent turns the lease statement reads for it. */
  readAhead: ReadAhead | null;
  /** Whether part of the answer has reached the client (a streamed one: a delta was sent). */
  delivered(): boolean;
}

/**
 * What a metered operation exchanges with the two statements around it, so it needs none of its own for them.
 * `history` was read by the statement that took the lease (null when the operation continues no conversation).
 * `exchange` is left for the statement that settles the lease, so an answer and its charge commit together, in one
 * round trip; filled by the operation, also when it then fails (a streamed answer cut short keeps what was delivered).
 */
export interface LeaseIo {
  readonly history: Turn[] | null;
  exchange: Exchange | null;
}

/** What a metered operation returns: at least the tokens it used. */
export interface MeteredResult {
  usage: { inputTokens: number; outputTokens: number };
}

/**
 * The @metered layer, wrapped around the operation: rate window first (cheap, in memory or Redis), then the quota
 * lease (one statement in PostgreSQL), then the operation, then the lease settled in one statement with the usage
 * record and what the operation left in its LeaseIo: kept when the operation succeeded (or its client closed a stream
 * after part of the answer reached it), given back when it threw, so only answers that were delivered use quota.
 * Every outcome is recorded in usage. The operation knows nothing of quotas or rates; it reads what the lease
 * statement read for it and leaves its writes in the LeaseIo.
 */
export class MeteringService {
  constructor(
    private readonly db: Db,
    /** Where a refused call that names no tenant is recorded. */
    private readonly usageRecords: UsageOperatorStore,
    private readonly rateLimits: RateLimitService,
    private readonly quota: QuotaService,
    private readonly abuse: AbuseService,
    private readonly alerts: QuotaAlertService,
    private readonly clock: Clock,
  ) {}

  async run<T extends MeteredResult>(req: MeterRequest, operation: string, body: (io: LeaseIo) => Promise<T>): Promise<T & { quota: QuotaFigures }> {
    const started = this.clock.now();
    // The caller's own scope (built from it): a publishable key's follow-up reads, and its settle continues, only its
    // visitor's conversations.
    const { caller, scope } = req;
    const { monthlyQuota, ratePerMinute } = effectiveLimits(caller.tenant, caller.plan);
    const usage = (error: unknown | null, tokens = { inputTokens: 0, outputTokens: 0 }, charged = error === null): UsageEntry => ({
      tenantId: caller.tenant.id, apiKeyId: caller.keyId, operation, ip: req.ip,
      outcome: charged ? 'SUCCEEDED' : usageOutcomeOf(error),
      code: error === null ? null : usageCodeOf(error),
      latencyMs: this.clock.now() - started, ...tokens,
    });

    let reserved;
    try {
      const rate = await this.rateLimits.take(`tenant:${caller.tenant.id}:ask`, ratePerMinute);
      req.onRate(rate);
      if (!rate.allowed) {
        await this.abuse.rateRefused(caller.keyId, caller.tenant.id, ratePerMinute);
        throw RateLimited(rate.resetSeconds);
      }
      reserved = await this.quota.reserve(scope, monthlyQuota, { apiKeyId: caller.keyId, operation, ip: req.ip }, req.readAhead, this.quota.visitorCap(caller));
    } catch (error) {
      await scope.usage.recordUsage(usage(error), new Date(this.clock.now()));
      throw error;
    }

    const { lease } = reserved;
    const io: LeaseIo = { history: reserved.history, exchange: null };
    let result: T;
    try {
      result = await body(io);
    } catch (error) {
      // A client that closes a stream is charged once part of the answer reached it: otherwise closing just before
      // the last words would get any answer free. Closed before the first delta, it got nothing and pays nothing.
      const charged = error instanceof ClientClosed && req.delivered();
      await this.quota.settle(scope, lease, charged, charged ? usage(error, error.tokens, true) : usage(error), io.exchange);
      if (charged) void this.alerts.reserved(scope, lease, caller.tenant.slug).catch(() => undefined);
      throw error;
    }
    await this.quota.settle(scope, lease, true, usage(null, result.usage), io.exchange);
    void this.alerts.reserved(scope, lease, caller.tenant.slug).catch(() => undefined);
    return { ...result, quota: this.quota.figures(monthlyQuota, lease.used, ratePerMinute) };
  }

  /** Records a metered call refused before metering ran (by @auth), when the key names a tenant. */
  async refused(operation: string, who: { tenantId: string | null; keyId: string | null; ip: string }, code: string): Promise<void> {
    const entry = { apiKeyId: who.keyId, operation, outcome: 'REFUSED' as const, code, latencyMs: 0, inputTokens: 0, outputTokens: 0, ip: who.ip };
    const at = new Date(this.clock.now());
    if (who.tenantId) await new UsageStore(this.db, who.tenantId).recordUsage(entry, at);
    else await this.usageRecords.recordUsage({ ...entry, tenantId: null }, at);
  }
}
