import type { Translate } from '../shared/i18n';
import type { ChatMessage, Rating } from './types';

interface Props {
  message: ChatMessage;
  t: Translate;
  onRate(message: ChatMessage, rating: Rating): void;
}

/** One assistant answer: its text (streamed in), its sources, and the thumbs. */
export function AnswerView({ message, t, onRate }: Props) {
  return (
    <article class="ad-msg ad-msg-assistant" data-testid="answer" aria-busy={message.streaming ? 'true' : 'false'}>
      <header class="ad-msg-author">{t('answer.assistant')}</header>
      <div class="ad-msg-body">
        {message.content}
        {message.streaming && <span class="ad-caret" aria-hidden="true" />}
      </div>
      {message.grounded === false && <p class="ad-note">{t('answer.ungrounded')}</p>}
      {message.citations.length > 0 && (
        <nav class="ad-citations" aria-label={t('answer.sources')}>
          <span class="ad-citations-label">{t('answer.sources')}</span>
          <ul>
            {message.citations.map((c) =>
              <li key={c.documentId}>
                {c.sourceUrl ? (
                  <a data-testid="citation" href={c.sourceUrl} target="_blank" rel="noopener noreferrer">
                    {c.title}
                  </a>
                ) : (
                  <span data-testid="citation" class="ad-citation">{c.title}</span>
                )}
              </li>,
            )}
          </ul>
        </nav>
      )}
      {!message.streaming && message.id && (
        <div class="ad-rate" role="group" aria-label={t('rate.up') + ' / ' + t('rate.down')}>
          <button type="button" data-testid="rate-up" aria-pressed={message.rating === 'UP'} aria-label={t('rate.up')} title={t('rate.up')} onClick={() => onRate(message, 'UP')}>
            <Thumb />
          </button>
          <button type="button" data-testid="rate-down" aria-pressed={message.rating === 'DOWN'} aria-label={t('rate.down')} title={t('rate.down')} onClick={() => onRate(message, 'DOWN')}>
            <Thumb down />
          </button>
          {message.rating && <span class="ad-muted ad-small">{t('rate.thanks')}</span>}
        </div>
      )}
    </article>
  );
}

// Drawn rather than an emoji: kiosks and hospital workstations often lack an emoji font.
function Thumb({ down = false }: { down?: boolean }) {
  return (
    <svg class={down ? 'ad-thumb ad-thumb-down' : 'ad-thumb'} viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        d="M7 10v11H3V10h4zm2 11h8.3a2 2 0 0 0 2-1.6l1.4-7A2 2 0 0 0 18.7 10H14l.8-4.2a1.5 1.5 0 0 0-.4-1.3L13.6 3.7 8.6 9.3A2 2 0 0 0 9 10.6z"
        fill="currentColor"
      />
    </svg>
  );
}
