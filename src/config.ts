import path from 'node:path';
import dotenv from 'dotenv';

// About 300 MB at most (15 bytes a posting): a 100k-chunk tenant of bench/speed.bench.ts holds 7.9 million postings.
export const DEFAULT_RETRIEVAL_CACHE_POSTINGS = 20_000_000;

/**
 * Every setting of the server, parsed and validated once. This is the only file that reads `process.env`; a bad
 * value stops start-up with a message naming the variable, instead of surfacing later as an odd failure.
 */
export interface Config {
  port: number;
  databaseUrl?: string;
  dataDir: string;
  adminApiKey?: string;
  keyPepper?: string;
  redisUrl?: string;
  /** Prefix of every Redis key, so several deployments (or test runs) can share one Redis. */
  redisPrefix: string;
  /** Weaviate: REST at `url`, gRPC at `grpcUrl` (by default the REST host on port 50051). */
  weaviate?: { url: string; grpcUrl: string; apiKey?: string; vectorizer?: string };
  anthropic?: { apiKey: string; baseURL?: string; model: string };
  generationTimeoutMs: number;
  retrievalTimeoutMs: number;
  /**
   * Postings (a chunk's distinct terms) the in-memory retrieval indexes of one process may hold together, about
   * 15 bytes each; past it the least recently searched tenants are dropped, to be loaded again when searched.
   */
  retrievalCachePostings: number;
  /** Proxy hops in front of the server whose X-Forwarded-For entries are trusted (0: use the socket address). */
  trustProxy: number;
  /** On SIGTERM, how long in-flight requests and streams may take to finish before the process exits. */
  shutdownGraceSeconds: number;
  /** When set, /metrics answers only `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** Bounds on one GraphQL operation, checked before it is validated or run (src/http/query-guard.ts). */
  queryLimits: { maxDepth: number; maxIntrospectionDepth: number; maxAliases: number; maxTokens: number; maxCost: number };
  logLevel: string;
  keyCacheTtlMs: number;
  /** Per-key limit for authenticated operations other than `ask`: looser, and separate from the plan's rate. */
  otherOpsPerMinute: number;
  conversationRetentionDays: number;
  usageRecordRetentionDays: number;
  alertWebhookUrl?: string;
  /** The support contact written into client packages (the welcome message, README). */
  supportEmail: string;
  abuse: {
    authFailures: number;
    authFailureWindowSeconds: number;
    ipBlockSeconds: number;
    rateRefusalFactor: number;
    rateRefusalWindowSeconds: number;
    keyBlockSeconds: number;
    keySharingIps: number;
    keySharingWindowSeconds: number;
    keySharingBlocks: boolean;
  };
  billing: { vatPercent: number; documentLotSize: number; documentLotCents: number };
  /** Billing through Stripe; unset (no STRIPE_SECRET_KEY): invoices are only computed, and nothing calls Stripe. */
  stripe?: StripeConfig;
}

export interface StripeConfig {
  secretKey: string;
  webhookSecret: string;
  /** Where the SDK sends its requests; unset: api.stripe.com. */
  api?: { protocol: 'http' | 'https'; host: string; port: number };
  /** Days between a failed payment and the tenant's suspension, if no payment arrives meanwhile. */
  paymentGraceDays: number;
  /** How often the retry job sends pending changes to Stripe and suspends tenants past their grace. */
  syncIntervalMs: number;
}

export class ConfigError extends Error {}

export const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-4-5';

type Env = Record<string, string | undefined>;

/** Weaviate's gRPC address by default: the REST host on port 50051, with the REST scheme's security. */
export function defaultGrpcUrl(restUrl: string): string {
  const url = new URL(restUrl);
  return `${url.protocol}//${url.hostname}:50051`;
}

/** Reads `.env` (without overriding the real environment) and parses it. */
export function loadConfig(env: Env = process.env, readDotEnv = env === process.env): Config {
  if (readDotEnv) dotenv.config({ quiet: true } as dotenv.DotenvConfigOptions);
  return parseConfig(env);
}

