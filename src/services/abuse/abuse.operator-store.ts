import { AbuseEvent } from '../../entities/abuse-event.entity';
import type { Db } from '../data/db';
import { Page, paginate } from '../pagination';

/** The abuse events the rules raised, across tenants (an IP block names none). */
export class AbuseOperatorStore {
  constructor(private readonly db: Db) {}

  abuseEvents(tenantId: string | null | undefined, first: number, after?: string | null): Promise<Page<AbuseEvent>> {
    const qb = this.db.getRepository(AbuseEvent).createQueryBuilder('e');
    if (tenantId) qb.where('e.tenant_id = :tenantId', { tenantId });
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt', descending: true });
  }

  async recordAbuseEvent(event: { kind: string; tenantId: string | null; apiKeyId: string | null; ip: string | null; detail: string }): Promise<void> {
    await this.db.getRepository(AbuseEvent).insert(event);
  }
}
