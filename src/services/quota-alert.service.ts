import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Reservation } from './quota.service';

const THRESHOLDS = [80, 100];
const ATTEMPTS = 4;

/**
 * Tells the operator when a tenant crosses 80 % and 100 % of its monthly quota: once per tenant, month and
 * threshold (the `quota_alert` primary key decides, so concurrent requests and processes can't alert twice),
 * and POSTed to ALERT_WEBHOOK_URL when set. Runs off the request path; a failing webhook never fails an ask.
 */
export class QuotaAlertService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly log: Logger,
    private readonly webhookUrl?: string,
  ) {}

  /** Called after a successful reservation; returns once the alert (if any) is recorded, not delivered. */
  async reserved(r: Reservation, tenantSlug: string): Promise<void> {
    if (r.limit === null || r.limit === 0) return;
    for (const threshold of THRESHOLDS) {
      const mark = Math.ceil((r.limit * threshold) / 100);
      if (r.used < mark) continue;
      const inserted: unknown[] = await this.dataSource.query(
        `INSERT INTO quota_alert (tenant_id, month, threshold) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING threshold`,
        [r.tenantId, r.month, threshold],
      );
      if (inserted.length === 0) continue;
      const payload = { type: 'quota.threshold', tenantId: r.tenantId, tenantSlug, month: r.month, threshold, used: r.used, limit: r.limit, at: new Date().toISOString() };
      this.log.info({ alert: payload }, 'quota threshold crossed');
      if (this.webhookUrl) void this.deliver(payload);
    }
  }

  async list(tenantId: string): Promise<{ month: string; threshold: number; createdAt: Date }[]> {
    const rows = await this.dataSource.query(
      'SELECT month, threshold, created_at FROM quota_alert WHERE tenant_id = $1 ORDER BY created_at',
      [tenantId],
    );
    return rows.map((r: { month: string; threshold: number; created_at: Date }) => ({ month: r.month, threshold: r.threshold, createdAt: r.created_at }));
  }

  private async deliver(payload: object): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const response = await fetch(this.webhookUrl!, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(5_000),
        });
        if (response.ok) return;
        if (response.status < 500 && response.status !== 429) break;
      } catch {
        // network failure: retried below
      }
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
    this.log.warn({ alert: payload }, 'quota alert webhook failed after retries');
  }
}
