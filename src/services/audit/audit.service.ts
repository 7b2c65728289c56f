import type { Actor } from '../../caller';
import type { AuditEntry } from '../../entities/audit-entry.entity';
import type { Db } from '../data/db';
import type { Page } from '../pagination';
import type { AuditOperatorStore } from './audit.operator-store';

/**
 * Writes and reads the audit trail. Admin mutations write inside their own transaction (`tx`), so no change
 * goes unrecorded.
 */
export class AuditService {
  constructor(private readonly store: AuditOperatorStore) {}

  /** Records an admin action, inside the transaction `tx` when given. */
  async record(
    tx: Db | null,
    actor: Actor,
    action: string,
    target: { type: string; id: string | null },
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    // The tenant concerned: the target itself, the tenant the detail names, or (in SQL) the owner of the key acted on.
    const tenantId = target.type === 'tenant' ? target.id : typeof detail.tenantId === 'string' ? detail.tenantId : null;
    await (tx ? this.store.within(tx) : this.store).recordAudit({ actorKeyId: actor.keyId, actor: actor.keyPrefix, action, targetType: target.type, targetId: target.id, detail, tenantId });
  }

  /** Newest first; one tenant's entries when tenantId is given. */
  list(tenantId: string | null | undefined, first: number, after?: string | null): Promise<Page<AuditEntry>> {
    return this.store.auditEntries(tenantId, first, after);
  }
}
