import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config';
import { dataSourceOptions } from './src/database';

/**
 * The data source for the TypeORM CLI (`npm run typeorm -- migration:show -d ormconfig.ts`). It needs a PostgreSQL
 * server (DATABASE_URL); the embedded database is migrated by the server itself at start-up.
 */
const config = loadConfig();
if (!config.databaseUrl) throw new Error('The TypeORM CLI needs DATABASE_URL (the embedded database migrates itself at start).');

export default new DataSource(dataSourceOptions(config.databaseUrl));
