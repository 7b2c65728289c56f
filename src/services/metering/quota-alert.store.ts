import type { Db } from '../data/db';

/** The quota alerts one tenant has raised: every statement carries the tenant condition. */
export class QuotaAlertStore {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
  ) {}

  /** Records that the tenant crossed `threshold` % this month; false when it was already recorded. */
  async recordAlert(month: string, threshold: number): Promise<boolean> {
    const inserted: unknown[] = await this.db.query(
      `INSERT INTO quota_alert (tenant_id, month, threshold) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING threshold`,
      [this.tenantId, month, threshold],
    );
    return inserted.length > 0;
  }

  async alerts(): Promise<{ month: string; threshold: number; createdAt: Date }[]> {
    const rows: { month: string; threshold: number; created_at: Date }[] = await this.db.query(
      'SELECT month, threshold, created_at FROM quota_alert WHERE tenant_id = $1 ORDER BY created_at',
      [this.tenantId],
    );
    return rows.map((r) => ({ month: r.month, threshold: r.threshold, createdAt: r.created_at }));
  }
}
