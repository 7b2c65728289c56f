import { analyze, detectLanguage } from '../text/analyzer';
import { DEFAULT_BM25, MAX_TERM_LENGTH, PgRetriever, postingKey, type Bm25Params } from './pg-retriever';
import { PgStatistics } from './pg-statistics';
import type { IndexedDocument, RetrievalIndex, Retriever, Sql } from './types';

// How much of a document is read to guess its language: a few paragraphs settle it, and a long manual would
// otherwise be scanned twice.
const LANGUAGE_SAMPLE_CHARS = 5000;
// title_tf and body_tf are smallint.
const MAX_TF = 32767;

/*
 * One statement, so a document's old chunks go and its new chunks and postings arrive together or not at all,
 * whatever connection the caller's Sql hands out; a search never sees the document half indexed. The insert waits
 * for the delete (it reads its count), so the new ordinals never meet the old ones. The `doc` guard makes the write
 * a no-op unless the document row exists and belongs to the tenant named, so a caller cannot file chunks under
 * another tenant's document. The old chunks' postings leave through the chunk_postings_delete trigger.
 *
 * Terms arrive once each ($9, with the number of this document's chunks holding them, $10) and postings point at
 * them by position ($12), so the term text crosses the wire once per document instead of once per posting. The
 * dictionary upsert takes its row locks in term order: two documents of one tenant indexed at once on a server
 * then wait for each other instead of deadlocking.
 */
const INDEX_SQL = `
  WITH doc AS (SELECT id FROM document WHERE id = $2 AND tenant_id = $1),
  old AS (DELETE FROM chunk WHERE tenant_id = $1 AND document_id = $2 RETURNING id),
  ins AS (
    INSERT INTO chunk (tenant_id, document_id, ordinal, heading, text, lang, title_len, body_len)
    SELECT $1, doc.id, c.ordinal, c.heading, c.text, $3, c.title_len, c.body_len
    FROM doc CROSS JOIN unnest($4::int[], $5::text[], $6::text[], $7::int[], $8::int[])
      AS c(ordinal, heading, text, title_len, body_len)
    WHERE (SELECT count(*) FROM old) >= 0
    RETURNING seq, ordinal, title_len, body_len
  ),
  terms AS (
    INSERT INTO index_term (tenant_id, term, df)
    SELECT $1, u.term, u.df FROM doc CROSS JOIN unnest($9::text[], $10::int[]) AS u(term, df)
    ORDER BY u.term
    ON CONFLICT (tenant_id, term) DO UPDATE SET df = index_term.df + EXCLUDED.df
    RETURNING id, term
  ),
  dict AS (SELECT d.term, d.i FROM unnest($9::text[]) WITH ORDINALITY AS d(term, i)),
  postings AS (
    INSERT INTO posting (term_id, chunk_seq, impact, title_tf, body_tf, title_len, body_len)
    SELECT terms.id, ins.seq, posting_impact(p.title_tf, p.body_tf, ins.title_len, ins.body_len),
           p.title_tf, p.body_tf, least(ins.title_len, 32767), least(ins.body_len, 32767)
    FROM unnest($11::int[], $12::int[], $13::int[], $14::int[]) AS p(ordinal, term_i, title_tf, body_tf)
    JOIN ins ON ins.ordinal = p.ordinal
    JOIN dict ON dict.i = p.term_i
    JOIN terms ON terms.term = dict.term
  )
  SELECT (SELECT count(*) FROM doc)::int AS found, (SELECT count(*) FROM ins)::int AS chunks`;

function counts(terms: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of terms) if (t.length <= MAX_TERM_LENGTH) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/** The PostgreSQL lexical backend: chunks, a term dictionary and postings (`chunk`, `index_term`, `posting`), searched by BM25F. */
export class PgRetrievalIndex implements RetrievalIndex {
  readonly name = 'postgres';

  private readonly statistics: PgStatistics;

  constructor(
    private readonly sql: Sql,
    private readonly params: Bm25Params = DEFAULT_BM25,
  ) {
    this.statistics = new PgStatistics(sql);
  }

  forTenant(tenantId: string): Retriever {
    return new PgRetriever(this.sql, tenantId, this.params);
  }

  /** Indexes a document's chunks, replacing whatever the index held for that document. */
  async addDocument(doc: IndexedDocument): Promise<void> {
    const sample = [doc.title, ...doc.chunks.map((c) => c.text)].join('\n').slice(0, LANGUAGE_SAMPLE_CHARS);
    const lang = detectLanguage(sample);

    const ordinals: number[] = [];
    const headings: string[] = [];
    const texts: string[] = [];
    const titleLens: number[] = [];
    const bodyLens: number[] = [];
    // The document's dictionary: term → its position (1-based, as SQL's ORDINALITY) and how many chunks hold it.
    const termIndex = new Map<string, number>();
    const termDf: number[] = [];
    const pOrdinals: number[] = [];
    const pTerms: number[] = [];
    const pTitle: number[] = [];
    const pBody: number[] = [];

    for (const chunk of doc.chunks) {
      // The heading path belongs with the title: both name what the passage is about, which body words do not.
      const titleTerms = analyze(`${doc.title}\n${chunk.heading}`, lang);
      const bodyTerms = analyze(chunk.text, lang);
      ordinals.push(chunk.ordinal);
      headings.push(chunk.heading);
      texts.push(chunk.text);
      titleLens.push(titleTerms.length);
      bodyLens.push(bodyTerms.length);

      const inTitle = counts(titleTerms);
      const inBody = counts(bodyTerms);
      for (const term of new Set([...inTitle.keys(), ...inBody.keys()])) {
        const key = postingKey(lang, term);
        let i = termIndex.get(key);
        if (i === undefined) {
          i = termIndex.size + 1;
          termIndex.set(key, i);
          termDf.push(0);
        }
        termDf[i - 1]++;
        pOrdinals.push(chunk.ordinal);
        pTerms.push(i);
        pTitle.push(Math.min(MAX_TF, inTitle.get(term) ?? 0));
        pBody.push(Math.min(MAX_TF, inBody.get(term) ?? 0));
      }
    }

    const rows = await this.sql.query<{ found: number; chunks: number }[]>(INDEX_SQL, [
      doc.tenantId, doc.documentId, lang, ordinals, headings, texts, titleLens, bodyLens, [...termIndex.keys()], termDf,
      pOrdinals, pTerms, pTitle, pBody,
    ]);
    if (Number(rows[0]?.found ?? 0) === 0) {
      throw new Error(`document ${doc.documentId} does not exist in tenant ${doc.tenantId}; nothing was indexed`);
    }
    await this.statistics.added(pTerms.length);
  }

  async removeDocument(tenantId: string, documentId: string): Promise<void> {
    await this.sql.query(`DELETE FROM chunk WHERE tenant_id = $1 AND document_id = $2`, [tenantId, documentId]);
  }

  async removeTenant(tenantId: string): Promise<void> {
    // The chunk delete takes the postings with it (trigger); the dictionary then goes as one range delete.
    await this.sql.query(`DELETE FROM chunk WHERE tenant_id = $1`, [tenantId]);
    await this.sql.query(`DELETE FROM index_term WHERE tenant_id = $1`, [tenantId]);
  }

  async ping(): Promise<void> {
    await this.sql.query('SELECT 1');
  }
}
