import type { DataSource } from 'typeorm';
import { Clock, systemClock } from '../clock';
import type { Config } from '../config';
import { createLogger } from '../logger';
import { OfflineGenerator } from './generation/offline-generator';
import type { Generator } from './generation/types';
import { PgRetrievalIndex } from './retrieval/pg-retrieval-index';
import { DEFAULT_RANKING } from './retrieval/pg-retriever';
import { reanalyzeIfStale } from './retrieval/reanalysis';
import { withPreparedStatements } from './retrieval/prepared-sql';
import type { RetrievalIndex } from './retrieval/types';
import { FallbackSharedState } from './shared-state/fallback-shared-state';
import { MemorySharedState } from './shared-state/memory-shared-state';
import type { SharedState } from './shared-state/shared-state';

/*
 * Each outside part is chosen by configuration: the embedded default, or the real service when its URL/key is set.
 * The clients of the outside services (Anthropic SDK, weaviate-client, ioredis) are imported only when
 * configured: each costs 85–230 ms of start-up and its share of memory, for nothing on the embedded defaults.
 */
export async function createIndex(config: Config, dataSource: DataSource): Promise<RetrievalIndex> {
  if (!config.weaviate) {
    // Chunks indexed by an older analysis are analysed again before the first search (reanalysis.ts).
    await reanalyzeIfStale(dataSource);
    return new PgRetrievalIndex(withPreparedStatements(dataSource), DEFAULT_RANKING, config.retrievalCachePostings);
  }
  const { WeaviateRetrievalIndex } = await import('./retrieval/weaviate-retrieval-index.js');
  return new WeaviateRetrievalIndex({ ...config.weaviate, timeoutMs: config.retrievalTimeoutMs });
}

export async function createGenerator(config: Config): Promise<Generator> {
  if (!config.anthropic) return new OfflineGenerator();
  const { ClaudeGenerator } = await import('./generation/claude-generator.js');
  return new ClaudeGenerator({ ...config.anthropic, timeoutMs: config.generationTimeoutMs });
}

/** With Redis, a per-process memory state stands in while Redis is unreachable (see FallbackSharedState). */
export async function createSharedState(config: Config, clock: Clock = systemClock): Promise<SharedState> {
  if (!config.redisUrl) return new MemorySharedState(clock);
  const { RedisSharedState } = await import('./shared-state/redis-shared-state.js');
  return new FallbackSharedState(
    new RedisSharedState(config.redisUrl, config.redisPrefix, clock),
    new MemorySharedState(clock),
    createLogger(config.logLevel).child({ component: 'shared-state' }),
  );
}
