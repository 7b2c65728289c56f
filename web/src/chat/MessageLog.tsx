import type { Ref } from 'preact';
import type { Translate } from '../shared/i18n';
import { AnswerView } from './AnswerView';
import type { ChatMessage, Rating } from './types';

interface Props {
  t: Translate;
  messages: ChatMessage[];
  onRate(message: ChatMessage, rating: Rating): void;
  end: Ref<HTMLDivElement>;
}

/** The conversation as it reads: questions, answers streaming in, or a welcome when there is none yet. */
export function MessageLog({ t, messages, onRate, end }: Props) {
  return (
    <div class="ad-log" role="log" aria-live="polite" aria-relevant="additions text">
      {messages.length === 0 && (
        <div class="ad-empty">
          <h2>{t('empty.title')}</h2>
          <p>{t('empty.body')}</p>
        </div>
      )}
      {messages.map((m) =>
        m.role === 'user' ? (
          <article key={m.key} class="ad-msg ad-msg-user">
            <header class="ad-msg-author">{t('answer.you')}</header>
            <div class="ad-msg-body">{m.content}</div>
          </article>
        ) : (
          <AnswerView key={m.key} message={m} t={t} onRate={onRate} />
        ),
      )}
      <div ref={end} />
    </div>
  );
}
