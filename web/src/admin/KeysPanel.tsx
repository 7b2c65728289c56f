import { useState } from 'preact/hooks';
import { IssueApiKeyDocument, RevokeApiKeyDocument, RotateApiKeyDocument, UnblockApiKeyDocument, type IssuedKeyFragment } from '../../../src/contract/operations.generated';
import { Card, formatDateTime, SecretBox } from './ui';
import type { ConsoleProps, Tenant } from './types';

export function KeysPanel({ api, fail, notify, tenant, onChanged }: ConsoleProps & { tenant: Tenant; onChanged(): void }) {
  const [name, setName] = useState('');
  const [grace, setGrace] = useState('3600');
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);

  /** Sends one key operation; a new secret (issued or rotated) is shown once. */
  async function run(send: () => Promise<IssuedKeyFragment | null>, message: string) {
    try {
      const issued = await send();
      if (issued) setSecret({ name: issued.key.name, value: issued.secret });
      notify(message);
      onChanged();
    } catch (e) {
      fail(e);
    }
  }

  const now = Date.now();
  return (
    <Card title="API keys">
      <form class="row" onSubmit={(e) => (e.preventDefault(), run(() => api.request(IssueApiKeyDocument, { tenantId: tenant.id, name: name.trim() }).then((d) => d.issueApiKey), 'Key issued.').then(() => setName('')))}>
        <input data-testid="key-name" required placeholder="Key name (e.g. intranet widget)" aria-label="Key name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary" data-testid="issue-key">
          Issue key
        </button>
        <label class="small">
          Rotation grace (s){' '}
          <input type="number" min={0} class="narrow" value={grace} onInput={(e) => setGrace((e.target as HTMLInputElement).value)} />
        </label>
      </form>
      {secret && <SecretBox secret={secret.value} note={`Secret of “${secret.name}” — copy it now, it is not shown again.`} />}
      <table class="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Prefix</th>
            <th>Status</th>
            <th>Last used</th>
            <th>Expires</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tenant.keys.map((k) => {
            const blocked = k.blockedUntil && new Date(k.blockedUntil).getTime() > now;
            return (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>
                  <span class={`badge ${k.status === 'ACTIVE' ? 'ok' : 'muted'}`}>{k.status.toLowerCase()}</span>
                  {blocked && <span class="badge warn">blocked until {formatDateTime(k.blockedUntil)}</span>}
                </td>
                <td>{formatDateTime(k.lastUsedAt)}</td>
                <td>{formatDateTime(k.expiresAt)}</td>
                <td class="actions">
                  {k.status === 'ACTIVE' && (
                    <>
                      <button type="button" class="small" onClick={() => run(() => api.request(RotateApiKeyDocument, { id: k.id, graceSeconds: Number(grace) || 0 }).then((d) => d.rotateApiKey), 'Key rotated.')}>
                        Rotate
                      </button>
                      <button type="button" class="small danger" onClick={() => run(() => api.request(RevokeApiKeyDocument, { id: k.id }).then(() => null), 'Key revoked.')}>
                        Revoke
                      </button>
                    </>
                  )}
                  {blocked && (
                    <button type="button" class="small" onClick={() => run(() => api.request(UnblockApiKeyDocument, { id: k.id }).then(() => null), 'Key unblocked.')}>
                      Unblock
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Card>
  );
}
