import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  CuratedAnswersDocument,
  DocumentsDocument,
  ExportCuratedAnswersDocument,
  ImportCuratedAnswersDocument,
  RemoveCuratedAnswerDocument,
  SaveCuratedAnswerDocument,
  type CuratedAnswerFieldsFragment,
  type TenantFieldsFragment,
} from '../../../src/contract/operations.generated';
import { asApiError, download } from './api';
import type { PanelProps, TenantArg } from './panel';
import { Card, EmptyRow, formatDateTime, Pager } from './ui';
import { usePaged } from './usePaged';

type CuratedRow = CuratedAnswerFieldsFragment;

/** What the form edits: a new answer (no id), possibly with a question already filled in, or an existing one. */
export interface CuratedDraft {
  id?: string;
  questions: string;
  answer: string;
  documentIds: string[];
}

const EMPTY: CuratedDraft = { questions: '', answer: '', documentIds: [] };

/**
 * The form's draft, held by the page rather than the panel: "Answer this" on an unanswered question (another panel)
 * opens the form with that question as the first phrasing. `opened` counts the times something asked for the form,
 * so it can take the focus each time, even for the same draft twice. `changes` counts the saves, removals and
 * imports: the unanswered list reads itself again on each, since a question a curated answer now matches leaves it.
 */
export function useCuratedDraft() {
  const [draft, setDraft] = useState<CuratedDraft>(EMPTY);
  const [opened, setOpened] = useState(0);
  const [changes, setChanges] = useState(0);
  const changed = useCallback(() => setChanges((n) => n + 1), []);
  const open = useCallback((next: CuratedDraft) => {
    setDraft(next);
    setOpened((n) => n + 1);
  }, []);
  const answer = useCallback((question: string) => open({ ...EMPTY, questions: question }), [open]);
  const clear = useCallback(() => setDraft(EMPTY), []);
  return { draft, setDraft, open, answer, clear, opened, changes, changed };
}

export type CuratedDraftState = ReturnType<typeof useCuratedDraft>;

interface Props extends PanelProps {
  tenantId: TenantArg;
  /** The tenant's slug names the CSV; a change of its document count refreshes the documents the form may cite. */
  tenant: Pick<TenantFieldsFragment, 'slug' | 'documentCount'>;
  drafts: CuratedDraftState;
}

/**
 * Approved answers of one tenant, on the console and on the client's dashboard: the list with each answer's hits, a
 * form to write or edit one (phrasings one per line, the answer, the documents it cites), and CSV export and import.
 */
