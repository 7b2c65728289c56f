import { parse } from 'csv-parse/sync';
import type { Actor } from '../../caller';
import type { Clock } from '../../clock';
import { csvField } from '../../csv';
import type { CuratedAnswer } from '../../entities/curated-answer.entity';
import type { Tenant } from '../../entities/tenant.entity';
import { AppError, BadInput, NotFound } from '../../errors';
import type { AuditService } from '../audit/audit.service';
import type { DataLayer } from '../data/data-layer';
import { isUuid, type Page } from '../pagination';
import type { TenantScope } from '../tenant-scope';
import { requireText } from '../validation';
import { CuratedMatcher, PhrasingOwners } from './curated-match';
import type { CuratedAnswerOperatorStore } from './curated-answer.operator-store';
import { CuratedAnswerStore, type CuratedFields, type CuratedSnapshot } from './curated-answer.store';

/** A curated answer as an ask returns it. */
export type CuratedMatch = CuratedSnapshot['answers'][number];

export interface CuratedInput {
  id?: string | null;
  questions: string[];
  answer: string;
  documentIds?: string[] | null;
}

const MAX_QUESTIONS = 50;
const MAX_QUESTION_CHARS = 4_000;
const MAX_ANSWER_CHARS = 8_000;
const MAX_DOCUMENTS = 20;
const MAX_IMPORT_ROWS = 1_000;
// The CSV's columns, as exported and as imported. Phrasings are one per line inside their cell.
const CSV_COLUMNS = ['id', 'questions', 'answer', 'document_ids', 'hits'] as const;

/**
 * Curated answers: the operator or the tenant's IT team records approved answers, each for several phrasings, and
 * an ask that matches one gets its text verbatim (ChatService).
 *
 * Matching costs an ask no statement. Each process keeps every tenant's curated phrasings, with the version of the
 * tenant's set they were read at (tenant.curated_version, bumped by every change). The caller's tenant row, which
 * the key lookup reads anyway, carries the current version: an ask reads the phrasings again only when that is
 * newer than its copy (once per process after each change), and not at all for a tenant that never curated
 * anything. A change made on another process is seen once this process re-reads the key's tenant row, within
 * KEY_CACHE_TTL_MS, as a revocation is; on the process that made it, at once.
 */
export class CuratedAnswerService {
  private readonly copies = new Map<string, { version: number; matcher: CuratedMatcher<CuratedMatch> }>();
  private readonly reading = new Map<string, Promise<{ version: number; matcher: CuratedMatcher<CuratedMatch> }>>();

