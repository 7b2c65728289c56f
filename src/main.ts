import 'reflect-metadata';
import { startApp } from './app';
import { ConfigError, loadConfig } from './config';

/** Start-up only: config → app (database, services, schema, HTTP server); stop cleanly on SIGINT/SIGTERM. */
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
  const app = await startApp(config);
  if (app.generatedAdminKey) {
    console.log(
      `\nFirst start: an admin key was generated. It is shown this once; keep it safe.\n\n  ${app.generatedAdminKey}\n\n` +
        'Set ADMIN_API_KEY to use your own instead.\n',
    );
  }
  console.log(`GraphQL API on http://localhost:${app.server.port}/graphql`);
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
