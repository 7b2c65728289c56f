import { Audience, WHOLE_TENANT } from './audience';
import { ConversationStore } from './conversations/conversation.store';
import { CuratedAnswerStore } from './curated-answers/curated-answer.store';
import type { Db } from './data/db';
import { DocumentStore } from './documents/document.store';
import { KeyStore } from './keys/key.store';
import { QuotaAlertStore } from './metering/quota-alert.store';
import { QuotaStore } from './metering/quota.store';
import { RatingStore } from './ratings/rating.store';
import { TenantStore } from './tenants/tenant.store';
import { UsageStore } from './usage/usage.store';

/**
 * One tenant's data, and the only way to reach it: each feature's store here puts `tenant_id = <this tenant>` in
 * every statement itself, so code holding a scope cannot read or write another tenant's rows by forgetting a
 * clause. A client request's scope is built once from its Caller (see context.ts) and is the only data handle
 * client operations get; the operator reaches one tenant's data through `TenantService.scope(id)`, which checks
 * the tenant exists, and its cross-tenant work through the features' operator stores. The retrieval index is
 * scoped the same way, by `RetrievalIndex.forTenant`.
 *
 * A publishable key's scope carries its visitor the same way (its `audience`): every read of conversations and
 * messages (lists, one by id, the export, the turns an ask continues, the message a rating names) adds
 * `visitor_id = <visitor>` itself, so another visitor's conversation is NOT_FOUND like another tenant's. The quota's
 * statements, which serve the asks of several visitors at once, take the audience with each ask (QuotaService).
 */
export class TenantScope {
  readonly tenant: TenantStore;
  readonly conversations: ConversationStore;
  readonly documents: DocumentStore;
  readonly keys: KeyStore;
  readonly quota: QuotaStore;
  readonly alerts: QuotaAlertStore;
  readonly usage: UsageStore;
  readonly ratings: RatingStore;
  readonly curated: CuratedAnswerStore;

  constructor(
    db: Db,
    readonly tenantId: string,
    readonly audience: Audience = WHOLE_TENANT,
  ) {
    this.tenant = new TenantStore(db, tenantId);
    this.conversations = new ConversationStore(db, tenantId, audience);
    this.documents = new DocumentStore(db, tenantId);
    this.keys = new KeyStore(db, tenantId);
    this.quota = new QuotaStore(db, tenantId);
    this.alerts = new QuotaAlertStore(db, tenantId);
    this.usage = new UsageStore(db, tenantId);
    this.ratings = new RatingStore(db, tenantId);
    this.curated = new CuratedAnswerStore(db, tenantId);
  }

  /** The same tenant inside a transaction (see DataLayer.transaction). */
  within(tx: Db): TenantScope {
    return new TenantScope(tx, this.tenantId, this.audience);
  }
}
