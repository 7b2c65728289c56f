import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { AbuseService } from './abuse.service';
import { AnswerRatingService } from './answer-rating.service';
import { ApiKeyService } from './api-key.service';
import { AuditService } from './audit.service';
import { AuthorizationService } from './authorization.service';
import { ClientPackageService } from './client-package.service';
import { BillingService } from './billing.service';
import { ChatService } from './chat.service';
import { ConversationService } from './conversation.service';
import { CuratedAnswerService } from './curated-answers/curated-answer.service';
import { DataLayer } from './data/data-layer';
import { DocumentService } from './document.service';
import type { Generator } from './generation/types';
import { MeteringService } from './metering.service';
import { QuotaAlertService } from './quota-alert.service';
import { QuotaService } from './quota.service';
import { RateLimitService } from './rate-limit.service';
import type { RetrievalIndex } from './retrieval/types';
import type { SharedState } from './shared-state/shared-state';
import { TenantService } from './tenant.service';
import { UsageService } from './usage.service';

/** Every service, wired once at start-up (the composition root); resolvers receive this. */
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
  documents: DocumentService;
  conversations: ConversationService;
  chat: ChatService;
  curated: CuratedAnswerService;
  ratings: AnswerRatingService;
  clientPackages: ClientPackageService;
}

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
  const audit = new AuditService(data);
  const abuse = new AbuseService(data, shared, config.abuse, clock);
  const keys = new ApiKeyService(data, audit, abuse, clock, { pepper: deps.pepper, cacheTtlMs: config.keyCacheTtlMs, envAdminKey: config.adminApiKey });
  const tenants = new TenantService(data, keys, audit, index, clock);
  const quota = new QuotaService(data, clock, leaseMs(config));
  const rateLimits = new RateLimitService(shared);
  const usage = new UsageService(data, clock);
  const alerts = new QuotaAlertService(data, clock, log, config.alertWebhookUrl);
  const metering = new MeteringService(data, rateLimits, quota, abuse, alerts, clock);
  const documents = new DocumentService(data, index, audit);
  const conversations = new ConversationService(data, clock);
  const curated = new CuratedAnswerService(deps.dataSource, clock);
  const chat = new ChatService(index, generator, conversations, curated, config);
  return {
    config, clock, data, log, shared, index, generator, keys, audit, authorization: new AuthorizationService(), tenants,
    quota, rateLimits, abuse, usage, alerts, metering, billing: new BillingService(data, tenants, config.billing),
    documents, conversations, chat, curated, ratings: new AnswerRatingService(data),
    clientPackages: new ClientPackageService(data, tenants, keys, audit, config.supportEmail, clock),
  };
}
