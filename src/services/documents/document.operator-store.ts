import { Document } from '../../entities/document.entity';
import type { Db } from '../data/db';
import { isUuid } from '../pagination';

/** Documents across tenants, for the operator: which tenant a document belongs to, and counts per tenant. */
export class DocumentOperatorStore {
  constructor(private readonly db: Db) {}

  /** Which tenant a document belongs to, for the operator's removeDocument (which names only the document). */
  async document(id: string): Promise<Document | null> {
    return isUuid(id) ? this.db.getRepository(Document).findOneBy({ id }) : null;
  }

  async documentCounts(tenantIds: readonly string[]): Promise<Map<string, number>> {
    const rows: { tenant_id: string; n: number }[] = await this.db.query(
      'SELECT tenant_id, count(*)::int AS n FROM document WHERE tenant_id = ANY($1) GROUP BY tenant_id',
      [[...tenantIds]],
    );
    return new Map(rows.map((r) => [r.tenant_id, r.n]));
  }
}
