import type { Actor } from '../caller';
import type { OperatorData } from './data/operator-data';

/**
 * Writes the audit trail. Admin mutations call it with the OperatorData of their own transaction, so no change
 * goes unrecorded.
 */
export class AuditService {
  async record(
    db: OperatorData,
    actor: Actor,
    action: string,
    target: { type: string; id: string | null },
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    await db.recordAudit({ actorKeyId: actor.keyId, actor: actor.keyPrefix, action, targetType: target.type, targetId: target.id, detail });
  }
}
