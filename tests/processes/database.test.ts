import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/database';
import { openTestDatabase } from '../helpers/database';

describe('database', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('seeds the four plans with the contract figures', async () => {
    const rows = await db.dataSource.query(
      'SELECT code, monthly_quota, rate_per_minute, price_cents, extra_key_price_cents FROM plan ORDER BY price_cents',
    );
    expect(rows).toEqual([
      { code: 'DEMO', monthly_quota: 100, rate_per_minute: 5, price_cents: 0, extra_key_price_cents: null },
      { code: 'STARTER', monthly_quota: 1000, rate_per_minute: 10, price_cents: 9900, extra_key_price_cents: null },
      { code: 'BUSINESS', monthly_quota: 10000, rate_per_minute: 30, price_cents: 29900, extra_key_price_cents: 5000 },
      { code: 'ENTERPRISE', monthly_quota: null, rate_per_minute: 100, price_cents: 99900, extra_key_price_cents: 5000 },
    ]);
  });

  // typeorm-pglite was seen to let one transaction's ROLLBACK undo another's committed row; this is the guard.
  it('keeps concurrent transactions from undoing each other', async () => {
    await db.dataSource.query(`INSERT INTO tenant (slug, name, contact_email, plan_code) VALUES ('tx', 'Tx', 'a@b.c', 'STARTER')`);
    const [{ id }] = await db.dataSource.query(`SELECT id FROM tenant WHERE slug = 'tx'`);
    const committing = Array.from({ length: 10 }, (_, i) =>
      db.dataSource.transaction(async (m) => {
        await m.query(`INSERT INTO audit_entry (actor, action, target_type, target_id) VALUES ('t', 'commit', 'x', $1)`, [String(i)]);
        await new Promise((r) => setTimeout(r, 5));
        await m.query(`UPDATE quota_counter SET used = used WHERE tenant_id = $1`, [id]);
      }),
    );
    const rollingBack = Array.from({ length: 10 }, (_, i) =>
      db.dataSource
        .transaction(async (m) => {
          await m.query(`INSERT INTO audit_entry (actor, action, target_type, target_id) VALUES ('t', 'rollback', 'x', $1)`, [String(i)]);
          await new Promise((r) => setTimeout(r, 5));
          throw new Error('roll back');
        })
        .catch(() => undefined),
    );
    await Promise.all([...committing, ...rollingBack]);
    const counts = await db.dataSource.query(`SELECT action, count(*)::int AS n FROM audit_entry GROUP BY action ORDER BY action`);
    expect(counts).toEqual([{ action: 'commit', n: 10 }]);
  });
});
