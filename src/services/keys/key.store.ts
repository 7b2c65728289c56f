import type { KeyKind } from '../../entities/enums';
import type { Db } from '../data/db';

/** One tenant's keys, as its plan's rules count them: every statement carries the tenant condition. */
export class KeyStore {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
  ) {}

  /** The tenant's keys of one kind that are usable at `now`. */
  async activeKeyCount(now: Date, kind: KeyKind): Promise<number> {
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM api_key
       WHERE tenant_id = $1 AND kind = $3 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
      [this.tenantId, now, kind],
    );
    return n;
  }

  /**
   * Keys that were usable at some point in [start, end). A key replaced by rotation shares its slot with its
   * successor, so a grace period is not billed as an extra key.
   */
  async billableKeyCount(start: Date, end: Date, kind: KeyKind): Promise<number> {
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM api_key
       WHERE tenant_id = $1 AND kind = $4 AND replaced_by IS NULL AND created_at < $3
         AND (revoked_at IS NULL OR revoked_at >= $2) AND (expires_at IS NULL OR expires_at >= $2)`,
      [this.tenantId, start, end, kind],
    );
    return n;
  }
}
