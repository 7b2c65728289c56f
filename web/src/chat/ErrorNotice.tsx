import { formatDate, type Language, type Translate } from '../shared/i18n';
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

/** A refusal in words a hospital's staff understand, with what they can do about it. */
export function ErrorNotice({ error, statusUrl, countdown, t, language, onRetry, onChangeKey, onDismiss }: Props) {
  const x = error.extensions;
  const code = shownCode(error.code);
  let text: string;
  switch (code) {
    case 'RATE_LIMITED':
      text = countdown ? t('error.RATE_LIMITED', { n: '\u0000' }) : t('error.RATE_LIMITED.done');
      break;
    case 'QUOTA_EXCEEDED':
      // The visitor cap resets the next UTC day, so its time matters; the monthly quota's date is enough.
      text = x.scope === 'VISITOR' ? t('error.QUOTA_EXCEEDED.VISITOR', { date: formatDate(x.resetsAt, language, true) }) : t('error.QUOTA_EXCEEDED', { date: formatDate(x.resetsAt, language) });
      break;
    case 'BLOCKED':
      text = t('error.BLOCKED', { date: formatDate(x.until, language, true) });
      break;
    case 'UNAUTHENTICATED':
    case 'TENANT_SUSPENDED':
    case 'UPSTREAM_UNAVAILABLE':
    case UNREACHABLE:
      text = t(`error.${code}`);
      break;
    case 'FORBIDDEN':
      // Every operation the chat sends is open to publishable keys: a refusal here is the tenant's allowed origins.
      text = t('error.FORBIDDEN');
      break;
    default:
      text = error.message;
  }
  const retryable = code === 'UPSTREAM_UNAVAILABLE' || code === UNREACHABLE || code === 'INTERNAL_SERVER_ERROR';
  return (
    <div class={`ad-alert ${error.code === 'RATE_LIMITED' && !countdown ? 'ad-alert-ok' : ''}`} role="alert">
      <p data-testid="error">
        {error.code === 'RATE_LIMITED' ? withCountdown(text, countdown ?? 0) : text}
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

// Something other than the server answered (HTTP_<status>, say a proxy's error page): a 5xx reads as the service
// being unavailable for now, anything else as the server not being reached.
function shownCode(code: string): string {
  if (!code.startsWith('HTTP_')) return code;
  return code.startsWith('HTTP_5') ? 'UPSTREAM_UNAVAILABLE' : UNREACHABLE;
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
