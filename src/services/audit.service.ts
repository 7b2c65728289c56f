import { EntityManager } from 'typeorm';
import type { Principal } from './api-key.service';

/** Writes the audit trail. Called inside the admin mutation's own transaction, so no change goes unrecorded. */
export class AuditService {
  async record(
    manager: EntityManager,
    actor: Principal,
    action: string,
    target: { type: string; id: string | null },
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    await manager.query(
      `INSERT INTO audit_entry (actor_key_id, actor, action, target_type, target_id, detail)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [actor.keyId, actor.keyPrefix, action, target.type, target.id, JSON.stringify(detail)],
    );
  }
}
