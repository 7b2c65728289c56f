import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import {
  IssueApiKeyDocument,
  KeyKind,
  RevokeApiKeyDocument,
  RotateApiKeyDocument,
  UnblockApiKeyDocument,
  type ConsoleKeyFragment,
  type IssuedKeyFragment,
} from '../../../src/contract/operations.generated';
import type { PanelProps, TenantArg } from './panel';
import { Card, formatDateTime, SecretBox } from './ui';

interface Props extends PanelProps {
  tenantId: TenantArg;
  keys: readonly ConsoleKeyFragment[];
  onChanged(): void;
  /** Lifting an abuse block is the operator's (unblockApiKey is an admin operation). */
  canUnblock?: boolean;
  /** What the plan allows (shown under the form on the dashboard). */
  rules?: ComponentChildren;
}

/** A tenant's keys: issue (secret or publishable, the secret shown once), rotate with a grace period, revoke. */
export function KeysPanel({ api, fail, notify, t, tenantId, keys, onChanged, canUnblock = false, rules }: Props) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<KeyKind>(KeyKind.Secret);
  const [grace, setGrace] = useState('3600');
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);

  /** Sends one key operation; a new secret (issued or rotated) is shown once. */
  async function run(send: () => Promise<IssuedKeyFragment | null>, message: string) {
    try {
      const issued = await send();
      if (issued) setSecret({ name: issued.key.name, value: issued.secret });
      notify(message);
      onChanged();
      return true;
    } catch (e) {
      fail(e);
      return false;
    }
  }

  async function issue(event: Event) {
    event.preventDefault();
    const done = await run(() => api.request(IssueApiKeyDocument, { tenantId, name: name.trim(), kind }).then((d) => d.issueApiKey), t('keys.issued'));
    if (done) setName('');
  }

  const now = Date.now();
  return (
    <Card title={t('keys.title')}>
      <form class="row" onSubmit={issue}>
        <input data-testid="key-name" required placeholder={t('keys.namePlaceholder')} aria-label={t('keys.name')} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <select data-testid="key-kind" aria-label={t('keys.kind')} value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as KeyKind)}>
          {Object.values(KeyKind).map((k) => (
            <option key={k} value={k}>
              {t(`keys.kind.${k}`)}
            </option>
          ))}
        </select>
        <button type="submit" class="primary" data-testid="issue-key">
          {t('keys.issue')}
        </button>
        <label class="small">
          {t('keys.grace')} <input type="number" min={0} class="narrow" value={grace} onInput={(e) => setGrace((e.target as HTMLInputElement).value)} />
        </label>
      </form>
      {rules}
      {secret && <SecretBox t={t} secret={secret.value} note={t('keys.secretNote', { name: secret.name })} />}
      <div class="table-scroll">
        <table class="table">
          <thead>
            <tr>
              <th>{t('keys.col.name')}</th>
              <th>{t('keys.col.kind')}</th>
              <th>{t('keys.col.prefix')}</th>
              <th>{t('keys.col.status')}</th>
              <th>{t('keys.col.lastUsed')}</th>
              <th>{t('keys.col.expires')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => {
              const blocked = k.blockedUntil && new Date(k.blockedUntil).getTime() > now;
              return (
                <tr key={k.id} data-testid="key-row">
                  <td>{k.name}</td>
                  <td>{t(`keys.kindShort.${k.kind}`)}</td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>
                    <span class={`badge ${k.status === 'ACTIVE' ? 'ok' : 'muted'}`}>{t(`keys.status.${k.status}`)}</span>
                    {blocked && <span class="badge warn">{t('keys.blockedUntil', { date: formatDateTime(k.blockedUntil) })}</span>}
                  </td>
                  <td>{formatDateTime(k.lastUsedAt)}</td>
                  <td>{formatDateTime(k.expiresAt)}</td>
                  <td class="actions">
                    {k.status === 'ACTIVE' && (
                      <>
                        <button type="button" class="small" onClick={() => run(() => api.request(RotateApiKeyDocument, { id: k.id, graceSeconds: Number(grace) || 0 }).then((d) => d.rotateApiKey), t('keys.rotated'))}>
                          {t('keys.rotate')}
                        </button>
                        <button type="button" class="small danger" onClick={() => run(() => api.request(RevokeApiKeyDocument, { id: k.id }).then(() => null), t('keys.revoked'))}>
                          {t('keys.revoke')}
                        </button>
                      </>
                    )}
                    {blocked && canUnblock && (
                      <button type="button" class="small" onClick={() => run(() => api.request(UnblockApiKeyDocument, { id: k.id }).then(() => null), t('keys.unblocked'))}>
                        {t('keys.unblock')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
