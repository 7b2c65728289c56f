import type { Language, Translate } from '../shared/i18n';
import { rateLimitOver, refusalText, shownCode } from '../shared/refusals';
import { RefusalCode } from '../shared/RefusalCode';
import { UNREACHABLE, type ApiError } from '../shared/api';

interface Props {
  error: ApiError;
  /** The service's status page, offered when the server can't be reached. */
  statusUrl?: string;
  countdown: number | null;
  t: Translate;
  language: Language;
  onRetry?: () => void;
  onChangeKey?: () => void;
  onDismiss(): void;
}

/** A refusal in words a hospital's staff understand, with what they can do about it, and its code for the IT team. */
export function ErrorNotice({ error, statusUrl, countdown, t, language, onRetry, onChangeKey, onDismiss }: Props) {
  const code = shownCode(error.code);
  // Every operation the chat sends is open to publishable keys: a FORBIDDEN here is the tenant's allowed origins.
  const text =
    code === 'RATE_LIMITED'
      ? countdown
        ? refusalText(error, language, 'chat', { n: '\u0000' })
        : rateLimitOver(language)
      : refusalText(error, language, 'chat');
  const retryable = code === 'UPSTREAM_UNAVAILABLE' || code === UNREACHABLE || code === 'INTERNAL_SERVER_ERROR';
  return (
    <div class={`ad-alert ${error.code === 'RATE_LIMITED' && !countdown ? 'ad-alert-ok' : ''}`} role="alert">
      <p data-testid="error">
        {error.code === 'RATE_LIMITED' ? withCountdown(text, countdown ?? 0) : text}
        {code !== 'RATE_LIMITED' && <RefusalCode error={error} className="ad-error-code" />}
        {code === UNREACHABLE && statusUrl && (
          <>
            {' '}
            <a href={statusUrl} target="_blank" rel="noopener" data-testid="status-link">
              {t('error.status')}
            </a>
          </>
        )}
      </p>
      <div class="ad-alert-actions">
        {retryable && onRetry && (
          <button type="button" onClick={onRetry}>
            {t('error.retry')}
          </button>
        )}
        {(error.code === 'UNAUTHENTICATED' || error.code === 'BLOCKED') && onChangeKey && (
          <button type="button" onClick={onChangeKey}>
            {t('key.change')}
          </button>
        )}
        <button type="button" class="ad-ghost" onClick={onDismiss} aria-label={t('error.dismiss')}>
          ✕
        </button>
      </div>
    </div>
  );
}

// The seconds sit inside the sentence ("… again in 12 s."), in their own element so they can tick without the
// sentence being rebuilt; at zero the sentence says the user may ask again and the 0 stays visible.
function withCountdown(text: string, seconds: number) {
  const [before, after] = text.includes('\u0000') ? text.split('\u0000') : [`${text} (`, ' s)'];
  return (
    <>
      {before}
      <span class="ad-countdown" data-testid="countdown">
        {seconds}
      </span>
      {after}
    </>
  );
}
