import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { openDataDirPglite } from './pglite';

/** Start-up only: config → app (database, services, schema, HTTP server); drain and stop on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  // The embedded database opens first: PGlite's WASM compiles on background threads while the main thread loads
  // the rest of the code (TypeORM, type-graphql, Apollo: most of a start). A failure surfaces where it is awaited.
  const pglite = config.databaseUrl ? undefined : openDataDirPglite(config.dataDir);
  pglite?.catch(() => undefined);
  const { startApp } = await import('./app.js');
  const app = await startApp(config, { pglite });
  if (app.generatedAdminKey) {
    console.log(
      `\nFirst start: an admin key was generated. It is shown this once; keep it safe.\n\n  ${app.generatedAdminKey}\n\n` +
        'Set ADMIN_API_KEY to use your own instead.\n',
    );
  }
  const base = `http://localhost:${app.server.port}`;
  console.log(
    `GraphQL API on ${base}/graphql\n` +
      `  start page  ${base}/\n  chat        ${base}/chat\n  console     ${base}/admin\n  dashboard   ${base}/dashboard\n  status      ${base}/status`,
  );
  // On a signal: stop accepting, let what is in flight finish (up to the grace period), then exit 0, as process
  // managers expect of a clean stop. A second signal during the drain is ignored; the manager's kill ends it.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: draining for up to ${config.shutdownGraceSeconds} s`);
    app.close(config.shutdownGraceSeconds * 1000).then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
