import { useState } from 'preact/hooks';
import type { ApiError } from '../shared/api';
import type { Translate } from '../shared/i18n';
import { RefusalCode } from '../shared/RefusalCode';

interface Props {
  t: Translate;
  error: string | null;
  /** The refusal behind `error`, whose code is shown beside it for the IT team, as on every other refusal. */
  refusal?: ApiError | null;
  busy: boolean;
  onSave(key: string): void;
  /** The test id pair: the chat's api-key/save-key or the console's admin-key/login. */
  ids?: { input: string; button: string };
  label?: string;
  title?: string;
  help?: string;
}

/** Asks for a key once; the caller decides where it is kept (sessionStorage, never a URL). */
export function KeyForm({ t, error, refusal, busy, onSave, ids = { input: 'api-key', button: 'save-key' }, label, title, help }: Props) {
  const [value, setValue] = useState('');
  return (
    <form
      class="ad-keyform"
      onSubmit={(event) => {
        event.preventDefault();
        if (value.trim()) onSave(value.trim());
      }}
    >
      <h2>{title ?? t('key.title')}</h2>
      <p class="ad-muted">{help ?? t('key.help')}</p>
      <label for={`ad-${ids.input}`}>{label ?? t('key.label')}</label>
      <input
        id={`ad-${ids.input}`}
        data-testid={ids.input}
        type="password"
        autocomplete="off"
        spellcheck={false}
        value={value}
        onInput={(event) => setValue((event.target as HTMLInputElement).value)}
        aria-describedby={error ? `ad-${ids.input}-error` : undefined}
        required
      />
      {error && (
        <p id={`ad-${ids.input}-error`} class="ad-error" role="alert" data-testid="error">
          {error}
          {refusal && <RefusalCode error={refusal} className="ad-error-code" />}
        </p>
      )}
      <button type="submit" class="ad-primary" data-testid={ids.button} disabled={busy}>
        {t('key.save')}
      </button>
    </form>
  );
}
