import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
});