  constructor(
    private readonly data: DataLayer,
    private readonly operator: CuratedAnswerOperatorStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The tenant holding curated answer `id`, for the operator (who names an answer, not a tenant); NOT_FOUND if none. */
  async holderOf(id: string): Promise<string> {
    const tenantId = isUuid(id) ? await this.operator.tenantOf(id) : null;
    if (!tenantId) throw NotFound('Curated answer');
    return tenantId;
  }

  list(scope: TenantScope, first: number, after?: string | null): Promise<Page<CuratedAnswer>> {
    return scope.curated.list(first, after);
  }

  /** Creates a curated answer, or updates the tenant's answer `input.id`; audited with the change. */
  async save(actor: Actor, scope: TenantScope, input: CuratedInput): Promise<CuratedAnswer> {
    const fields = await this.validate(scope.curated, input);
    const at = new Date(this.clock.now());
    const id = await this.data.transaction(async (tx) => {
      const store = scope.within(tx).curated;
      new PhrasingOwners(await store.all()).check(input.id ?? null, fields.questions);
      const id = input.id ? ((await store.update(input.id, fields, at)) ? input.id : null) : await store.insert(fields, at);
      if (!id) throw NotFound('Curated answer');
      await this.audit.record(tx, actor, 'saveCuratedAnswer', { type: 'curatedAnswer', id }, { tenantId: scope.tenantId, created: !input.id });
      return id;
    });
    this.forget(scope.tenantId);
    return (await scope.curated.get(id))!;
  }

  async remove(actor: Actor, scope: TenantScope, id: string): Promise<boolean> {
    await this.data.transaction(async (tx) => {
      if (!(await scope.within(tx).curated.remove(id))) throw NotFound('Curated answer');
      await this.audit.record(tx, actor, 'removeCuratedAnswer', { type: 'curatedAnswer', id }, { tenantId: scope.tenantId });
    });
    this.forget(scope.tenantId);
    return true;
  }

  /** Every curated answer as CSV: id, questions (one per line), answer, document_ids (one per line), hits. */
  async exportCsv(scope: TenantScope): Promise<string> {
    const rows = (await scope.curated.all()).map((a) => [a.id, a.questions.join('\n'), a.answer, a.documentIds.join('\n'), String(a.hits)]);
    // CRLF between records, as spreadsheets write them; csvField quotes a cell holding a line break or a comma.
    return [[...CSV_COLUMNS], ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
  }

  /**
   * Saves every row of a CSV in the export's form (hits is ignored; a row with an id updates that answer, one
   * without creates one), all or none: the first bad row refuses the whole file, naming its line.
   */
  async importCsv(actor: Actor, scope: TenantScope, csv: string): Promise<{ created: number; updated: number }> {
    let records: Record<string, string>[];
    try {
      records = parse(csv, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
    } catch (error) {
      throw BadInput(`csv is not valid CSV: ${(error as Error).message}`, 'csv');
    }
    if (records.length > MAX_IMPORT_ROWS) throw BadInput(`csv holds at most ${MAX_IMPORT_ROWS} rows.`, 'csv');
    const inputs = records.map((r) => ({
      id: r.id || null,
      questions: lines(r.questions).map(fromSpreadsheet),
      answer: fromSpreadsheet(r.answer ?? ''),
      documentIds: lines(r.document_ids),
    }));
    const counts = { created: 0, updated: 0 };
    await this.data.transaction(async (tx) => {
      const within = scope.within(tx).curated;
      const at = new Date(this.clock.now());
      // Read once: each row's phrasings are checked against the answers before it and those of earlier rows.
      const owners = new PhrasingOwners(await within.all());
      for (const [i, input] of inputs.entries()) {
        const line = `csv row ${i + 1}`;
        const fields = await this.validate(within, input)
          .then((fields) => {
            owners.check(input.id, fields.questions);
            return fields;
          })
          .catch((error) => {
            // The row in the message, and beside it for pages that say the message in their reader's language.
            if (error instanceof AppError) error.extensions.row = i + 1;
            throw Object.assign(error, { message: `${line}: ${error.message}` });
          });
        if (input.id) {
          if (!(await within.update(input.id, fields, at))) {
            const missing = NotFound(`Curated answer of ${line}`);
            missing.extensions.row = i + 1;
            throw missing;
          }
          owners.take(input.id, fields.questions);
          counts.updated++;
        } else {
          owners.take(await within.insert(fields, at), fields.questions);
          counts.created++;
        }
      }
      await this.audit.record(tx, actor, 'importCuratedAnswers', { type: 'tenant', id: scope.tenantId }, counts);
    });
    this.forget(scope.tenantId);
    return counts;
  }

  /**
   * The curated answer this question asks for, if any (CuratedMatcher), from this process's copy of the tenant's
   * answers; read again only when the tenant's version is newer than the copy.
   */
  async match(tenant: Pick<Tenant, 'id' | 'curatedVersion'>, question: string): Promise<CuratedMatch | null> {
    const matcher = await this.matcherAt(tenant.id, tenant.curatedVersion);
    return matcher?.match(question) ?? null;
  }

  /**
   * The matcher asks use, as of the tenant's current version (one statement reads it, so a change made on another
   * process counts at once); null for a tenant that never curated anything. For readers that must not lag, such
   * as unansweredQuestions, which leaves out the questions a curated answer now answers.
   */
  async matcherOf(scope: TenantScope): Promise<CuratedMatcher<CuratedMatch> | null> {
    return this.matcherAt(scope.tenantId, await scope.curated.version());
  }

  private async matcherAt(tenantId: string, version: number): Promise<CuratedMatcher<CuratedMatch> | null> {
    let copy = this.copies.get(tenantId);
    if (!copy && !version) return null;
    if (!copy || copy.version < version) copy = await this.read(tenantId);
    return copy.matcher;
  }

  private read(tenantId: string) {
    // Concurrent asks of a tenant whose copy is stale share one read.
    let pending = this.reading.get(tenantId);
    if (!pending) {
      // Read for the process's copy, outside any request's scope: the store is still the tenant's alone.
      pending = new CuratedAnswerStore(this.data.db, tenantId)
        .snapshot()
        .then((snapshot: CuratedSnapshot) => {
          const copy = { version: snapshot.version, matcher: new CuratedMatcher(snapshot.answers) };
          if (this.reading.get(tenantId) === pending) this.copies.set(tenantId, copy);
          return copy;
        })
        .finally(() => {
          if (this.reading.get(tenantId) === pending) this.reading.delete(tenantId);
        });
      this.reading.set(tenantId, pending);
    }
    return pending;
  }

  /**
   * After a change made here (to the answers, or to the documents they cite): the next ask reads the answers again,
   * even before its key's tenant row shows it.
   */
  forget(tenantId: string): void {
    // Older than any version: read again at the next ask, whatever version its key's cached tenant row shows.
    this.copies.set(tenantId, { version: -1, matcher: new CuratedMatcher([]) });
    // A read begun before the change must not leave its older copy behind.
    this.reading.delete(tenantId);
  }

  private async validate(store: CuratedAnswerStore, input: CuratedInput): Promise<CuratedFields> {
    const questions = [...new Set((input.questions ?? []).map((q) => q.trim()).filter((q) => q.length > 0))];
    if (questions.length === 0 || questions.length > MAX_QUESTIONS) throw BadInput(`questions must hold 1 to ${MAX_QUESTIONS} phrasings.`, 'questions');
    for (const q of questions) if (q.length > MAX_QUESTION_CHARS) throw BadInput(`Each question must be at most ${MAX_QUESTION_CHARS} characters.`, 'questions');
    const answer = requireText(input.answer, 'answer', MAX_ANSWER_CHARS);
    const documentIds = [...new Set(input.documentIds ?? [])];
    if (documentIds.length > MAX_DOCUMENTS) throw BadInput(`documentIds holds at most ${MAX_DOCUMENTS} documents.`, 'documentIds');
    const own = await store.ownDocuments(documentIds);
    // Another tenant's document is as absent as one that never existed. The refusal says which of the given ids are
    // missing, by their places in documentIds (0-based), so that a form opened before a document was removed can drop
    // it; places, not ids, so that a refusal never carries an id of another tenant's.
    const missing = (input.documentIds ?? []).flatMap((id, place) => (own.has(id) ? [] : [place]));
    if (missing.length > 0) throw NotFound('Document', { field: 'documentIds', missing });
    return { questions, answer, documentIds };
  }
}

/** The lines of a cell, trimmed, without empty ones. */
function lines(cell: string | undefined): string[] {
  return (cell ?? '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
}

// csvField guards a cell a spreadsheet would run as a formula with a leading '; an import takes it off again.
function fromSpreadsheet(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}
