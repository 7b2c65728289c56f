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
  /** Set when this start generated the first admin key: shown once, never stored. */
  generatedAdminKey: string | null;
  close(): Promise<void>;
}

const HOUR_MS = 3_600_000;
// Any constant: serialises the first-start admin key check between processes sharing a database.
const ADMIN_KEY_LOCK = 7_304_119;

/** Wires everything: database → services → schema → HTTP server, plus the hourly retention sweep. */
export async function startApp(config: Config, options: { database?: Database; host?: string } = {}): Promise<App> {
  const log = createLogger(config.logLevel);
  const database = options.database ?? (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir }));
  const { pepper } = loadPepper(config.keyPepper, config.dataDir);
  const shared = await createSharedState(config);
  const services = createServices({
    config, dataSource: database.dataSource, log, pepper, shared,
    index: await createIndex(config, database.dataSource), generator: await createGenerator(config),
  });
  const generatedAdminKey = await ensureAdminKey(services);
  const server = await startServer(services, await buildAppSchema(), config.port, options.host);

  const sweep = async () => {
    try {
      const conversations = await services.conversations.purge(config.conversationRetentionDays);
      const records = await services.usage.purge(config.usageRecordRetentionDays);
      if (conversations || records) log.info({ conversations, records }, 'retention sweep');
    } catch (error) {
      log.warn({ err: error }, 'retention sweep failed');
    }
  };
  void sweep();
  const timer = setInterval(sweep, HOUR_MS);
  timer.unref();

  log.info({ port: server.port, database: database.kind, retriever: services.index.name, generator: services.generator.model, limits: shared.name }, 'listening');
  return {
    server,
    services,
    generatedAdminKey,
    close: async () => {
      clearInterval(timer);
      await server.close();
      await shared.close();
      if (!options.database) await database.close();
    },
  };
}

/**
 * Without ADMIN_API_KEY, the operator needs some way in: at first start (no admin key in the database yet) one is
 * generated and returned to be printed once. Its hash is stored like any other key.
 */
async function ensureAdminKey(services: Services): Promise<string | null> {
  if (services.config.adminApiKey) return null;
  return services.dataSource.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [ADMIN_KEY_LOCK]);
    const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM api_key WHERE role = 'ADMIN'`);
    if (n > 0) return null;
    const { secret } = await services.keys.issue(m, { tenantId: null, role: 'ADMIN', kind: 'ADMIN', name: 'first admin key' });
    return secret;
  });
}
