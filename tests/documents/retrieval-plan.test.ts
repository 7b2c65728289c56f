import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyntheticCorpus } from '../../bench/synthetic-corpus';
import type { Database } from '../../src/database';
import { PgRetrievalIndex } from '../../src/services/retrieval/pg-retrieval-index';
import { CANDIDATES_PER_TERM, PgRetriever } from '../../src/services/retrieval/pg-retriever';
import { openTestDatabase } from '../helpers/database';

/*
 * Retrieval at 10k chunks, checked by its plan rather than a clock (the machine is shared; a plan is not): after an
 * ingestion through the real index, the search picks candidates from posting_term_impact, a bounded number per
 * term, scores them from their own postings (posting_chunk), and scans no retrieval table whole. A search planned blind (tables never analysed) or a lost index shows
 * up here as a Seq Scan or as postings read by the ten thousand. Runs on PGlite, or on TEST_DATABASE_URL.
 */
const CHUNKS = 10_000;
const PER_DOCUMENT = 50;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe('retrieval plan at 10k chunks', () => {
  let db: Database;
  let tenantId: string;
  const corpus = new SyntheticCorpus(7);

  beforeAll(async () => {
    db = await openTestDatabase();
    const sql = db.dataSource;
    [{ id: tenantId }] = await sql.query(
      `INSERT INTO tenant (slug, name, contact_email, plan_code) VALUES ('plan', 'Plan', 'p@example.org', 'ENTERPRISE') RETURNING id`,
    );
    const index = new PgRetrievalIndex(sql);
    for (let d = 0; d < CHUNKS / PER_DOCUMENT; d += 10) {
      const group = [];
      for (let i = d; i < d + 10; i++) {
        const { title, chunks } = corpus.passages(i, PER_DOCUMENT);
        const [{ id }] = await sql.query(
          `INSERT INTO document (tenant_id, title, mime_type, content_hash, chunk_count) VALUES ($1, $2, 'text/plain', $3, $4) RETURNING id`,
          [tenantId, title, `plan-${i}`, chunks.length],
        );
        group.push({ tenantId, documentId: id, title, sourceUrl: null, chunks });
      }
      await index.addDocuments(group);
    }
  }, 600_000);
  afterAll(async () => db?.close());

  it('has analysed the retrieval tables while ingesting', async () => {
    const [{ actual }] = await db.dataSource.query(`SELECT count(*)::float8 AS actual FROM posting`);
    const [{ seen }] = await db.dataSource.query(`SELECT reltuples::float8 AS seen FROM pg_class WHERE relname = 'posting'`);
    // The last ANALYZE ran at most a quarter of the table ago.
    expect(Number(seen)).toBeGreaterThan(0.7 * Number(actual));
  });

  it.each([
    ['common words', 'How do I reset the user account password?'],
    ['common and rare words', 'Why does the printer queue show error tritrapol on my laptop?'],
    ['French', 'Comment réinitialiser le mot de passe du compte utilisateur ?'],
  ])('reads a bounded number of postings, through indexes only (%s)', async (_, question) => {
    const retriever = new PgRetriever(db.dataSource, tenantId);
    expect((await retriever.search(question, 5)).length).toBeGreaterThan(0);
    const [{ Plan: plan }] = (await retriever.explain(question, 5)) as { Plan: PlanNode }[];
    const all = nodes(plan);

    const scanned = all.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']);
    expect(scanned.filter((r) => r === 'posting' || r === 'chunk' || r === 'index_term' || r === 'document')).toEqual([]);

    const postingReads = all.filter((n) => n['Relation Name'] === 'posting');
    for (const n of postingReads) expect(['posting_term_impact', 'posting_chunk']).toContain(n['Index Name']);
    // Candidates: at most CANDIDATES_PER_TERM per term of each language's analysis (a question of a few words).
    const heads = postingReads.filter((n) => n['Index Name'] === 'posting_term_impact');
    expect(heads.length).toBeGreaterThan(0);
    const read = heads.reduce((sum, n) => sum + n['Actual Rows'] * n['Actual Loops'], 0);
    expect(read).toBeLessThanOrEqual(2 * 8 * CANDIDATES_PER_TERM);
    // Exact scoring: the postings of 50 candidates (10 per passage asked for; here under 30 terms each), not of the
    // corpus.
    const rescored = postingReads.filter((n) => n['Index Name'] === 'posting_chunk');
    expect(rescored.reduce((sum, n) => sum + n['Actual Rows'] * n['Actual Loops'], 0)).toBeLessThanOrEqual(50 * 30);
    // The corpus holds terms with more postings than the bound, so the bound is what kept the read small.
    const [{ longest }] = await db.dataSource.query(`SELECT max(df)::int AS longest FROM index_term WHERE tenant_id = $1`, [tenantId]);
    expect(longest).toBeGreaterThan(CANDIDATES_PER_TERM);
  });
});
