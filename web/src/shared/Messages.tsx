import { useCallback, useEffect, useState } from 'preact/hooks';
import { asApiError, type ApiError } from './api';
import type { Language } from './i18n';
import { RefusalCode } from './RefusalCode';
import { refusalText } from './refusals';

// A success notice goes away by itself; a failure stays until dismissed or replaced.
const NOTICE_MS = 6000;

/**
 * The console's and the dashboard's one failure and one success message, and how panels report them. A failure is
 * kept as the refusal itself, and put in words where it shows, so a switch of language changes it too.
 */
export function useMessages() {
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const fail = useCallback((e: unknown) => {
    setNotice(null);
    setError(asApiError(e));
  }, []);
  const notify = useCallback((message: string) => {
    setError(null);
    setNotice(message);
  }, []);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);

  return { error, notice, fail, notify, dismiss: () => setError(null) };
}

/**
 * Where those messages show: the corner of the page, read out by screen readers. A refusal reads in the page's
 * language, with its code (and field) small beside it, for the IT team to quote when it reports one.
 */
export function Messages({ messages, dismissLabel, language = 'en' }: { messages: ReturnType<typeof useMessages>; dismissLabel: string; language?: Language }) {
  const { error, notice } = messages;
  return (
    <div class="messages" aria-live="polite">
      {error && (
        <p class="alert" role="alert" data-testid="error">
          <span>
            {refusalText(error, language)}
            <RefusalCode error={error} className="error-code" />
          </span>
          <button type="button" class="link" onClick={messages.dismiss} aria-label={dismissLabel}>
            ✕
          </button>
        </p>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
    </div>
  );
}
