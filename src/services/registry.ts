import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { AbuseService } from './abuse.service';
import { AnswerRatingService } from './answer-rating.service';
import { ApiKeyService } from './api-key.service';
import { AuditService } from './audit.service';
import { AuthorizationService } from './authorization.service';
import { ClientPackageService } from './client-package.service';
import { systemClock } from '../clock';
import { BillingService } from './billing.service';
import { MeteringService } from './metering.service';
import { QuotaService } from './quota.service';
import { QuotaAlertService } from './quota-alert.service';
import { RateLimitService } from './rate-limit.service';
import type { RetrievalIndex } from './retrieval/types';
import type { Generator } from './generation/types';
import type { SharedState } from './shared-state/shared-state';
import { TenantService } from './tenant.service';
import { UsageService } from './usage.service';
import { DocumentService } from './document.service';
import { ChatService } from './chat.service';
import { ConversationService } from './conversation.service';

/** Every service, wired once at start-up (the composition root); resolvers receive this. */
export interface Services {
  config: Config;
  dataSource: DataSource;
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
  ratings: AnswerRatingService;
  clientPackages: ClientPackageService;
}

export function createServices(deps: {
  config: Config;
  dataSource: DataSource;
  log: Logger;
  pepper: string;
  shared: SharedState;
  index: RetrievalIndex;
  generator: Generator;
}): Services {
  const { config, dataSource, log, shared, index, generator } = deps;
  const keys = new ApiKeyService(dataSource, deps.pepper, config.keyCacheTtlMs, config.adminApiKey);
  const audit = new AuditService(dataSource);
  const tenants = new TenantService(dataSource, keys, audit, index, shared);
  const quota = new QuotaService(dataSource);
  const rateLimits = new RateLimitService(shared);
  const abuse = new AbuseService(dataSource, shared, config.abuse);
  const usage = new UsageService(dataSource);
  const alerts = new QuotaAlertService(dataSource, log, config.alertWebhookUrl);
  const metering = new MeteringService(rateLimits, quota, usage, abuse, alerts);
  const documents = new DocumentService(dataSource, index, audit);
  const conversations = new ConversationService(dataSource);
  const chat = new ChatService(index, generator, conversations, quota, config);
  return {
    config, dataSource, log, shared, index, generator, keys, audit, authorization: new AuthorizationService(), tenants,
    quota, rateLimits, abuse, usage, alerts, metering, billing: new BillingService(dataSource, tenants, config.billing),
    documents, conversations, chat, ratings: new AnswerRatingService(dataSource),
    clientPackages: new ClientPackageService(dataSource, tenants, audit, config.supportEmail, systemClock),
  };
}
