import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app';
import { reanalyzeIfStale } from '../../src/services/retrieval/reanalysis';
import { ANALYSIS_VERSION } from '../../src/services/text/analyzer';

/*
 * Documents keep the terms they were indexed with. When the analyzer changes (ANALYSIS_VERSION), the next start
 * analyses every stored chunk again, before it builds any in-memory index, so documents indexed before still meet
 * questions analysed the new way. Stale chunks are simulated by rewriting a chunk's stored
 * terms as an older analysis might have left them (a word it did not split) and marking the database as analysed
 * by version 0. Runs on PGlite, or on TEST_DATABASE_URL.
 */
describe('re-analysis of stored chunks when the analysis changes', () => {
  let one: TestApp;
  let tenantId: string;

  const search = async (app: TestApp, query: string) => {
    const res = await app.gql<{ retrievalTest: { title: string }[] }>(
      `query($t: ID!, $q: String!) { retrievalTest(tenantId: $t, query: $q, first: 5) { title } }`,
      { t: tenantId, q: query },
    );
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.retrievalTest.map((h) => h.title);
  };
  const stored = async (): Promise<{ terms: string; tfs: string; title_len: number; body_len: number }[]> =>
    one.database.dataSource.query(
      `SELECT terms, encode(tfs, 'hex') AS tfs, title_len, body_len FROM chunk WHERE tenant_id = $1 ORDER BY seq`,
      [tenantId],
    );

  beforeAll(async () => {
    one = await startTestApp();
    tenantId = (await one.tenant('BUSINESS')).id;
    const res = await one.gql(
      `mutation($t: ID!, $d: [DocumentInput!]!) { addDocuments(tenantId: $t, documents: $d) { documents { id } } }`,
      { t: tenantId, d: [
        { title: 'Scanner pairing', content: 'Pair the barcode scanner with the ward workstation from the Bluetooth settings.' },
        { title: 'Badge printer', content: 'The badge printer takes blank cards in the rear tray; clean its head monthly.' },
      ] },
    );
    expect(res.body.errors).toBeUndefined();
  });
  afterAll(async () => {
    await one?.close();
  });

  it('rewrites what an older analysis stored at the next start, once', async () => {
    const fresh = await stored();
    expect(await search(one, 'barcode scanner')).toEqual(['Scanner pairing']);

    // What an analysis that did not know 'barcode' and 'scanner' apart might have stored, a database marked as such.
    await one.database.dataSource.query(
      `UPDATE chunk SET terms = replace(terms, 'barcod', 'barcodescann'), title_len = 0 WHERE tenant_id = $1 AND terms LIKE '%barcod%'`,
      [tenantId],
    );
    await one.database.dataSource.query('UPDATE index_analysis SET version = 0');
    expect(await stored()).not.toEqual(fresh);

    // The next start (a second process on the database) analyses every chunk again before its first search.
    const two = await startTestApp({}, one.database);
    try {
      expect(await stored()).toEqual(fresh);
      expect(await search(two, 'barcode')).toEqual(['Scanner pairing']);
    } finally {
      await two.close();
    }
    const [{ version }] = await one.database.dataSource.query('SELECT version FROM index_analysis');
    expect(version).toBe(ANALYSIS_VERSION);
    const [totals] = await one.database.dataSource.query(
      `SELECT s.title_len::int AS stats, (SELECT sum(title_len)::int FROM chunk WHERE tenant_id = $1) AS chunks
       FROM chunk_stats s WHERE s.tenant_id = $1`,
      [tenantId],
    );
    expect(totals.stats).toBe(totals.chunks);

    // Current: a start reads one row and rewrites nothing.
    expect(await reanalyzeIfStale(one.database.dataSource)).toBe(0);
  });
});
