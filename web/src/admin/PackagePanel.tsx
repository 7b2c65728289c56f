import { useState } from 'preact/hooks';
import { download } from '../shared/api';
import { CreateClientPackageDocument, IssueApiKeyDocument, KeyKind } from '../../../src/contract/operations.generated';
import { Card, SecretBox } from '../shared/ui';
import type { ConsoleProps, Tenant } from './types';

/** The ZIP a client unzips and opens: the chat page with a config.js holding the endpoint and a fresh key. */
export function PackagePanel({ api, fail, notify, tenant, onChanged }: ConsoleProps & { tenant: Tenant; onChanged(): void }) {
  const [endpoint, setEndpoint] = useState(`${location.origin}/graphql`);
  const [keyName, setKeyName] = useState('');
  const [made, setMade] = useState<{ secret: string; welcome: string } | null>(null);
  const [snippet, setSnippet] = useState<string | null>(null);

  /** The widget goes into pages anyone on the intranet can read: it gets a publishable key of its own. */
  async function issueWidgetKey() {
    try {
      const data = await api.request(IssueApiKeyDocument, { tenantId: tenant.id, name: 'intranet widget', kind: KeyKind.Publishable });
      const page = new URL(endpoint.trim() || `${location.origin}/graphql`);
      setSnippet(`<script src="${page.origin}/widget.js" data-endpoint="${page.href}" data-key="${data.issueApiKey.secret}"></script>`);
      notify('Publishable key “intranet widget” issued for the snippet.');
      onChanged();
    } catch (e) {
      fail(e);
    }
  }

  async function create(event: Event) {
    event.preventDefault();
    try {
      const data = await api.request(CreateClientPackageDocument, { tenantId: tenant.id, endpoint: endpoint.trim(), keyName: keyName.trim() || null });
      const p = data.createClientPackage;
      const bytes = Uint8Array.from(atob(p.contentBase64), (c) => c.charCodeAt(0));
      download(p.filename, bytes, 'application/zip');
      setMade({ secret: p.apiKey.secret, welcome: p.welcomeMessage });
      notify(`${p.filename} downloaded; it holds a new key “${p.apiKey.key.name}”.`);
      onChanged();
    } catch (e) {
      fail(e);
    }
  }

  return (
    <Card title="Client package and widget">
      <p class="muted small">A ZIP with the chat page ready to open, configured with this endpoint and a freshly issued key.</p>
      <form class="form-grid" onSubmit={create}>
        <label>
          GraphQL endpoint the page will call
          <input type="url" required value={endpoint} onInput={(e) => setEndpoint((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Key name <span class="muted small">(optional)</span>
          <input value={keyName} onInput={(e) => setKeyName((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="primary" data-testid="client-package">
          Download client package
        </button>
      </form>
      <hr />
      <p class="muted small">
        The widget snippet puts the chat in a corner of any intranet page; it carries a fresh publishable key (pk_…), which reaches only its
        visitors' own conversations.
      </p>
      <button type="button" data-testid="widget-snippet-issue" onClick={issueWidgetKey}>
        Issue a publishable key and show the widget snippet
      </button>
      {snippet && <SecretBox secret={snippet} note="Paste this into the intranet page (the key is shown once):" testId="widget-snippet" />}
      {made && (
        <>
          <SecretBox secret={made.secret} note="The package's key (also inside its config.js):" testId="package-secret" />
          <details>
            <summary>Welcome message to send with it</summary>
            <pre class="welcome">{made.welcome}</pre>
          </details>
        </>
      )}
    </Card>
  );
}
