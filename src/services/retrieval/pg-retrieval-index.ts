import { analyze, detectLanguage } from '../text/analyzer';
import { DEFAULT_RANKING, PgRetriever, type RankingParams } from './pg-retriever';
import { MAX_TERM_LENGTH, postingKey } from './query-terms';
import { PgMaintenance } from './pg-maintenance';
import type { IndexedDocument, RetrievalIndex, Retriever, Sql } from './types';

// How much of a document is read to guess its language: a few paragraphs settle it, and a long manual would
// otherwise be scanned twice.
const LANGUAGE_SAMPLE_CHARS = 5000;
// title_tf and body_tf are smallint.
const MAX_TF = 32767;

/*
 * One statement for a group of documents, so their old chunks go and their new chunks and postings arrive together
 * or not at all, whatever connection the caller's Sql hands out; a search never sees a document half indexed. The
 * insert waits for the delete (it reads its count), so new ordinals never meet old ones. `complete` makes the write
 * a no-op unless every document row exists and belongs to the tenant named, so a caller cannot file chunks under
 * another tenant's document. Old chunks' postings leave through the chunk_postings_delete trigger.
 *
 * A group shares one term list ($10, with how many of the group's chunks hold each term, $11); postings name their
 * chunk ($12, position in the chunk arrays) and term ($13) by position. The term text thus crosses the wire and the
 * dictionary upsert touches a common term once per group, not once per posting or per document. The upsert takes
 * its row locks in term order: two groups of one tenant indexed at once on a server wait for each other instead of
 * deadlocking.
 *
 * Postings are written in chunk order (the order addDocuments lists them), so a chunk's postings share a heap page
 * or two: a search scores its candidates from them (pg-retriever.ts), and reads one page per candidate instead of
 * one per posting.
 */
const INDEX_SQL = `
  WITH doc AS (SELECT id FROM document WHERE tenant_id = $1 AND id = ANY($2::uuid[])),
  complete AS (SELECT count(*) = cardinality($2::uuid[]) AS ok FROM doc),
  old AS (
    DELETE FROM chunk WHERE tenant_id = $1 AND document_id = ANY($2::uuid[]) AND (SELECT ok FROM complete)
    RETURNING id
  ),
  c AS (
    SELECT * FROM unnest($3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[], $8::int[], $9::int[])
      WITH ORDINALITY AS c(document_id, ordinal, heading, text, lang, title_len, body_len, k)
  ),
  ins AS (
    INSERT INTO chunk (tenant_id, document_id, ordinal, heading, text, lang, title_len, body_len)
    SELECT $1, c.document_id, c.ordinal, c.heading, c.text, c.lang, c.title_len, c.body_len FROM c
    WHERE (SELECT ok FROM complete) AND (SELECT count(*) FROM old) >= 0
    RETURNING seq, document_id, ordinal, title_len, body_len
  ),
  terms AS (
    INSERT INTO index_term (tenant_id, term, df)
    SELECT $1, u.term, u.df FROM unnest($10::text[], $11::int[]) AS u(term, df)
    WHERE (SELECT ok FROM complete)
    ORDER BY u.term
    ON CONFLICT (tenant_id, term) DO UPDATE SET df = index_term.df + EXCLUDED.df
    RETURNING id, term
  ),
  -- The group's term ids and chunk sequence numbers as arrays indexed by position, so each posting finds its own by
  -- subscript: joining 20k postings to them by text and by key cost sorts and hashes about as long as the inserts.
  ids AS (
    SELECT array_agg(terms.id ORDER BY d.i) AS term, (SELECT array_agg(ins.seq ORDER BY c.k) FROM c JOIN ins
      ON ins.document_id = c.document_id AND ins.ordinal = c.ordinal) AS chunk
    FROM unnest($10::text[]) WITH ORDINALITY AS d(term, i) JOIN terms ON terms.term = d.term
  ),
  -- $12..$15 come in chunk order and are written in that order (no join reorders them).
  postings AS (
    INSERT INTO posting (term_id, chunk_seq, impact, title_tf, body_tf, title_len, body_len)
    SELECT ids.term[p.term_i], ids.chunk[p.k], posting_impact(p.title_tf, p.body_tf, ($8::int[])[p.k], ($9::int[])[p.k]),
           p.title_tf, p.body_tf, least(($8::int[])[p.k], 32767), least(($9::int[])[p.k], 32767)
    FROM ids, unnest($12::int[], $13::int[], $14::int[], $15::int[]) AS p(k, term_i, title_tf, body_tf)
    WHERE (SELECT ok FROM complete)
  )
  SELECT (SELECT ok FROM complete) AS complete, (SELECT count(*) FROM ins)::int AS chunks`;

