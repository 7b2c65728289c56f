import { analyze, detectLanguage } from '../text/analyzer';
import { DEFAULT_RANKING, PgRetriever, type RankingParams } from './pg-retriever';
import { MAX_TERM_LENGTH, postingKey } from './query-terms';
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
 * another tenant's document.
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
    RETURNING id, ordinal, title_len, body_len
  ),
  terms AS (
    INSERT INTO chunk_term (tenant_id, term, chunk_id, title_tf, body_tf, title_len, body_len)
    SELECT $1, t.term, ins.id, t.title_tf, t.body_tf, ins.title_len, ins.body_len
    FROM unnest($9::int[], $10::text[], $11::int[], $12::int[]) AS t(ordinal, term, title_tf, body_tf)
    JOIN ins ON ins.ordinal = t.ordinal
  )
  SELECT (SELECT count(*) FROM doc)::int AS found, (SELECT count(*) FROM ins)::int AS chunks`;

function counts(terms: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of terms) if (t.length <= MAX_TERM_LENGTH) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/** The PostgreSQL lexical backend: chunks and their term postings in `chunk` / `chunk_term`, searched by BM25F. */
export class PgRetrievalIndex implements RetrievalIndex {
  readonly name = 'postgres';

  constructor(
    private readonly sql: Sql,
    private readonly params: RankingParams = DEFAULT_RANKING,
  ) {}

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
    const tOrdinals: number[] = [];
    const tTerms: string[] = [];
    const tTitle: number[] = [];
    const tBody: number[] = [];

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
        tOrdinals.push(chunk.ordinal);
        tTerms.push(postingKey(lang, term));
        tTitle.push(Math.min(MAX_TF, inTitle.get(term) ?? 0));
        tBody.push(Math.min(MAX_TF, inBody.get(term) ?? 0));
      }
    }

    const rows = await this.sql.query<{ found: number; chunks: number }[]>(INDEX_SQL, [
      doc.tenantId, doc.documentId, lang, ordinals, headings, texts, titleLens, bodyLens, tOrdinals, tTerms, tTitle,
      tBody,
    ]);
    if (Number(rows[0]?.found ?? 0) === 0) {
      throw new Error(`document ${doc.documentId} does not exist in tenant ${doc.tenantId}; nothing was indexed`);
    }
  }

  async removeDocument(tenantId: string, documentId: string): Promise<void> {
    await this.sql.query(`DELETE FROM chunk WHERE tenant_id = $1 AND document_id = $2`, [tenantId, documentId]);
  }

  async removeTenant(tenantId: string): Promise<void> {
    // Postings first, by their own primary-key prefix: one range delete instead of a cascade per chunk.
    await this.sql.query(`DELETE FROM chunk_term WHERE tenant_id = $1`, [tenantId]);
    await this.sql.query(`DELETE FROM chunk WHERE tenant_id = $1`, [tenantId]);
  }

  async ping(): Promise<void> {
    await this.sql.query('SELECT 1');
  }
}
