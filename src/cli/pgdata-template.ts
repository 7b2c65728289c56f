import { PGDATA_TEMPLATE, writePgdataTemplate } from '../pglite';

/**
 * Run at install (`prepare`): an initialised PGlite data directory for first starts to unpack instead of running
 * initdb. Without it start-up still works, only slower, so a failure here warns and does not fail the install.
 */
writePgdataTemplate()
  .then(() => console.log(`PGlite data directory template written to ${PGDATA_TEMPLATE}`))
  .catch((error) => console.warn(`No PGlite template (first starts will run initdb): ${error}`));
