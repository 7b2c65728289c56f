import type { Db } from '../data/db';

/** One tenant's keys, as its plan's rules count them: every statement carries the tenant condition. */
export class KeyStore {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
  ) {}

  async activeKeyCount(now: Date): Promise<number> {
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM api_key
       WHERE tenant_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
      [this.tenantId, now],
    );
    return n;
  }

  /**
   * Keys that were usable at some point in [start, end). A key replaced by rotation shares its slot with its
   * successor, so a grace period is not billed as an extra key.
   */
  async billableKeyCount(start: Date, end: Date): Promise<number> {
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM api_key
       WHERE tenant_id = $1 AND replaced_by IS NULL AND created_at < $3
         AND (revoked_at IS NULL OR revoked_at >= $2) AND (expires_at IS NULL OR expires_at >= $2)`,
      [this.tenantId, start, end],
    );
    return n;
  }
}
