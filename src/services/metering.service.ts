import { AppError, RateLimited } from '../errors';
import type { AbuseService } from './abuse.service';
import type { Principal } from './api-key.service';
import { effectiveLimits, QuotaService, Reservation } from './quota.service';
import type { QuotaAlertService } from './quota-alert.service';
import type { RateDecision, RateLimitService } from './rate-limit.service';
import type { UsageService } from './usage.service';

/** What metering needs from the request, without depending on the GraphQL context. */
export interface MeterRequest {
  principal: Principal;
  ip: string;
  /** Receives the rate figures for the RateLimit-* headers. */
  onRate(decision: RateDecision): void;
}

export interface MeteredResult {
  usage: { inputTokens: number; outputTokens: number };
}

/** Refusals by validation or lookup: the ask was refused, not failed, and used nothing. */
const REFUSAL_CODES = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'UNAUTHENTICATED', 'FORBIDDEN', 'TENANT_SUSPENDED', 'BLOCKED', 'RATE_LIMITED', 'QUOTA_EXCEEDED', 'QUERY_TOO_COMPLEX']);

/**
 * The @metered layer: rate window first (cheap, in memory or Redis), then the quota reservation (one row in
 * PostgreSQL), then the operation. The reservation is kept when the operation succeeds and released when it
 * throws, so only successful asks use quota. Every outcome is recorded in usage.
 */
export class MeteringService {
  constructor(
    private readonly rateLimits: RateLimitService,
    private readonly quota: QuotaService,
    private readonly usage: UsageService,
    private readonly abuse: AbuseService,
    private readonly alerts: QuotaAlertService,
  ) {}

  async run<T extends MeteredResult>(req: MeterRequest, operation: string, body: (reservation: Reservation) => Promise<T>): Promise<T> {
    const started = Date.now();
    const { principal } = req;
    const tenant = principal.tenant!;
    const plan = principal.plan!;
    let reservation: Reservation | null = null;
    try {
      const { ratePerMinute } = effectiveLimits(tenant, plan);
      const rate = await this.rateLimits.take(`tenant:${tenant.id}:ask`, ratePerMinute);
      req.onRate(rate);
      if (!rate.allowed) {
        if (principal.keyId) await this.abuse.rateRefused(principal.keyId, tenant.id, ratePerMinute);
        throw RateLimited(rate.resetSeconds);
      }
      reservation = await this.quota.reserve(tenant, plan);
      const result = await body(reservation);
      await this.record(req, operation, started, 'SUCCEEDED', null, result.usage);
      void this.alerts.reserved(reservation, tenant.slug).catch(() => undefined);
      return result;
    } catch (error) {
      if (reservation) await this.quota.release(reservation);
      const code = error instanceof AppError ? error.code : 'INTERNAL_SERVER_ERROR';
      await this.record(req, operation, started, REFUSAL_CODES.has(code) ? 'REFUSED' : 'FAILED', code);
      throw error;
    }
  }

  /** Records a metered call refused before metering ran (by @auth). */
  async refused(operation: string, who: { tenantId: string | null; keyId: string | null; ip: string }, code: string): Promise<void> {
    await this.usage.record({
      tenantId: who.tenantId, apiKeyId: who.keyId, operation, outcome: 'REFUSED', code, latencyMs: 0,
      inputTokens: 0, outputTokens: 0, ip: who.ip,
    });
  }

  private async record(
    req: MeterRequest,
    operation: string,
    started: number,
    outcome: 'SUCCEEDED' | 'REFUSED' | 'FAILED',
    code: string | null,
    tokens = { inputTokens: 0, outputTokens: 0 },
  ): Promise<void> {
    await this.usage.record({
      tenantId: req.principal.tenantId, apiKeyId: req.principal.keyId, operation, outcome, code,
      latencyMs: Date.now() - started, inputTokens: tokens.inputTokens, outputTokens: tokens.outputTokens, ip: req.ip,
    });
  }
}
