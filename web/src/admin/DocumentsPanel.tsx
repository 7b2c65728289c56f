import { useRef, useState } from 'preact/hooks';
import { AddDocumentsDocument, DocumentsDocument, RemoveDocumentDocument, RetrievalTestDocument, type DocumentsQuery, type RetrievalTestQuery } from '../../../src/contract/operations.generated';
import { usePaged } from '../shared/usePaged';
import { Card, EmptyRow, formatDateTime, Pager, SearchBox } from './ui';
import type { ConsoleProps, Tenant } from './types';

type DocumentRow = DocumentsQuery['documents']['edges'][number]['node'];

const MIME_TYPES: Record<string, string> = { md: 'text/markdown', markdown: 'text/markdown', html: 'text/html', htm: 'text/html', txt: 'text/plain' };

export function DocumentsPanel({ api, fail, notify, tenant, onChanged }: ConsoleProps & { tenant: Tenant; onChanged(): void }) {
  const [search, setSearch] = useState('');
  const list = usePaged(api, DocumentsDocument, (d) => d.documents, { tenantId: tenant.id, search: search || null }, fail);
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
      const data = await api.request(AddDocumentsDocument, { tenantId: tenant.id, documents });
      const result = data.addDocuments;
      notify(`${result.documents.length} document(s) added in ${result.chunkCount} passages; ${result.skippedDuplicates} duplicate(s) skipped.`);
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
    if (!confirm(`Remove “${doc.title}”?`)) return;
    try {
      await api.request(RemoveDocumentDocument, { id: doc.id });
      notify(`“${doc.title}” removed.`);
      void list.reload();
      onChanged();
    } catch (e) {
      fail(e);
    }
  }

  async function test(event: Event) {
    event.preventDefault();
    try {
      const data = await api.request(RetrievalTestDocument, { tenantId: tenant.id, query });
      setHits(data.retrievalTest);
    } catch (e) {
      fail(e);
    }
  }

  return (
    <div class="grid-2 wide-left">
      <Card title="Documents" actions={<SearchBox label="Search titles" onSearch={setSearch} />}>
        <form class="row upload" onSubmit={upload}>
          <label>
            Text, Markdown or HTML files{' '}
            <input ref={files} data-testid="document-file" type="file" multiple accept=".txt,.md,.markdown,.html,.htm,text/plain,text/markdown,text/html" />
          </label>
          <button type="submit" class="primary" data-testid="upload-document" disabled={uploading}>
            {uploading ? 'Uploading…' : 'Upload'}
          </button>
        </form>
        <table class="table">
          <thead>
            <tr>
              <th>Title</th>
              <th>Type</th>
              <th>Passages</th>
              <th>Added</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.page?.nodes.map((d) => (
              <tr key={d.id} data-testid="document-row">
                <td>{d.sourceUrl ? <a href={d.sourceUrl} target="_blank" rel="noopener noreferrer">{d.title}</a> : d.title}</td>
                <td>{d.mimeType}</td>
                <td>{d.chunkCount}</td>
                <td>{formatDateTime(d.createdAt)}</td>
                <td class="actions">
                  <button type="button" class="small danger" onClick={() => remove(d)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
            <EmptyRow list={list} columns={5}>
              No documents{search ? ' match' : ' yet'}.
            </EmptyRow>
          </tbody>
        </table>
        <Pager list={list} />
      </Card>
      <Card title="Retrieval test">
        <p class="muted small">What an ask would retrieve for this question, best first, one hit per document.</p>
        <form class="row" onSubmit={test}>
          <input data-testid="retrieval-query" required placeholder="e.g. How do I connect to the VPN?" aria-label="Test question" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
          <button type="submit" data-testid="retrieval-run">
            Run
          </button>
        </form>
        {hits && (
          <ol class="hits">
            {hits.length === 0 && <li class="muted">Nothing retrieved: an ask would say it does not know.</li>}
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
