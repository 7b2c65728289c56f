import type { PGlite } from '@electric-sql/pglite';
import { Clock, systemClock } from './clock';
import type { Config } from './config';
import { Database, openDatabase } from './database';
import { createLogger } from './logger';
import { buildAppSchema } from './schema';
import { startServer, RunningServer } from './http/server';
import { createGenerator, createIndex, createSharedState } from './services/backends';
import { loadPepper } from './services/pepper';
import { createServices, Services } from './services/registry';

export interface App {
  server: RunningServer;
  services: Services;
  /** The database the app runs on (for measurements and operations scripts; services go through DataLayer). */
  database: Database;
  /** Set when this start generated the first admin key: shown once, never stored. */
  generatedAdminKey: string | null;
  /** Stops the server (draining in-flight work for up to `graceMs`), then releases limits and the database. */
  close(graceMs?: number): Promise<void>;
}

const HOUR_MS = 3_600_000;
const LEASE_RECLAIM_MS = 15_000;
const USAGE_ROLL_UP_MS = 2_000;
// The retention sweep and the lease reclaim first run this long after the server listens: neither is needed to
// serve, and at boot they would hold the one embedded connection and the main thread while the first requests wait.
const BOOT_JOBS_DELAY_MS = 5_000;

/**
 * Wires everything: database → services → schema → HTTP server, plus the hourly retention sweep. `pglite` is the
 * embedded database already opening on DATA_DIR (see main.ts).
 */
export async function startApp(
  config: Config,
  options: { database?: Database; host?: string; clock?: Clock; pglite?: Promise<PGlite> } = {},
): Promise<App> {
  const log = createLogger(config.logLevel);
  const database = options.database ?? (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, pglite: options.pglite }));
  const { pepper } = loadPepper(config.keyPepper, config.dataDir);
  const clock = options.clock ?? systemClock;
  const shared = await createSharedState(config, clock);
  const services = createServices({
    config, clock, dataSource: database.dataSource, log, pepper, shared,
    index: await createIndex(config, database.dataSource), generator: await createGenerator(config),
  });
  const generatedAdminKey = await services.keys.ensureFirstAdminKey();
  const server = await startServer(services, await buildAppSchema(), config.port, options.host);

  // A background job never throws into its timer: a failed run is logged, and the next one tries again.
  const job = (name: string, work: () => Promise<void>) => async () => {
    try {
      await work();
    } catch (error) {
      log.warn({ err: error }, `${name} failed`);
    }
  };
  const sweep = job('retention sweep', async () => {
    const conversations = await services.conversations.purge(config.conversationRetentionDays);
    const records = await services.usage.purge(config.usageRecordRetentionDays);
    const visitorCounts = await services.quota.purgeVisitorCounts();
    if (conversations || records || visitorCounts) log.info({ conversations, records, visitorCounts }, 'retention sweep');
  });
  // Every live process reclaims the leases of dead ones; a lease is handed to exactly one reclaimer.
  const reclaim = job('lease reclaim', async () => {
    const reclaimed = await services.quota.reclaimExpired();
    if (reclaimed) log.warn({ reclaimed }, 'reclaimed the quota leases of asks whose process died');
  });
  // Every live process folds pending usage into the daily roll-up; reports read both, so this only bounds the queue.
  const rollUp = job('usage roll-up', async () => {
    await services.usage.rollUp();
  });
  // Sends what Stripe has not yet got (retrying after an outage) and suspends tenants whose payment grace is over.
  const stripeSync = job('stripe sync', async () => {
    await services.stripeBilling?.tick();
  });
  const timers = [
    setInterval(sweep, HOUR_MS),
    setInterval(reclaim, LEASE_RECLAIM_MS),
    setInterval(rollUp, USAGE_ROLL_UP_MS),
    ...(config.stripe ? [setInterval(stripeSync, config.stripe.syncIntervalMs)] : []),
    setTimeout(() => void Promise.all([sweep(), reclaim()]), BOOT_JOBS_DELAY_MS),
  ];
  for (const timer of timers) timer.unref();

  log.info({ port: server.port, database: database.kind, retriever: services.index.name, generator: services.generator.model, limits: shared.name }, 'listening');
  return {
    server,
    services,
    database,
    generatedAdminKey,
    close: async (graceMs = 0) => {
      for (const timer of timers) clearTimeout(timer); // clears an interval as well
      await server.close(graceMs);
      await shared.close();
      await services.index.close?.();
      if (!options.database) await database.close();
    },
  };
}
