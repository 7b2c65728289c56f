import { DataSource } from 'typeorm';
import { Plan } from '../entities/plan.entity';
import { Tenant } from '../entities/tenant.entity';
import { QuotaExceeded } from '../errors';

export interface QuotaFigures {
  limit: number | null;
  used: number;
  remaining: number | null;
  resetsAt: Date;
  ratePerMinute: number;
}

/** A reservation taken before an ask runs: committed by doing nothing, released when the ask fails upstream. */
export interface Reservation {
  tenantId: string;
  month: string;
  used: number;
  limit: number | null;
}

/** The calendar month in UTC, as stored: "YYYY-MM". */
export function monthOf(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/** 00:00 UTC on the first of the next month. */
export function nextMonthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

/** The figures in force for a tenant: its overrides win over its plan's. */
export function effectiveLimits(tenant: Tenant, plan: Plan): { monthlyQuota: number | null; ratePerMinute: number } {
  return {
    monthlyQuota: tenant.quotaOverride ?? plan.monthlyQuota,
    ratePerMinute: tenant.rateOverride ?? plan.ratePerMinute,
  };
}

/**
 * Monthly quotas, exact under any concurrency and any number of processes: a reservation is ONE conditional
 * upsert on the (tenant, month) row. PostgreSQL's row lock makes concurrent upserts queue, and each re-checks
 * `used < limit` against the latest committed count, so successes can never exceed the quota.
 */
export class QuotaService {
  constructor(private readonly dataSource: DataSource) {}

  async status(tenant: Tenant, plan: Plan, now = new Date()): Promise<QuotaFigures> {
    const { monthlyQuota, ratePerMinute } = effectiveLimits(tenant, plan);
    const rows: { used: number }[] = await this.dataSource.query(
      'SELECT used FROM quota_counter WHERE tenant_id = $1 AND month = $2',
      [tenant.id, monthOf(now)],
    );
    const used = rows[0]?.used ?? 0;
    return this.figures(monthlyQuota, used, ratePerMinute, now);
  }

  figures(limit: number | null, used: number, ratePerMinute: number, now: Date): QuotaFigures {
    return {
      limit,
      used,
      remaining: limit === null ? null : Math.max(0, limit - used),
      resetsAt: nextMonthStart(now),
      ratePerMinute,
    };
  }

  /** Takes one request of this month's quota, or throws QUOTA_EXCEEDED. */
  async reserve(tenant: Tenant, plan: Plan, now = new Date()): Promise<Reservation> {
    const { monthlyQuota } = effectiveLimits(tenant, plan);
    const month = monthOf(now);
    // Unlimited plans still count, so usage and `quota.used` stay truthful; the WHERE is what enforces a limit.
    const rows: { used: number }[] = await this.dataSource.query(
      `INSERT INTO quota_counter (tenant_id, month, used)
         SELECT $1, $2, 1 WHERE $3::int IS NULL OR $3::int >= 1
       ON CONFLICT (tenant_id, month) DO UPDATE SET used = quota_counter.used + 1
         WHERE $3::int IS NULL OR quota_counter.used < $3::int
       RETURNING used`,
      [tenant.id, month, monthlyQuota],
    );
    if (rows.length === 0) throw QuotaExceeded(nextMonthStart(now));
    return { tenantId: tenant.id, month, used: rows[0].used, limit: monthlyQuota };
  }

  /** Gives a reservation back (the ask failed upstream), so only successful asks use quota. */
  async release(reservation: Reservation): Promise<void> {
    await this.dataSource.query(
      'UPDATE quota_counter SET used = used - 1 WHERE tenant_id = $1 AND month = $2 AND used > 0',
      [reservation.tenantId, reservation.month],
    );
  }
}
