import type { DataSource } from 'typeorm';
import { Clock, systemClock } from '../clock';
import type { Config } from '../config';
import { createLogger } from '../logger';
import { ClaudeGenerator } from './generation/claude-generator';
import { OfflineGenerator } from './generation/offline-generator';
import type { Generator } from './generation/types';
import { PgRetrievalIndex } from './retrieval/pg-retrieval-index';
import type { RetrievalIndex } from './retrieval/types';
import { WeaviateRetrievalIndex } from './retrieval/weaviate-retrieval-index';
import { FallbackSharedState } from './shared-state/fallback-shared-state';
import { MemorySharedState } from './shared-state/memory-shared-state';
import { RedisSharedState } from './shared-state/redis-shared-state';
import type { SharedState } from './shared-state/shared-state';

/** Each outside part is chosen by configuration: the embedded default, or the real service when its URL/key is set. */
export function createIndex(config: Config, dataSource: DataSource): RetrievalIndex {
  return config.weaviate
    ? new WeaviateRetrievalIndex({ url: config.weaviate.url, apiKey: config.weaviate.apiKey, vectorizer: config.weaviate.vectorizer, timeoutMs: config.retrievalTimeoutMs })
    : new PgRetrievalIndex(dataSource);
}

export function createGenerator(config: Config): Generator {
  return config.anthropic
    ? new ClaudeGenerator({ ...config.anthropic, timeoutMs: config.generationTimeoutMs })
    : new OfflineGenerator();
}

/** With Redis, a per-process memory state stands in while Redis is unreachable (see FallbackSharedState). */
export function createSharedState(config: Config, clock: Clock = systemClock): SharedState {
  if (!config.redisUrl) return new MemorySharedState(clock);
  return new FallbackSharedState(
    new RedisSharedState(config.redisUrl, config.redisPrefix, clock),
    new MemorySharedState(clock),
    createLogger(config.logLevel).child({ component: 'shared-state' }),
  );
}
