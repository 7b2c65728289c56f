import 'reflect-metadata';
import { migrateEmbedded } from '../database';
import { PGDATA_TEMPLATE, writePgdataTemplate } from '../pglite';

/**
 * Run at install (`prepare`): a PGlite data directory, initialised and migrated, for first starts to unpack instead
 * of running initdb and every migration. A data directory from it is checked like any other at start, so a
 * template older than the code is migrated the rest of the way. Without it start-up still works, only slower, so a
 * failure here warns and does not fail the install.
 */
writePgdataTemplate(PGDATA_TEMPLATE, migrateEmbedded)
  .then(() => console.log(`PGlite data directory template written to ${PGDATA_TEMPLATE}`))
  .catch((error) => console.warn(`No PGlite template (first starts will run initdb): ${error}`));
