import { useEffect, useState } from 'preact/hooks';
import { UnansweredQuestionsDocument, type UnansweredQuestionsQuery } from '../../../src/contract/operations.generated';
import { download } from './api';
import type { PanelProps, TenantArg } from './panel';
import { Card, EmptyRow, formatDateTime, Pager } from './ui';
import { usePaged } from './usePaged';

export type Gap = UnansweredQuestionsQuery['unansweredQuestions']['edges'][number]['node'];

// The CSV reads the whole list a page at a time; past this many rows it stops (a list that long needs a filter).
const CSV_PAGE = 100;
const CSV_MAX_PAGES = 50;

interface Props extends PanelProps {
  tenantId: TenantArg;
  /** Offers, on each row, to answer its question with a curated answer. */
  onAnswer?(question: string): void;
  /** Changes whenever the tenant's curated answers do: the list is read again, less the questions they now answer. */
  curatedChanges?: number;
}

/**
 * The questions the assistant could not answer from the tenant's documents (or whose answer was rated down),
 * grouped: the list that tells the client which document is missing. A question a curated answer now answers is
 * not listed (the server leaves it out).
 */
export function GapsPanel({ api, fail, t, tenantId, onAnswer, curatedChanges = 0 }: Props) {
  const list = usePaged(api, UnansweredQuestionsDocument, (d) => d.unansweredQuestions, { tenantId }, fail);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (curatedChanges) void list.reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [curatedChanges]);

  async function saveCsv() {
    setSaving(true);
    try {
      const rows: Gap[] = [];
      let after: string | null = null;
      for (let page = 0; page < CSV_MAX_PAGES; page++) {
        const data: UnansweredQuestionsQuery = await api.request(UnansweredQuestionsDocument, { tenantId, first: CSV_PAGE, after });
        const connection = data.unansweredQuestions;
        rows.push(...connection.edges.map((e) => e.node));
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
      const lines = rows.map((g) => [csvField(g.question), g.count, g.lastAskedAt, g.reason].join(','));
      download('unanswered-questions.csv', ['question,count,lastAskedAt,reason', ...lines].join('\n') + '\n', 'text/csv;charset=utf-8');
    } catch (e) {
      fail(e);
    } finally {
      setSaving(false);
    }
  }

  return (
    <Card
      title={t('gaps.title')}
      actions={
        <button type="button" class="small" onClick={saveCsv} disabled={saving || list.page?.totalCount === 0}>
          {t('usage.csv')}
        </button>
      }
    >
      <p class="muted small">{t('gaps.help')}</p>
      <table class="table stacks">
        <thead>
          <tr>
            <th>{t('gaps.col.question')}</th>
            <th class="num">{t('gaps.col.count')}</th>
            <th>{t('gaps.col.last')}</th>
            <th>{t('gaps.col.reason')}</th>
            {onAnswer && <th />}
          </tr>
        </thead>
        <tbody>
          {list.page?.nodes.map((g) => (
            <tr key={g.question} data-testid="gap-row">
              <td class="question">{g.question}</td>
              <td class="num" data-label={t('gaps.col.count')}>
                {g.count}
              </td>
              <td data-label={t('gaps.col.last')}>{formatDateTime(g.lastAskedAt)}</td>
              <td>
                <span class={`badge ${g.reason === 'RATED_DOWN' ? 'warn' : ''}`}>{t(`gaps.reason.${g.reason}`)}</span>
              </td>
              {onAnswer && (
                <td class="actions">
                  <button type="button" class="small" data-testid="gap-answer" onClick={() => onAnswer(g.question)}>
                    {t('gaps.answer')}
                  </button>
                </td>
              )}
            </tr>
          ))}
          <EmptyRow list={list} columns={onAnswer ? 5 : 4}>
            {t('gaps.none')}
          </EmptyRow>
        </tbody>
      </table>
      <Pager list={list} t={t} />
    </Card>
  );
}

// A question is free text: quoted, with its quotes doubled, and never read as a formula by a spreadsheet.
function csvField(text: string): string {
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}
