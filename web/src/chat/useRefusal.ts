import { useCallback, useEffect, useState } from 'preact/hooks';
import { asApiError, type ApiError } from '../shared/api';

/** The refusal shown above the composer, and the countdown a RATE_LIMITED one holds the send button for. */
export function useRefusal() {
  const [error, setError] = useState<ApiError | null>(null);
  const [countdown, setCountdown] = useState<number | null>(null);

  const fail = useCallback((e: unknown) => {
    const err = asApiError(e);
    setError(err);
    if (err.code === 'RATE_LIMITED') setCountdown(Math.max(1, Math.ceil(Number(err.extensions.retryAfter) || 1)));
  }, []);

  // The countdown ticks once a second from the error's retryAfter; at zero the send button comes back.
  useEffect(() => {
    if (!countdown) return;
    const timer = setTimeout(() => setCountdown((n) => (n ? n - 1 : 0)), 1000);
    return () => clearTimeout(timer);
  }, [countdown]);

  const clear = useCallback(() => {
    setError(null);
    setCountdown(null);
  }, []);

  return { error, countdown, fail, dismiss: () => setError(null), clear };
}
