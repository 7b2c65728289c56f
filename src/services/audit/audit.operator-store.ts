import { AuditEntry } from '../../entities/audit-entry.entity';
import type { Db } from '../data/db';
import { Page, paginate } from '../pagination';

/** The audit trail, written and read by the operator's side only. */
export class AuditOperatorStore {
  constructor(private readonly db: Db) {}

  /** The same store inside a transaction, so an admin change and its entry commit together. */
  within(tx: Db): AuditOperatorStore {
    return new AuditOperatorStore(tx);
  }

  /** An audit entry; without a tenant id, an entry about a key is filed under the key's tenant. */
  async recordAudit(entry: { actorKeyId: string | null; actor: string; action: string; targetType: string; targetId: string | null; detail: Record<string, unknown>; tenantId: string | null }): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_entry (actor_key_id, actor, action, target_type, target_id, detail, tenant_id)
       VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::uuid, (SELECT k.tenant_id FROM api_key k WHERE k.id::text = $8::text)))`,
      [entry.actorKeyId, entry.actor, entry.action, entry.targetType, entry.targetId, JSON.stringify(entry.detail), entry.tenantId,
        entry.targetType === 'apiKey' ? entry.targetId : null],
    );
  }

  /** The audit trail, newest first; one tenant's entries when tenantId is given (kept after the tenant is deleted). */
  auditEntries(tenantId: string | null | undefined, first: number, after?: string | null): Promise<Page<AuditEntry>> {
    const qb = this.db.getRepository(AuditEntry).createQueryBuilder('a');
    if (tenantId) qb.where('a.tenant_id = :tenantId', { tenantId });
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt', descending: true });
  }
}