export function parseConfig(env: Env): Config {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const int = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };
  // A count of proxy hops; the booleans of earlier versions still mean what they meant for one proxy.
  const hops = (name: string): number => {
    const raw = str(name)?.toLowerCase();
    if (raw === 'true' || raw === 'yes') return 1;
    if (raw === 'false' || raw === 'no') return 0;
    return int(name, 0, 0, 20);
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) throw new Error();
      return raw;
    } catch {
      problems.push(`${name} must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`);
      return undefined;
    }
  };

  const adminApiKey = str('ADMIN_API_KEY');
  if (adminApiKey !== undefined && !/^sk_admin_[A-Za-z0-9_-]{43}$/.test(adminApiKey)) {
    problems.push('ADMIN_API_KEY must look like sk_admin_<43 base64url characters>');
  }
  const keyPepper = str('KEY_PEPPER');
  if (keyPepper !== undefined && keyPepper.length < 16) problems.push('KEY_PEPPER must be at least 16 characters');

  const weaviateUrl = url('WEAVIATE_URL', ['http:', 'https:']);
  const weaviateGrpcUrl = url('WEAVIATE_GRPC_URL', ['http:', 'https:']);
  if (weaviateGrpcUrl && !weaviateUrl) problems.push('WEAVIATE_GRPC_URL needs WEAVIATE_URL (the REST endpoint) as well');
  const vectorizer = str('WEAVIATE_VECTORIZER');
  // A module name as Weaviate spells them (text2vec-openai, text2vec-transformers…); it becomes a schema key.
  if (vectorizer !== undefined && !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(vectorizer)) {
    problems.push('WEAVIATE_VECTORIZER must be a Weaviate module name such as text2vec-openai');
  }
  const anthropicKey = str('ANTHROPIC_API_KEY');
  const stripeKey = str('STRIPE_SECRET_KEY');
  const stripeApi = url('STRIPE_API_BASE', ['http:', 'https:']);
  const config: Config = {
    port: int('PORT', 4000, 0, 65535),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: path.resolve(str('DATA_DIR') ?? './data'),
    adminApiKey,
    keyPepper,
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: str('REDIS_PREFIX') ?? 'askdesk:',
    weaviate: weaviateUrl
      ? {
          url: weaviateUrl,
          grpcUrl: weaviateGrpcUrl ?? defaultGrpcUrl(weaviateUrl),
          apiKey: str('WEAVIATE_API_KEY'),
          vectorizer,
        }
      : undefined,
    anthropic: anthropicKey
      ? {
          apiKey: anthropicKey,
          baseURL: url('ANTHROPIC_BASE_URL', ['http:', 'https:']),
          model: str('ANTHROPIC_MODEL') ?? DEFAULT_ANTHROPIC_MODEL,
        }
      : undefined,
    generationTimeoutMs: int('GENERATION_TIMEOUT_MS', 30_000, 100, 600_000),
    retrievalTimeoutMs: int('RETRIEVAL_TIMEOUT_MS', 10_000, 100, 600_000),
    retrievalCachePostings: int('RETRIEVAL_CACHE_POSTINGS', DEFAULT_RETRIEVAL_CACHE_POSTINGS, 10_000),
    trustProxy: hops('TRUST_PROXY'),
    shutdownGraceSeconds: int('SHUTDOWN_GRACE_SECONDS', 10, 0, 3600),
    metricsToken: str('METRICS_TOKEN'),
    queryLimits: {
      maxDepth: int('QUERY_MAX_DEPTH', 10, 1, 100),
      maxIntrospectionDepth: int('QUERY_MAX_INTROSPECTION_DEPTH', 15, 1, 100),
      maxAliases: int('QUERY_MAX_ALIASES', 50, 1, 10_000),
      maxTokens: int('QUERY_MAX_TOKENS', 10_000, 100, 1_000_000),
      maxCost: int('QUERY_MAX_COST', 5_000, 10, 10_000_000),
    },
    logLevel: str('LOG_LEVEL') ?? 'info',
    keyCacheTtlMs: int('KEY_CACHE_TTL_MS', 1_000, 0, 600_000),
    otherOpsPerMinute: int('OTHER_OPS_PER_MINUTE', 300, 1),
    conversationRetentionDays: int('CONVERSATION_RETENTION_DAYS', 90, 1),
    usageRecordRetentionDays: int('USAGE_RECORD_RETENTION_DAYS', 400, 1),
    alertWebhookUrl: url('ALERT_WEBHOOK_URL', ['http:', 'https:']),
    supportEmail: str('SUPPORT_EMAIL') ?? 'support@askdesk.example',
    abuse: {
      authFailures: int('ABUSE_AUTH_FAILURES', 20, 1),
      authFailureWindowSeconds: int('ABUSE_AUTH_FAILURE_WINDOW_SECONDS', 600, 1),
      ipBlockSeconds: int('ABUSE_IP_BLOCK_SECONDS', 900, 1),
      rateRefusalFactor: int('ABUSE_RATE_REFUSAL_FACTOR', 3, 1),
      rateRefusalWindowSeconds: int('ABUSE_RATE_REFUSAL_WINDOW_SECONDS', 600, 1),
      keyBlockSeconds: int('ABUSE_KEY_BLOCK_SECONDS', 900, 1),
      keySharingIps: int('ABUSE_KEY_SHARING_IPS', 20, 1),
      keySharingWindowSeconds: int('ABUSE_KEY_SHARING_WINDOW_SECONDS', 3600, 1),
      keySharingBlocks: bool('ABUSE_KEY_SHARING_BLOCKS', false),
    },
    billing: {
      vatPercent: int('VAT_PERCENT', 20, 0, 100),
      documentLotSize: int('DOCUMENT_LOT_SIZE', 10, 1),
      documentLotCents: int('DOCUMENT_LOT_CENTS', 15_000, 0),
    },
    stripe: stripeKey
      ? {
          secretKey: stripeKey,
          webhookSecret: str('STRIPE_WEBHOOK_SECRET') ?? '',
          api: stripeApi ? apiOf(new URL(stripeApi)) : undefined,
          paymentGraceDays: int('STRIPE_PAYMENT_GRACE_DAYS', 7, 0, 365),
          syncIntervalMs: int('STRIPE_SYNC_INTERVAL_MS', 30_000, 100, 86_400_000),
        }
      : undefined,
  };
  if (stripeKey !== undefined && !/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/.test(stripeKey)) {
    problems.push('STRIPE_SECRET_KEY must be a Stripe secret or restricted key (sk_test_…, sk_live_…, rk_…)');
  }
  // Without the signing secret no webhook could be verified, and failed payments would never be seen.
  if (config.stripe && !/^whsec_[A-Za-z0-9]+$/.test(config.stripe.webhookSecret)) {
    problems.push('STRIPE_WEBHOOK_SECRET must be set to the endpoint\'s signing secret (whsec_…) when STRIPE_SECRET_KEY is');
  }
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    problems.push('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent');
  }
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(config.supportEmail)) problems.push('SUPPORT_EMAIL must be an email address');
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}

function apiOf(url: URL): NonNullable<StripeConfig['api']> {
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { protocol, host: url.hostname, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443 };
}
