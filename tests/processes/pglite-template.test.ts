import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
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

  it('keeps a few MB of WAL after a checkpoint, and still opens a data directory with 16 MB WAL segments', async () => {
    const setting = async (pglite: PGlite, name: string) => Object.values((await pglite.query<Record<string, string>>(`SHOW ${name}`)).rows[0])[0];
    const walBytes = (dir: string) =>
      fs.readdirSync(path.join(dir, 'pg_wal')).reduce((sum, name) => sum + fs.statSync(path.join(dir, 'pg_wal', name)).size, 0);

    const dataDir = path.join(tmp, 'small-wal');
    const pglite = await openPglite(dataDir, template);
    try {
      expect(await setting(pglite, 'wal_segment_size')).toBe('1MB');
      // About 40 MB of WAL, then the checkpoint PgMaintenance would ask for.
      await pglite.query(`CREATE TABLE filler AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 150000) g`);
      await pglite.query('CHECKPOINT');
      expect(walBytes(dataDir)).toBeLessThanOrEqual(6 * 1024 * 1024);
    } finally {
      await pglite.close();
    }

    // What main's layout left: a directory initialised with PGlite's default segments. Its WAL settings must suit
    // them (min_wal_size below two segments stops PostgreSQL at start).
    const older = path.join(tmp, 'sixteen');
    const made = new PGlite({ dataDir: older });
    await made.query(`CREATE TABLE kept AS SELECT 'from the older layout' AS v`);
    await made.close();
    const reopened = await openPglite(older, template);
    try {
      expect(await setting(reopened, 'wal_segment_size')).toBe('16MB');
      expect(await setting(reopened, 'max_wal_size')).toBe('32MB');
      expect((await reopened.query<{ v: string }>('SELECT v FROM kept')).rows).toEqual([{ v: 'from the older layout' }]);
    } finally {
      await reopened.close();
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

