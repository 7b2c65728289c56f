import type { Actor } from '../caller';
import type { AuditEntry } from '../entities/audit-entry.entity';
import type { DataLayer } from './data/data-layer';
import type { OperatorData } from './data/operator-data';
import type { Page } from './pagination';

/**
 * Writes and reads the audit trail. Admin mutations write with the OperatorData of their own transaction, so no
 * change goes unrecorded.
 */
export class AuditService {
  constructor(private readonly data: DataLayer) {}

  async record(
    db: OperatorData,
    actor: Actor,
    action: string,
    target: { type: string; id: string | null },
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    // The tenant concerned: the target itself, the tenant the detail names, or (in SQL) the owner of the key acted on.
    const tenantId = target.type === 'tenant' ? target.id : typeof detail.tenantId === 'string' ? detail.tenantId : null;
    await db.recordAudit({ actorKeyId: actor.keyId, actor: actor.keyPrefix, action, targetType: target.type, targetId: target.id, detail, tenantId });
  }

  /** Newest first; one tenant's entries when tenantId is given. */
  list(tenantId: string | null | undefined, first: number, after?: string | null): Promise<Page<AuditEntry>> {
    return this.data.operator.auditEntries(tenantId, first, after);
  }
}