/**
 * An integer array as PostgreSQL's array literal. pg would quote and escape every element (two regular expressions
 * each): for a group's ~84,000 posting integers, about 2 % of an embedded ingestion's CPU in its profile.
 */
function intArray(values: number[]): string {
  return `{${values.join(',')}}`;
}

function counts(terms: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of terms) if (t.length <= MAX_TERM_LENGTH) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/** The PostgreSQL lexical backend: chunks, a term dictionary and postings (`chunk`, `index_term`, `posting`), searched by BM25F. */
export class PgRetrievalIndex implements RetrievalIndex {
  readonly name = 'postgres';

  private readonly maintenance: PgMaintenance;

  constructor(
    private readonly sql: Sql,
    private readonly params: RankingParams = DEFAULT_RANKING,
  ) {
    this.maintenance = new PgMaintenance(sql);
  }

  forTenant(tenantId: string): Retriever {
    return new PgRetriever(this.sql, tenantId, this.params);
  }

  /** Indexes a document's chunks, replacing whatever the index held for that document. */
  async addDocument(doc: IndexedDocument): Promise<void> {
    await this.addDocuments([doc]);
  }

  /** Indexes several documents of one tenant in one statement: all of them, or none when one row is missing. */
  async addDocuments(docs: IndexedDocument[]): Promise<void> {
    if (docs.length === 0) return;
    const tenantId = docs[0].tenantId;
    if (docs.some((d) => d.tenantId !== tenantId)) throw new Error('addDocuments takes the documents of one tenant');

    const chunks = { documentIds: [] as string[], ordinals: [] as number[], headings: [] as string[], texts: [] as string[], langs: [] as string[], titleLens: [] as number[], bodyLens: [] as number[] };
    // The group's dictionary: term → its position (1-based, as SQL's ORDINALITY), and how many chunks hold it.
    const termIndex = new Map<string, number>();
    const termDf: number[] = [];
    const postings = { chunks: [] as number[], terms: [] as number[], title: [] as number[], body: [] as number[] };

    for (const doc of docs) {
      const sample = [doc.title, ...doc.chunks.map((c) => c.text)].join('\n').slice(0, LANGUAGE_SAMPLE_CHARS);
      const lang = detectLanguage(sample);
      for (const chunk of doc.chunks) {
        // The heading path belongs with the title: both name what the passage is about, which body words do not.
        const titleTerms = analyze(`${doc.title}\n${chunk.heading}`, lang);
        const bodyTerms = analyze(chunk.text, lang);
        chunks.documentIds.push(doc.documentId);
        chunks.ordinals.push(chunk.ordinal);
        chunks.headings.push(chunk.heading);
        chunks.texts.push(chunk.text);
        chunks.langs.push(lang);
        chunks.titleLens.push(titleTerms.length);
        chunks.bodyLens.push(bodyTerms.length);
        const k = chunks.ordinals.length;

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
          postings.chunks.push(k);
          postings.terms.push(i);
          postings.title.push(Math.min(MAX_TF, inTitle.get(term) ?? 0));
          postings.body.push(Math.min(MAX_TF, inBody.get(term) ?? 0));
        }
      }
    }

    const rows = await this.sql.query<{ complete: boolean; chunks: number }[]>(INDEX_SQL, [
      tenantId, docs.map((d) => d.documentId),
      chunks.documentIds, intArray(chunks.ordinals), chunks.headings, chunks.texts, chunks.langs, intArray(chunks.titleLens), intArray(chunks.bodyLens),
      [...termIndex.keys()], intArray(termDf),
      intArray(postings.chunks), intArray(postings.terms), intArray(postings.title), intArray(postings.body),
    ]);
    if (!rows[0]?.complete) {
      throw new Error(`a document of [${docs.map((d) => d.documentId).join(', ')}] does not exist in tenant ${tenantId}; nothing was indexed`);
    }
    await this.maintenance.added(postings.terms.length);
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
