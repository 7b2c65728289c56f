import { DataSource, EntityManager } from 'typeorm';
import { AuditEntry } from '../entities/audit-entry.entity';
import type { Principal } from './api-key.service';
import { Page, paginate } from './pagination';

/** Writes and reads the audit trail. Writes run inside the admin mutation's own transaction, so no change goes unrecorded. */
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

  async record(
    manager: EntityManager,
    actor: Principal,
    action: string,
    target: { type: string; id: string | null },
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    // The tenant concerned: the target itself, the tenant the detail names, or the owner of the key acted on.
    const tenantId = target.type === 'tenant' ? target.id : typeof detail.tenantId === 'string' ? detail.tenantId : null;
    await manager.query(
      `INSERT INTO audit_entry (actor_key_id, actor, action, target_type, target_id, detail, tenant_id)
       VALUES ($1, $2, $3, $4, $5, $6,
               coalesce($7::uuid, (SELECT k.tenant_id FROM api_key k WHERE k.id::text = $8::text)))`,
      [actor.keyId, actor.keyPrefix, action, target.type, target.id, JSON.stringify(detail), tenantId, target.type === 'apiKey' ? target.id : null],
    );
  }

  /** Newest first; one tenant's entries when tenantId is given. */
  async list(tenantId: string | null | undefined, first: number, after?: string | null): Promise<Page<AuditEntry>> {
    const qb = this.dataSource.getRepository(AuditEntry).createQueryBuilder('a');
    if (tenantId) qb.where('a.tenant_id = :tenantId', { tenantId });
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt', descending: true });
  }
}
