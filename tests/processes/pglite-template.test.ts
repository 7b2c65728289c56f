import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateEmbedded, openDatabase } from '../../src/database';
import { MIGRATIONS } from '../../src/migrations';
import { openPglite, writePgdataTemplate } from '../../src/pglite';

/*
 * A first start unpacks the data directory `npm install` prepared instead of running initdb. What a user would
 * notice if this broke: the first start fails, or the second start finds a different database than the first.
 */
describe('PGlite data directory template', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-template-'));
  const template = path.join(tmp, 'template.tar.gz');
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('starts a new data directory from the template, and the data is there at the next start', async () => {
    await writePgdataTemplate(template);
    const dataDir = path.join(tmp, 'pgdata');
    const first = await openPglite(dataDir, template);
    try {
      expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
      await first.query('CREATE TABLE kept (v text)');
      await first.query(`INSERT INTO kept VALUES ('from the first start')`);
    } finally {
      await first.close();
    }
    const second = await openPglite(dataDir, template);
    try {
      expect((await second.query<{ v: string }>('SELECT v FROM kept')).rows).toEqual([{ v: 'from the first start' }]);
      // The server settings apply to data directories made either way.
      expect((await second.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows[0].shared_buffers).toBe('16MB');
    } finally {
      await second.close();
    }
  });

  it('falls back to initdb when the template cannot be used', async () => {
    const broken = path.join(tmp, 'broken.tar.gz');
    fs.writeFileSync(broken, 'not a tarball');
    const dataDir = path.join(tmp, 'pgdata-fallback');
    const pglite = await openPglite(dataDir, broken);
    try {
      expect((await pglite.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    } finally {
      await pglite.close();
    }
  });

  it('holds the migrated schema, and a data directory of an older version is still migrated at start', async () => {
    const migrated = path.join(tmp, 'migrated.tar.gz');
    await writePgdataTemplate(migrated, migrateEmbedded);
    const names = MIGRATIONS.map((migration) => new migration().name || migration.name);
    const dataDir = path.join(tmp, 'older');
    const open = () => openDatabase({ dataDir, pglite: openPglite(path.join(dataDir, 'pgdata'), migrated) });
    const recorded = async (db: Awaited<ReturnType<typeof open>>) =>
      (await db.dataSource.query<{ name: string }[]>('SELECT name FROM migrations ORDER BY id')).map((row) => row.name);

    const first = await open();
    try {
      // A first start finds every migration already applied in the unpacked template.
      expect(await recorded(first)).toEqual(names);
      // What an older version left: its data directory lacks the newest migration.
      await first.dataSource.undoLastMigration();
      expect(await recorded(first)).toEqual(names.slice(0, -1));
    } finally {
      await first.close();
    }
    const second = await open();
    try {
      expect(await recorded(second)).toEqual(names);
    } finally {
      await second.close();
    }
  });
});

