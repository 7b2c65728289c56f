import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import type { Db } from '../data/db';
import type { TenantScope } from '../tenant-scope';
import { QuotaAlertStore } from './quota-alert.store';
import type { Lease } from './quota.store';

const THRESHOLDS = [80, 100];
const ATTEMPTS = 4;

/**
 * Tells the operator when a tenant crosses 80 % and 100 % of its monthly quota: once per tenant, month and
 * threshold (the `quota_alert` primary key decides, so concurrent requests and processes can't alert twice),
 * and POSTed to ALERT_WEBHOOK_URL when set. Runs off the request path; a failing webhook never fails an ask.
 */
export class QuotaAlertService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly webhookUrl?: string,
  ) {}

  /** Called after a successful reservation; returns once the alert (if any) is recorded, not delivered. */
  async reserved(scope: TenantScope, r: Lease, tenantSlug: string): Promise<void> {
    if (r.limit === null || r.limit === 0) return;
    for (const threshold of THRESHOLDS) {
      const mark = Math.ceil((r.limit * threshold) / 100);
      if (r.used < mark) continue;
      if (!(await scope.alerts.recordAlert(r.month, threshold))) continue;
      const payload = { type: 'quota.threshold', tenantId: r.tenantId, tenantSlug, month: r.month, threshold, used: r.used, limit: r.limit, at: new Date(this.clock.now()).toISOString() };
      this.log.info({ alert: payload }, 'quota threshold crossed');
      if (this.webhookUrl) void this.deliver(payload);
    }
  }

  /** The alerts a tenant has raised, oldest first. */
  list(tenantId: string): Promise<{ month: string; threshold: number; createdAt: Date }[]> {
    return new QuotaAlertStore(this.db, tenantId).alerts();
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