export function CuratedAnswersPanel(props: Props) {
  const { api, fail, notify, t, tenantId, drafts } = props;
  const list = usePaged(api, CuratedAnswersDocument, (d) => d.curatedAnswers, { tenantId }, fail);

  // A document removed elsewhere on the page is no longer cited (the server takes it out of the answers): the rows
  // are read again, so Edit does not offer it back.
  const documentCount = props.tenant.documentCount;
  const seenCount = useRef(documentCount);
  useEffect(() => {
    if (seenCount.current === documentCount) return;
    seenCount.current = documentCount;
    void list.reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [documentCount]);

  async function remove(row: CuratedRow) {
    if (!confirm(t('curated.removeConfirm', { question: row.questions[0] }))) return;
    try {
      await api.request(RemoveCuratedAnswerDocument, { id: row.id });
      notify(t('curated.removed'));
      if (drafts.draft.id === row.id) drafts.clear();
      drafts.changed();
      void list.reload();
    } catch (e) {
      fail(e);
    }
  }

  return (
    <div class="grid-2 wide-left">
      <Card
        title={t('curated.title')}
        actions={
          <CsvActions
            {...props}
            onImported={() => {
              drafts.changed();
              void list.reload();
            }}
          />
        }
      >
        <p class="muted small">{t('curated.help')}</p>
        <table class="table curated stacks">
          <thead>
            <tr>
              <th>{t('curated.col.questions')}</th>
              <th>{t('curated.col.answer')}</th>
              <th class="num">{t('curated.col.hits')}</th>
              <th>{t('curated.col.changed')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.page?.nodes.map((row) => (
              <tr key={row.id} data-testid="curated-row">
                <td class="question">
                  {row.questions[0]}
                  {row.questions.length > 1 && <span class="muted small"> {t('curated.more', { n: row.questions.length - 1 })}</span>}
                </td>
                <td class="answer" title={row.answer}>
                  <div class="clamp">{row.answer}</div>
                </td>
                <td class="num" data-testid="curated-hits" data-label={t('curated.col.hits')}>
                  {row.hits}
                </td>
                <td class="nowrap" title={formatDateTime(row.updatedAt)} data-label={t('curated.col.changed')}>
                  {row.updatedAt.slice(0, 10)}
                </td>
                <td class="actions">
                  <button
                    type="button"
                    class="small"
                    onClick={() => drafts.open({ id: row.id, questions: row.questions.join('\n'), answer: row.answer, documentIds: row.citations.map((c) => c.documentId) })}
                  >
                    {t('curated.edit')}
                  </button>
                  <button type="button" class="small danger" onClick={() => remove(row)}>
                    {t('curated.remove')}
                  </button>
                </td>
              </tr>
            ))}
            <EmptyRow list={list} columns={5}>
              {t('curated.none')}
            </EmptyRow>
          </tbody>
        </table>
        <Pager list={list} t={t} />
      </Card>
      <CuratedAnswerForm
        {...props}
        onSaved={() => {
          drafts.clear();
          drafts.changed();
          void list.reload();
        }}
      />
    </div>
  );
}

/**
 * The form that writes or edits one curated answer. Each time the page opens it (Edit, or "Answer this" on an
 * unanswered question, whose text is then the first phrasing), it comes into view with the answer focused, which is
 * what is left to write.
 */
function CuratedAnswerForm(props: Props & { onSaved(): void }) {
  const { api, fail, notify, t, tenantId, drafts, onSaved } = props;
  const { draft, setDraft, clear, opened } = drafts;
  const [documents, reloadDocuments] = useTenantDocuments(props);
  const [saving, setSaving] = useState(false);
  const answerField = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const field = answerField.current;
    if (!opened || !field) return;
    field.scrollIntoView({ block: 'center' });
    field.focus({ preventScroll: true });
  }, [opened]);

  async function save(event: Event) {
    event.preventDefault();
    setSaving(true);
    try {
      const questions = draft.questions.split('\n').map((q) => q.trim()).filter(Boolean);
      // An update names its answer; a new one its tenant (none from the dashboard: the key's own).
      const input = { ...(draft.id ? { id: draft.id } : { tenantId }), questions, answer: draft.answer, documentIds: draft.documentIds };
      await api.request(SaveCuratedAnswerDocument, { input });
      notify(draft.id ? t('curated.updated') : t('curated.saved'));
      onSaved();
    } catch (e) {
      // A document removed since the form opened: it is no longer chosen nor offered, and the refusal says so.
      const missing = asApiError(e).extensions.missing;
      if (Array.isArray(missing)) {
        setDraft({ ...draft, documentIds: draft.documentIds.filter((_, place) => !missing.includes(place)) });
        reloadDocuments();
      }
      fail(e);
    } finally {
      setSaving(false);
    }
  }

  return (
    <Card title={draft.id ? t('curated.editTitle') : t('curated.new')}>
      <form class="stack curated-form" onSubmit={save}>
        <label>
          {t('curated.questions')}
          <textarea data-testid="curated-questions" rows={4} required value={draft.questions} onInput={(e) => setDraft({ ...draft, questions: (e.target as HTMLTextAreaElement).value })} />
        </label>
        <label>
          {t('curated.answer')}
          <textarea ref={answerField} data-testid="curated-answer" rows={5} required value={draft.answer} onInput={(e) => setDraft({ ...draft, answer: (e.target as HTMLTextAreaElement).value })} />
        </label>
        <label>
          {t('curated.documents')}
          <select
            data-testid="curated-documents"
            multiple
            size={Math.min(6, Math.max(2, documents.length))}
            onChange={(e) => setDraft({ ...draft, documentIds: Array.from((e.target as HTMLSelectElement).selectedOptions, (o) => o.value) })}
          >
            {documents.map((d) => (
              <option key={d.id} value={d.id} selected={draft.documentIds.includes(d.id)}>
                {d.title}
              </option>
            ))}
          </select>
        </label>
        <div class="row">
          <button type="submit" class="primary" data-testid="curated-save" disabled={saving}>
            {saving ? t('curated.saving') : draft.id ? t('curated.saveChanges') : t('curated.save')}
          </button>
          {(draft.id || draft.questions || draft.answer) && (
            <button type="button" onClick={clear}>
              {t('curated.cancel')}
            </button>
          )}
        </div>
      </form>
    </Card>
  );
}

/** The tenant's documents, for citing (the first hundred, in order of addition). */
function useTenantDocuments({ api, fail, tenantId, tenant }: Props): [{ id: string; title: string }[], () => void] {
  const [documents, setDocuments] = useState<{ id: string; title: string }[]>([]);
  const read = useCallback(() => {
    api.request(DocumentsDocument, { tenantId, first: 100 }).then((d) => setDocuments(d.documents.edges.map((e) => e.node)), fail);
  }, [api, tenantId, fail]);
  // Read again when the tenant's document count changes, and when the caller asks (a refusal naming one that is gone).
  useEffect(read, [read, tenant.documentCount]);
  return [documents, read];
}

/** CSV export (a download) and import (a file), in the form the server writes and reads. */
function CsvActions({ api, fail, notify, t, tenantId, tenant, onImported }: Props & { onImported(): void }) {
  const file = useRef<HTMLInputElement>(null);

  async function exportCsv() {
    try {
      const data = await api.request(ExportCuratedAnswersDocument, { tenantId });
      download(`${tenant.slug}-curated-answers.csv`, data.exportCuratedAnswers, 'text/csv;charset=utf-8');
    } catch (e) {
      fail(e);
    }
  }

  async function importCsv() {
    const chosen = file.current?.files?.[0];
    if (!chosen) return;
    try {
      const data = await api.request(ImportCuratedAnswersDocument, { tenantId, csv: await chosen.text() });
      const { created, updated } = data.importCuratedAnswers;
      notify(t('curated.imported', { created, updated }));
      onImported();
    } catch (e) {
      fail(e);
    } finally {
      if (file.current) file.current.value = '';
    }
  }

  return (
    <div class="row">
      <button type="button" class="small" data-testid="curated-export" onClick={exportCsv}>
        {t('curated.export')}
      </button>
      <label class="small file-button">
        {t('curated.import')}
        <input ref={file} class="ad-visually-hidden" data-testid="curated-import-file" type="file" accept=".csv,text/csv" onChange={importCsv} />
      </label>
    </div>
  );
}
