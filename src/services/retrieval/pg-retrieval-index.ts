import { DEFAULT_RETRIEVAL_CACHE_POSTINGS } from '../../config';
import { analyze, detectLanguage, type Language } from '../text/analyzer';
import { DEFAULT_RANKING, PgRetriever, type RankingParams } from './pg-retriever';
import { MAX_TERM_LENGTH } from './query-terms';
import { PgMaintenance } from './pg-maintenance';
import { TenantIndexCache } from './tenant-index-cache';
import type { IndexedDocument, RetrievalIndex, Retriever, Sql } from './types';

// How much of a document is read to guess its language: a few paragraphs settle it, and a long manual would
// otherwise be scanned twice.
const LANGUAGE_SAMPLE_CHARS = 5000;
// Counts are stored in two bytes each (chunk.tfs), and were smallint before.
const MAX_TF = 32767;

/*
 * One statement for a group of documents, so their old chunks go and their new chunks arrive together or not at
 * all, whatever connection the caller's Sql hands out; a search never sees a document half indexed. The insert
 * waits for the delete (it reads its count), so new ordinals never meet old ones. `complete` makes the write a no-op
 * unless every document row exists and belongs to the tenant named, so a caller cannot file chunks under another
 * tenant's document.
 *
 * Each chunk row carries its own forward index (ForwardIndex migration): its distinct terms, space-separated, and
 * their counts in the title field and the body, as bytes (hexadecimal on the wire). Nothing
 * else is written: no dictionary, no posting rows; chunk_stats' triggers bump the tenant's index version, which
 * tells every process's in-memory index (TenantIndexCache) to read the new chunks.
 */
const INDEX_SQL = `
  WITH doc AS (SELECT id FROM document WHERE tenant_id = $1 AND id = ANY($2::uuid[])),
  complete AS (SELECT count(*) = cardinality($2::uuid[]) AS ok FROM doc),
  old AS (
    DELETE FROM chunk WHERE tenant_id = $1 AND document_id = ANY($2::uuid[]) AND (SELECT ok FROM complete)
    RETURNING id
  ),
  ins AS (
    INSERT INTO chunk (tenant_id, document_id, ordinal, heading, text, lang, title_len, body_len, terms, tfs)
    SELECT $1, c.document_id, c.ordinal, c.heading, c.text, c.lang, c.title_len, c.body_len, c.terms, decode(c.tfs, 'hex')
    FROM unnest($3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[], $8::int[], $9::int[], $10::text[], $11::text[])
      AS c(document_id, ordinal, heading, text, lang, title_len, body_len, terms, tfs)
    WHERE (SELECT ok FROM complete) AND (SELECT count(*) FROM old) >= 0
    RETURNING 1
  )
  SELECT (SELECT ok FROM complete) AS complete, (SELECT count(*) FROM ins)::int AS chunks`;

/**
 * An integer array as PostgreSQL's array literal. pg would quote and escape every element (two regular expressions
 * each), which showed in an embedded ingestion's profile when a group's postings crossed the wire as integers.
 */
function intArray(values: number[]): string {
  return `{${values.join(',')}}`;
}

function counts(terms: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of terms) if (t.length <= MAX_TERM_LENGTH) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/** What a chunk row stores of its analysis: field lengths, distinct terms (space-separated) and their counts (hex). */
export interface ForwardIndexEntry {
  titleLen: number;
  bodyLen: number;
  terms: string;
  tfs: string;
}

/**
 * A chunk's forward index, as written with the chunk and as written again when the analysis changes
 * (reanalysis.ts): the document's title and the chunk's heading path make the title field, the text the body.
 */
