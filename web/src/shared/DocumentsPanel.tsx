import { useRef, useState } from 'preact/hooks';
import { AddDocumentsDocument, DocumentsDocument, RemoveDocumentDocument, RetrievalTestDocument, type DocumentsQuery, type RetrievalTestQuery } from '../../../src/contract/operations.generated';
import type { PanelProps, TenantArg } from './panel';
import { Card, EmptyRow, formatDateTime, Pager, SearchBox } from './ui';
import { usePaged } from './usePaged';

type DocumentRow = DocumentsQuery['documents']['edges'][number]['node'];

const MIME_TYPES: Record<string, string> = { md: 'text/markdown', markdown: 'text/markdown', html: 'text/html', htm: 'text/html', txt: 'text/plain' };

interface Props extends PanelProps {
  tenantId: TenantArg;
  onChanged(): void;
  /** Whether this key may add and remove documents; when not, `readOnlyNote` says who can. */
  canEdit?: boolean;
  readOnlyNote?: string;
}

/** A tenant's documents (list, upload, removal) beside the retrieval test that shows what an ask would find. */
export function DocumentsPanel({ api, fail, notify, t, tenantId, onChanged, canEdit = true, readOnlyNote }: Props) {
  const [search, setSearch] = useState('');
  const list = usePaged(api, DocumentsDocument, (d) => d.documents, { tenantId, search: search || null }, fail);
  const files = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState(false);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<RetrievalTestQuery['retrievalTest'] | null>(null);

  async function upload(event: Event) {
    event.preventDefault();
    const chosen = Array.from(files.current?.files ?? []);
    if (chosen.length === 0) return;
    setUploading(true);
    try {
      const documents = await Promise.all(
        chosen.map(async (file) => {
          const extension = file.name.split('.').pop()?.toLowerCase() ?? '';
          return { title: file.name.replace(/\.[^.]+$/, ''), content: await file.text(), mimeType: MIME_TYPES[extension] ?? 'text/plain' };
        }),
      );
      const data = await api.request(AddDocumentsDocument, { tenantId, documents });
      const result = data.addDocuments;
      notify(t('docs.added', { documents: result.documents.length, chunks: result.chunkCount, skipped: result.skippedDuplicates }));
      if (files.current) files.current.value = '';
      void list.reload();
      onChanged();
    } catch (e) {
      fail(e);
    } finally {
      setUploading(false);
    }
  }

  async function remove(doc: DocumentRow) {
    if (!confirm(t('docs.removeConfirm', { title: doc.title }))) return;
    try {
      await api.request(RemoveDocumentDocument, { id: doc.id });
      notify(t('docs.removed', { title: doc.title }));
      void list.reload();
      onChanged();
    } catch (e) {
      fail(e);
    }
  }

  async function test(event: Event) {
    event.preventDefault();
    try {
      const data = await api.request(RetrievalTestDocument, { tenantId, query });
      setHits(data.retrievalTest);
    } catch (e) {
      fail(e);
    }
  }

  return (
    <div class="grid-2 wide-left">
      <Card title={t('docs.title')} actions={<SearchBox label={t('docs.search')} onSearch={setSearch} />}>
        {canEdit ? (
          <form class="row upload" onSubmit={upload}>
            <label>
              {t('docs.files')}{' '}
              <input ref={files} data-testid="document-file" type="file" multiple accept=".txt,.md,.markdown,.html,.htm,text/plain,text/markdown,text/html" />
            </label>
            <button type="submit" class="primary" data-testid="upload-document" disabled={uploading}>
              {uploading ? t('docs.uploading') : t('docs.upload')}
            </button>
          </form>
        ) : (
          <p class="note" data-testid="documents-read-only">
            {readOnlyNote}
          </p>
        )}
        <div class="table-scroll">
          <table class="table">
            <thead>
              <tr>
                <th>{t('docs.col.title')}</th>
                <th>{t('docs.col.type')}</th>
                <th>{t('docs.col.passages')}</th>
                <th>{t('docs.col.added')}</th>
                {canEdit && <th />}
              </tr>
            </thead>
            <tbody>
              {list.page?.nodes.map((d) => (
                <tr key={d.id} data-testid="document-row">
                  <td>{d.sourceUrl ? <a href={d.sourceUrl} target="_blank" rel="noopener noreferrer">{d.title}</a> : d.title}</td>
                  <td>{d.mimeType}</td>
                  <td>{d.chunkCount}</td>
                  <td>{formatDateTime(d.createdAt)}</td>
                  {canEdit && (
                    <td class="actions">
                      <button type="button" class="small danger" onClick={() => remove(d)}>
                        {t('docs.remove')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
              <EmptyRow list={list} columns={canEdit ? 5 : 4}>
                {search ? t('docs.noneMatch') : t('docs.none')}
              </EmptyRow>
            </tbody>
          </table>
        </div>
        <Pager list={list} t={t} />
      </Card>
      <Card title={t('retrieval.title')}>
        <p class="muted small">{t('retrieval.help')}</p>
        <form class="row" onSubmit={test}>
          <input data-testid="retrieval-query" required placeholder={t('retrieval.placeholder')} aria-label={t('retrieval.label')} value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
          <button type="submit" data-testid="retrieval-run">
            {t('retrieval.run')}
          </button>
        </form>
        {hits && (
          <ol class="hits">
            {hits.length === 0 && <li class="muted">{t('retrieval.nothing')}</li>}
            {hits.map((h) => (
              <li key={h.documentId} data-testid="retrieval-hit">
                <span>{h.title}</span>
                <span class="score">{h.score.toFixed(3)}</span>
              </li>
            ))}
          </ol>
        )}
      </Card>
    </div>
  );
}
