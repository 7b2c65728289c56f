import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { AbuseOperatorStore } from './abuse/abuse.operator-store';
import { AbuseService } from './abuse/abuse.service';
import { AuditOperatorStore } from './audit/audit.operator-store';
import { AuditService } from './audit/audit.service';
import { AuthorizationService } from './authorization.service';
import { BillingService } from './billing/billing.service';
import { StripeBillingService } from './billing/stripe-billing.service';
import { StripeBillingStore } from './billing/stripe-billing.store';
import { ChatService } from './chat.service';
import { ClientPackageService } from './client-package.service';
import { ConversationOperatorStore } from './conversations/conversation.operator-store';
import { ConversationService } from './conversations/conversation.service';
import { CuratedAnswerOperatorStore } from './curated-answers/curated-answer.operator-store';
import { CuratedAnswerService } from './curated-answers/curated-answer.service';
import { DataLayer } from './data/data-layer';
import { DocumentOperatorStore } from './documents/document.operator-store';
import { DocumentService } from './documents/document.service';
import type { Generator } from './generation/types';
import { KeyOperatorStore } from './keys/key.operator-store';
import { ApiKeyService } from './keys/api-key.service';
import { MeteringService } from './metering/metering.service';
import { QuotaAlertService } from './metering/quota-alert.service';
import { QuotaOperatorStore } from './metering/quota.operator-store';
import { QuotaService } from './metering/quota.service';
import { RateLimitService } from './rate-limit.service';
import { AnswerRatingService } from './ratings/answer-rating.service';
import { RatingOperatorStore } from './ratings/rating.operator-store';
import type { RetrievalIndex } from './retrieval/types';
import type { SharedState } from './shared-state/shared-state';
import { TenantOperatorStore } from './tenants/tenant.operator-store';
import { TenantService } from './tenants/tenant.service';
import { UsageOperatorStore } from './usage/usage.operator-store';
import { UsageService } from './usage/usage.service';

/**
 * Every service, wired once at start-up (the composition root). `data` is for the process itself (readiness);
 * requests get RequestServices, without it: they reach data only through services and their caller's scope.
 */
export interface Services {
  config: Config;
  clock: Clock;
  data: DataLayer;
  log: Logger;
  shared: SharedState;
  index: RetrievalIndex;
  generator: Generator;
  keys: ApiKeyService;
  audit: AuditService;
  authorization: AuthorizationService;
  tenants: TenantService;
  quota: QuotaService;
  rateLimits: RateLimitService;
  abuse: AbuseService;
  usage: UsageService;
  alerts: QuotaAlertService;
  metering: MeteringService;
  billing: BillingService;
  /** Billing with Stripe; undefined unless STRIPE_SECRET_KEY is set. */
  stripeBilling?: StripeBillingService;
  documents: DocumentService;
  conversations: ConversationService;
  chat: ChatService;
  curated: CuratedAnswerService;
  ratings: AnswerRatingService;
  clientPackages: ClientPackageService;
}

/** The services as a request sees them: no raw data layer. */
export type RequestServices = Omit<Services, 'data'>;

/**
 * A lease outlives any ask: both time-outs and a margin. Past it, the ask's process is taken for dead and its
 * lease is reclaimed by another.
 */
export function leaseMs(config: Pick<Config, 'retrievalTimeoutMs' | 'generationTimeoutMs'>): number {
  return 2 * (config.retrievalTimeoutMs + config.generationTimeoutMs) + 5_000;
}

export function createServices(deps: {
  config: Config;
  clock: Clock;
  dataSource: DataSource;
  log: Logger;
  pepper: string;
  shared: SharedState;
  index: RetrievalIndex;
  generator: Generator;
}): Services {
  const { config, clock, log, shared, index, generator } = deps;
  const data = new DataLayer(deps.dataSource);
  const { db } = data;
  const keyStore = new KeyOperatorStore(db);
  const tenantStore = new TenantOperatorStore(db);
  const usageStore = new UsageOperatorStore(db);
  const audit = new AuditService(new AuditOperatorStore(db));
  const abuse = new AbuseService(new AbuseOperatorStore(db), keyStore, shared, config.abuse, clock);
  const keys = new ApiKeyService(data, keyStore, tenantStore, audit, abuse, clock, { pepper: deps.pepper, cacheTtlMs: config.keyCacheTtlMs, envAdminKey: config.adminApiKey });
  const tenants = new TenantService(data, tenantStore, keys, audit, index, clock);
  const quota = new QuotaService(db, new QuotaOperatorStore(db), clock, leaseMs(config));
  const rateLimits = new RateLimitService(shared);
  const usage = new UsageService(usageStore, clock);
  const alerts = new QuotaAlertService(db, clock, log, config.alertWebhookUrl);
  const metering = new MeteringService(db, usageStore, rateLimits, quota, abuse, alerts, clock);
  const curated = new CuratedAnswerService(data, new CuratedAnswerOperatorStore(db), audit, clock);
  const documents = new DocumentService(data, new DocumentOperatorStore(db), index, audit, curated);
  const conversations = new ConversationService(new ConversationOperatorStore(db), curated, clock);
  const chat = new ChatService(index, generator, conversations, curated, config);
  const billing = new BillingService(tenants, config.billing);
  const stripeBilling = config.stripe
    ? new StripeBillingService(data, new StripeBillingStore(db), tenants, billing, audit, clock, log, config.stripe)
    : undefined;
  if (stripeBilling) tenants.listen(stripeBilling);
  return {
    config, clock, data, log, shared, index, generator, keys, audit, authorization: new AuthorizationService(), tenants,
    quota, rateLimits, abuse, usage, alerts, metering, billing, stripeBilling,
    documents, conversations, chat, curated, ratings: new AnswerRatingService(new RatingOperatorStore(db)),
    clientPackages: new ClientPackageService(tenants, keys, audit, config.supportEmail, clock),
  };
}
