import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { englishPanels, type PanelTranslate } from './panel-i18n';
import type { Paged } from './usePaged';

export function Pager({ list, t = englishPanels }: { list: Paged<unknown>; t?: PanelTranslate }) {
  const { page, pageNumber, loading } = list;
  return (
    <div class="pager">
      <span class="muted">{loading ? t('list.loading') : t('list.count', { n: page?.totalCount ?? 0, page: pageNumber })}</span>
      <button type="button" onClick={list.previous} disabled={pageNumber < 2 || loading}>
        {t('list.previous')}
      </button>
      <button type="button" onClick={list.next} disabled={!page?.hasNextPage || loading}>
        {t('list.next')}
      </button>
    </div>
  );
}

/** The row a table shows when its page came back empty. */
export function EmptyRow({ list, columns, children }: { list: Paged<unknown>; columns: number; children: ComponentChildren }) {
  if (list.page?.nodes.length !== 0) return null;
  return (
    <tr>
      <td colSpan={columns} class="muted">
        {children}
      </td>
    </tr>
  );
}

/** A server-side filter: the empty value means no filter. */
export function FilterSelect({ label, value, options, onChange }: { label: string; value: string; options: [string, string][]; onChange(value: string): void }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
      {options.map(([v, text]) => (
        <option key={v} value={v}>
          {text}
        </option>
      ))}
    </select>
  );
}

/** A search field that tells its owner only once typing pauses, so each keystroke is not a request. */
export function SearchBox({ label, onSearch }: { label: string; onSearch(value: string): void }) {
  const [value, setValue] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => onSearch(value.trim()), 250);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <input
      type="search"
      class="search"
      placeholder={label}
      aria-label={label}
      value={value}
      onInput={(e) => setValue((e.target as HTMLInputElement).value)}
    />
  );
}

export function Card({ title, children, actions, class: extra = '', id }: { title: string; children: ComponentChildren; actions?: ComponentChildren; class?: string; id?: string }) {
  return (
    <section class={`card ${extra}`} id={id}>
      <header class="card-head">
        <h2>{title}</h2>
        {actions && <div class="card-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** A secret shown once, with a copy button: it cannot be read again later. */
export function SecretBox({ secret, note, testId = 'key-secret', t = englishPanels }: { secret: string; note: string; testId?: string; t?: PanelTranslate }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="secret" role="status">
      <p>{note}</p>
      <div class="row">
        <code data-testid={testId}>{secret}</code>
        <button
          type="button"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(secret);
              setCopied(true);
            } catch {
              setCopied(false);
            }
          }}
        >
          {copied ? t('secret.copied') : t('secret.copy')}
        </button>
      </div>
    </div>
  );
}

export const formatDateTime = (iso: string | null | undefined) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '—');
export const formatCents = (cents: number, currency = 'EUR', language: 'en' | 'fr' = 'en') =>
  (cents / 100).toLocaleString(language === 'fr' ? 'fr-FR' : 'en-GB', { style: 'currency', currency });
export const thisMonth = () => new Date().toISOString().slice(0, 7);
