import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from '../helpers/app';
import { DAY_MS } from '../helpers/clock';
import { AskPasswordResetDocument, SeedPasswordResetDocument, UpdateTenantDocument } from '../operations/operations.generated';

/**
 * Calls are queued for the daily roll-up instead of bumping a shared row (see the UsageRollupQueue migration).
 * Reports must be exact whether the calls are still pending, folded, or folded by several processes at once.
 */
describe('usage roll-up', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  const report = async (key: string) => {
    const from = new Date(Date.now() - DAY_MS).toISOString();
    const to = new Date(Date.now() + DAY_MS).toISOString();
    return (await t.gql(`{ usage(from: "${from}", to: "${to}", granularity: DAY) { total { requests succeeded refused failed } } }`, {}, { key })).body.data.usage.total;
  };
  const summary = async (tenantId: string) => {
    const month = new Date().toISOString().slice(0, 7);
    const rows = (await t.gql(`{ usageSummary(month: "${month}") { tenant { id } requests succeeded } }`)).body.data.usageSummary;
    return rows.find((r: { tenant: { id: string } }) => r.tenant.id === tenantId);
  };

  it('reports the same exact figures before, during and after concurrent roll-ups, counting each call once', async () => {
    const a = await t.tenant('BUSINESS');
    const b = await t.tenant('BUSINESS');
    await t.gql(SeedPasswordResetDocument, { tenantId: a.id });
    await t.gql(UpdateTenantDocument, { id: b.id, input: { quotaOverride: 2 } });
    await Promise.all([...Array(12)].map(() => t.gql(AskPasswordResetDocument, {}, { key: a.key })));
    await Promise.all([...Array(5)].map(() => t.gql(AskPasswordResetDocument, {}, { key: b.key }))); // 2 answered, 3 refused

    // (The app's own roll-up timer may have folded some already: it is one more process doing the same.)
    expect(await report(a.key)).toEqual({ requests: 12, succeeded: 12, refused: 0, failed: 0 });
    expect(await report(b.key)).toEqual({ requests: 5, succeeded: 2, refused: 3, failed: 0 });

    // Three processes' worth of roll-ups at once, in small batches, while reports are read.
    const { usage } = t.app.services;
    const [, during] = await Promise.all([
      Promise.all([usage.rollUp(3), usage.rollUp(3), usage.rollUp(3)]),
      report(a.key),
    ]);
    expect(during).toEqual({ requests: 12, succeeded: 12, refused: 0, failed: 0 });
    expect((await t.database.dataSource.query('SELECT count(*)::int AS n FROM usage_pending'))[0].n).toBe(0);

    expect(await report(a.key)).toEqual({ requests: 12, succeeded: 12, refused: 0, failed: 0 });
    expect(await report(b.key)).toEqual({ requests: 5, succeeded: 2, refused: 3, failed: 0 });
    expect(await summary(a.id)).toMatchObject({ requests: 12, succeeded: 12 });

    // New calls after a roll-up add to it.
    await t.gql(AskPasswordResetDocument, {}, { key: a.key });
    expect(await report(a.key)).toEqual({ requests: 13, succeeded: 13, refused: 0, failed: 0 });
    expect(await summary(a.id)).toMatchObject({ requests: 13, succeeded: 13 });
  });
});
