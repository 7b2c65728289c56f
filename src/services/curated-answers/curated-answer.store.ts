import type { Citation } from '../../entities/citation';
import { CuratedAnswer } from '../../entities/curated-answer.entity';
import type { Db } from '../data/db';
import { isUuid, Page, paginate } from '../pagination';

/** What a curated answer is made of, as saved. */
export interface CuratedFields {
  questions: string[];
  answer: string;
  documentIds: string[];
}

/** A tenant's curated answers as an ask matches them, with the version of the tenant's set they were read at. */
export interface CuratedSnapshot {
  version: number;
  /** `updatedAt`: when the answer was last changed (an ISO instant), which unansweredQuestions compares asks with. */
  answers: { id: string; questions: string[]; answer: string; citations: Citation[]; updatedAt: string }[];
}

// A curated citation was chosen by a person, not ranked: it carries the top score.
const CURATED_SCORE = 1;

/**
 * One tenant's curated answers, and the only way to reach them: every statement carries `tenant_id = <this tenant>`.
 * Each change bumps `tenant.curated_version` in the same statement, so a copy read with a version is never older
 * than the version says.
 */
export class CuratedAnswerStore {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
  ) {}

  /** Most recently changed first. */
  async list(first: number, after?: string | null): Promise<Page<CuratedAnswer>> {
    const qb = this.db.getRepository(CuratedAnswer).createQueryBuilder('a').where('a.tenant_id = :tenantId', { tenantId: this.tenantId });
    const page = await paginate(qb, { first, after, sortColumn: 'updated_at', sortProperty: 'updatedAt', descending: true });
    await this.cite(page.edges.map((e) => e.node));
    return page;
  }

  /** Every curated answer, oldest first (the CSV export). */
  async all(): Promise<CuratedAnswer[]> {
    const rows = await this.db.getRepository(CuratedAnswer).find({ where: { tenantId: this.tenantId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return this.cite(rows);
  }

  async get(id: string): Promise<CuratedAnswer | null> {
    if (!isUuid(id)) return null;
    const row = await this.db.getRepository(CuratedAnswer).findOneBy({ id, tenantId: this.tenantId });
    return row && (await this.cite([row]))[0];
  }

  /** Which of these ids are documents of this tenant. */
  async ownDocuments(ids: string[]): Promise<Set<string>> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return new Set();
    const rows: { id: string }[] = await this.db.query('SELECT id FROM document WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [this.tenantId, valid]);
    return new Set(rows.map((r) => r.id));
  }

  async insert(fields: CuratedFields, at: Date): Promise<string> {
    const [row] = await this.db.query(
      `WITH saved AS (
         INSERT INTO curated_answer (tenant_id, questions, answer, document_ids, created_at, updated_at)
         VALUES ($1, $2::text[], $3, $4::uuid[], $5, $5) RETURNING id
       ), bumped AS (
         UPDATE tenant SET curated_version = curated_version + 1 WHERE id = $1
       )
       SELECT id FROM saved`,
      [this.tenantId, fields.questions, fields.answer, fields.documentIds, at],
    );
    return row.id;
  }

  /** False when the tenant has no such answer. */
  async update(id: string, fields: CuratedFields, at: Date): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows: unknown[] = await this.db.query(
      `WITH saved AS (
         UPDATE curated_answer SET questions = $3::text[], answer = $4, document_ids = $5::uuid[], updated_at = $6
         WHERE id = $2 AND tenant_id = $1 RETURNING id
       ), bumped AS (
         UPDATE tenant SET curated_version = curated_version + 1 WHERE id = $1 AND EXISTS (SELECT 1 FROM saved)
       )
       SELECT id FROM saved`,
      [this.tenantId, id, fields.questions, fields.answer, fields.documentIds, at],
    );
    return rows.length > 0;
  }

  /** False when the tenant has no such answer. */
  async remove(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows: unknown[] = await this.db.query(
      `WITH gone AS (
         DELETE FROM curated_answer WHERE id = $2 AND tenant_id = $1 RETURNING id
       ), bumped AS (
         UPDATE tenant SET curated_version = curated_version + 1 WHERE id = $1 AND EXISTS (SELECT 1 FROM gone)
       )
       SELECT id FROM gone`,
      [this.tenantId, id],
    );
    return rows.length > 0;
  }

  /** The version of the tenant's set of curated answers: 0 for a tenant that never curated anything. */
  async version(): Promise<number> {
    const [row] = await this.db.query('SELECT curated_version AS version FROM tenant WHERE id = $1', [this.tenantId]);
    return Number(row?.version ?? 0);
  }

  /**
   * The tenant's curated answers with their citations and the version they are at, in one statement, so the
   * version and the rows agree.
   */
  async snapshot(): Promise<CuratedSnapshot> {
    const [row] = await this.db.query(
      `SELECT t.curated_version AS version,
              coalesce(json_agg(json_build_object(
                'id', a.id, 'questions', a.questions, 'answer', a.answer, 'updatedAt', a.updated_at,
                'citations', (SELECT coalesce(json_agg(json_build_object('documentId', d.id, 'title', d.title, 'sourceUrl', d.source_url, 'score', ${CURATED_SCORE})
                                                       ORDER BY array_position(a.document_ids, d.id)), '[]'::json)
                              FROM document d WHERE d.tenant_id = t.id AND d.id = ANY(a.document_ids))
              )) FILTER (WHERE a.id IS NOT NULL), '[]'::json) AS answers
       FROM tenant t LEFT JOIN curated_answer a ON a.tenant_id = t.id
       WHERE t.id = $1
       GROUP BY t.curated_version`,
      [this.tenantId],
    );
    return { version: Number(row?.version ?? 0), answers: row?.answers ?? [] };
  }

  /** Fills each answer's citations from its documents, in the order given, in one statement for all of them. */
  private async cite(answers: CuratedAnswer[]): Promise<CuratedAnswer[]> {
    const ids = [...new Set(answers.flatMap((a) => a.documentIds))];
    const rows: { id: string; title: string; source_url: string | null }[] = ids.length
      ? await this.db.query('SELECT id, title, source_url FROM document WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [this.tenantId, ids])
      : [];
    const byId = new Map(rows.map((r) => [r.id, { documentId: r.id, title: r.title, sourceUrl: r.source_url, score: CURATED_SCORE }]));
    for (const a of answers) a.citations = a.documentIds.flatMap((id) => byId.get(id) ?? []);
    return answers;
  }
}

