import { useCallback, useEffect, useState } from 'preact/hooks';
import { asApiError, UNREACHABLE } from './api';

// A success notice goes away by itself; a failure stays until dismissed or replaced.
const NOTICE_MS = 6000;

/** The console's and the dashboard's one failure and one success message, and how panels report them. */
export function useMessages(unreachable: string) {
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const fail = useCallback(
    (e: unknown) => {
      const err = asApiError(e);
      setNotice(null);
      setError(err.code === UNREACHABLE ? unreachable : `${err.message} (${err.code})`);
    },
    [unreachable],
  );
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

/** Where those messages show: the corner of the page, read out by screen readers. */
export function Messages({ messages, dismissLabel }: { messages: ReturnType<typeof useMessages>; dismissLabel: string }) {
  const { error, notice } = messages;
  return (
    <div class="messages" aria-live="polite">
      {error && (
        <p class="alert" role="alert" data-testid="error">
          {error}
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
