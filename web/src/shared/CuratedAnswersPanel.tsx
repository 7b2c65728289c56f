import { useEffect, useRef, useState } from 'preact/hooks';
import { download } from '../shared/api';
import {
  CuratedAnswersDocument, DocumentsDocument, ExportCuratedAnswersDocument, ImportCuratedAnswersDocument, RemoveCuratedAnswerDocument,
  SaveCuratedAnswerDocument, type ConsoleCuratedAnswerFragment,
} from '../../../src/contract/operations.generated';
import { usePaged } from '../shared/usePaged';
import { Card, EmptyRow, formatDateTime, Pager } from '../shared/ui';
import type { ConsoleProps, Tenant } from './types';

type CuratedRow = ConsoleCuratedAnswerFragment;

/** What the form edits: a new answer (no id), possibly with a question already filled in, or an existing one. */
export interface CuratedDraft {
  id?: string;
  questions: string;
  answer: string;
  documentIds: string[];
}

const EMPTY: CuratedDraft = { questions: '', answer: '', documentIds: [] };

/**
 * Approved answers of one tenant: the list with each answer's hits, a form to write or edit one (phrasings one per
 * line, the answer, the documents it cites), and CSV export and import.
 */
export function CuratedAnswersPanel(props: ConsoleProps & { tenant: Tenant; prefill?: string }) {
  const { api, fail, notify, tenant, prefill } = props;
  const list = usePaged(api, CuratedAnswersDocument, (d) => d.curatedAnswers, { tenantId: tenant.id }, fail);
  const [draft, setDraft] = useState<CuratedDraft>(prefill ? { ...EMPTY, questions: prefill } : EMPTY);

  async function remove(row: CuratedRow) {
    if (!confirm(`Remove the curated answer for “${row.questions[0]}”?`)) return;
    try {
      await api.request(RemoveCuratedAnswerDocument, { id: row.id });
      notify('Curated answer removed: its questions are answered from the documents again.');
      if (draft.id === row.id) setDraft(EMPTY);
      void list.reload();
    } catch (e) {
      fail(e);
    }
  }

  return (
    <div class="grid-2 wide-left">
      <Card title="Curated answers" actions={<CsvActions {...props} onImported={() => void list.reload()} />}>
        <p class="muted small">Asks matching one of these questions get the approved answer word for word, with its sources.</p>
        <table class="table">
          <thead>
            <tr>
              <th>Questions</th>
              <th>Answer</th>
              <th class="num">Hits</th>
              <th>Changed</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.page?.nodes.map((row) => (
              <tr key={row.id} data-testid="curated-row">
                <td>
                  {row.questions[0]}
                  {row.questions.length > 1 && <span class="muted small"> +{row.questions.length - 1} more</span>}
                </td>
                <td title={row.answer}>
                  <div class="clamp">{row.answer}</div>
                </td>
                <td class="num" data-testid="curated-hits">
                  {row.hits}
                </td>
                <td class="nowrap" title={formatDateTime(row.updatedAt)}>
                  {row.updatedAt.slice(0, 10)}
                </td>
                <td class="actions">
                  <button type="button" class="small" onClick={() => setDraft({ id: row.id, questions: row.questions.join('\n'), answer: row.answer, documentIds: row.citations.map((c) => c.documentId) })}>
                    Edit
                  </button>
                  <button type="button" class="small danger" onClick={() => remove(row)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
            <EmptyRow list={list} columns={5}>
              No curated answers yet.
            </EmptyRow>
          </tbody>
        </table>
        <Pager list={list} />
      </Card>
      <CuratedAnswerForm
        {...props}
        draft={draft}
        onChange={setDraft}
        onSaved={() => {
          setDraft(EMPTY);
          void list.reload();
        }}
      />
    </div>
  );
}

/**
 * The form that writes or edits one curated answer. Given a draft with a question filled in, it is what "Answer
 * this" on an unanswered question opens.
 */
export function CuratedAnswerForm(props: ConsoleProps & { tenant: Tenant; draft: CuratedDraft; onChange(draft: CuratedDraft): void; onSaved(): void }) {
  const { api, fail, notify, tenant, draft, onChange, onSaved } = props;
  const documents = useTenantDocuments(props);
  const [saving, setSaving] = useState(false);

  async function save(event: Event) {
    event.preventDefault();
    setSaving(true);
    try {
      const questions = draft.questions.split('\n').map((q) => q.trim()).filter(Boolean);
      // An update names its answer; a new one its tenant.
      const input = { ...(draft.id ? { id: draft.id } : { tenantId: tenant.id }), questions, answer: draft.answer, documentIds: draft.documentIds };
      await api.request(SaveCuratedAnswerDocument, { input });
      notify(draft.id ? 'Curated answer updated.' : 'Curated answer saved.');
      onSaved();
    } catch (e) {
      fail(e);
    } finally {
      setSaving(false);
    }
  }

  return (
    <Card title={draft.id ? 'Edit curated answer' : 'New curated answer'}>
      <form class="stack curated-form" onSubmit={save}>
        <label>
          Questions, one phrasing per line
          <textarea data-testid="curated-questions" rows={4} required value={draft.questions} onInput={(e) => onChange({ ...draft, questions: (e.target as HTMLTextAreaElement).value })} />
        </label>
        <label>
          Approved answer
          <textarea data-testid="curated-answer" rows={5} required value={draft.answer} onInput={(e) => onChange({ ...draft, answer: (e.target as HTMLTextAreaElement).value })} />
        </label>
        <label>
          Cited documents
          <select
            data-testid="curated-documents"
            multiple
            size={Math.min(6, Math.max(2, documents.length))}
            onChange={(e) => onChange({ ...draft, documentIds: Array.from((e.target as HTMLSelectElement).selectedOptions, (o) => o.value) })}
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
            {saving ? 'Saving…' : draft.id ? 'Save changes' : 'Save'}
          </button>
          {draft.id && (
            <button type="button" onClick={() => onChange(EMPTY)}>
              Cancel
            </button>
          )}
        </div>
      </form>
    </Card>
  );
}

/** The tenant's documents, for citing (the first hundred, by title order of addition). */
function useTenantDocuments({ api, fail, tenant }: ConsoleProps & { tenant: Tenant }) {
  const [documents, setDocuments] = useState<{ id: string; title: string }[]>([]);
  useEffect(() => {
    api.request(DocumentsDocument, { tenantId: tenant.id, first: 100 }).then((d) => setDocuments(d.documents.edges.map((e) => e.node)), fail);
  }, [api, tenant.id, tenant.documentCount, fail]);
  return documents;
}

/** CSV export (a download) and import (a file), in the form the server writes and reads. */
function CsvActions({ api, fail, notify, tenant, onImported }: ConsoleProps & { tenant: Tenant; onImported(): void }) {
  const file = useRef<HTMLInputElement>(null);

  async function exportCsv() {
    try {
      const data = await api.request(ExportCuratedAnswersDocument, { tenantId: tenant.id });
      download(`${tenant.slug}-curated-answers.csv`, data.exportCuratedAnswers, 'text/csv;charset=utf-8');
    } catch (e) {
      fail(e);
    }
  }

  async function importCsv() {
    const chosen = file.current?.files?.[0];
    if (!chosen) return;
    try {
      const data = await api.request(ImportCuratedAnswersDocument, { tenantId: tenant.id, csv: await chosen.text() });
      const { created, updated } = data.importCuratedAnswers;
      notify(`${created} curated answer(s) created, ${updated} updated.`);
      if (file.current) file.current.value = '';
      onImported();
    } catch (e) {
      fail(e);
    }
  }

  return (
    <div class="row">
      <button type="button" class="small" data-testid="curated-export" onClick={exportCsv}>
        Export CSV
      </button>
      <label class="small">
        Import CSV <input ref={file} data-testid="curated-import-file" type="file" accept=".csv,text/csv" onChange={importCsv} />
      </label>
    </div>
  );
}