export function forwardIndex(title: string, heading: string, text: string, lang: Language): ForwardIndexEntry {
  // The heading path belongs with the title: both name what the passage is about, which body words do not.
  const titleTerms = analyze(`${title}\n${heading}`, lang);
  const bodyTerms = analyze(text, lang);
  const inTitle = counts(titleTerms);
  const inBody = counts(bodyTerms);
  const terms = [...new Set([...inTitle.keys(), ...inBody.keys()])];
  const tfs = Buffer.alloc(4 * terms.length);
  terms.forEach((t, i) => {
    tfs.writeUInt16BE(Math.min(MAX_TF, inTitle.get(t) ?? 0), 4 * i);
    tfs.writeUInt16BE(Math.min(MAX_TF, inBody.get(t) ?? 0), 4 * i + 2);
  });
  return { titleLen: titleTerms.length, bodyLen: bodyTerms.length, terms: terms.join(' '), tfs: tfs.toString('hex') };
}

/**
 * The PostgreSQL lexical backend: chunks carrying their forward index (`chunk`), searched by BM25F over an inverted
 * index each process builds in memory (TenantIndexCache).
 */
export class PgRetrievalIndex implements RetrievalIndex {
  readonly name = 'postgres';

  private readonly maintenance: PgMaintenance;
  private readonly cache: TenantIndexCache;

  constructor(
    private readonly sql: Sql,
    private readonly params: RankingParams = DEFAULT_RANKING,
    /** Postings the in-memory indexes of this process may hold together (config.retrievalCachePostings). */
    maxPostings = DEFAULT_RETRIEVAL_CACHE_POSTINGS,
  ) {
    this.maintenance = new PgMaintenance(sql);
    this.cache = new TenantIndexCache(sql, maxPostings);
  }

  forTenant(tenantId: string): Retriever {
    return new PgRetriever(this.sql, this.cache, tenantId, this.params);
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

    const chunks = {
      documentIds: [] as string[], ordinals: [] as number[], headings: [] as string[], texts: [] as string[], langs: [] as string[],
      titleLens: [] as number[], bodyLens: [] as number[], terms: [] as string[], tfs: [] as string[],
    };
    for (const doc of docs) {
      const sample = [doc.title, ...doc.chunks.map((c) => c.text)].join('\n').slice(0, LANGUAGE_SAMPLE_CHARS);
      const lang = detectLanguage(sample);
      for (const chunk of doc.chunks) {
        const entry = forwardIndex(doc.title, chunk.heading, chunk.text, lang);
        chunks.documentIds.push(doc.documentId);
        chunks.ordinals.push(chunk.ordinal);
        chunks.headings.push(chunk.heading);
        chunks.texts.push(chunk.text);
        chunks.langs.push(lang);
        chunks.titleLens.push(entry.titleLen);
        chunks.bodyLens.push(entry.bodyLen);
        chunks.terms.push(entry.terms);
        chunks.tfs.push(entry.tfs);
      }
    }

    const rows = await this.sql.query<{ complete: boolean; chunks: number }[]>(INDEX_SQL, [
      tenantId, docs.map((d) => d.documentId),
      chunks.documentIds, intArray(chunks.ordinals), chunks.headings, chunks.texts, chunks.langs, intArray(chunks.titleLens), intArray(chunks.bodyLens),
      chunks.terms, chunks.tfs,
    ]);
    if (!rows[0]?.complete) {
      throw new Error(`a document of [${docs.map((d) => d.documentId).join(', ')}] does not exist in tenant ${tenantId}; nothing was indexed`);
    }
    await this.maintenance.added(chunks.ordinals.length);
  }

  async removeDocument(tenantId: string, documentId: string): Promise<void> {
    await this.sql.query(`DELETE FROM chunk WHERE tenant_id = $1 AND document_id = $2`, [tenantId, documentId]);
  }

  async removeTenant(tenantId: string): Promise<void> {
    await this.sql.query(`DELETE FROM chunk WHERE tenant_id = $1`, [tenantId]);
    this.cache.evict(tenantId);
  }

  async ping(): Promise<void> {
    await this.sql.query('SELECT 1');
  }
}
