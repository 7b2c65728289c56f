import type { Ref } from 'preact';
import type { Translate } from '../shared/i18n';

interface Props {
  t: Translate;
  draft: string;
  busy: boolean;
  /** True while a question is out or a refusal's countdown runs. */
  blocked: boolean;
  input: Ref<HTMLTextAreaElement>;
  onDraft(text: string): void;
  onSend(question: string): void;
}

/** Where the question is typed: Enter sends, Shift+Enter makes a new line. */
export function Composer({ t, draft, busy, blocked, input, onDraft, onSend }: Props) {
  return (
    <form
      class="ad-composer"
      onSubmit={(event) => {
        event.preventDefault();
        onSend(draft);
      }}
    >
      <label class="ad-visually-hidden" for="ad-question">
        {t('ask.label')}
      </label>
      <textarea
        id="ad-question"
        ref={input}
        data-testid="question"
        rows={2}
        maxLength={4000}
        placeholder={t('ask.placeholder')}
        aria-describedby="ad-ask-hint"
        value={draft}
        onInput={(event) => onDraft((event.target as HTMLTextAreaElement).value)}
        onKeyDown={(event) => {
          // An IME composition's Enter belongs to the composition.
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            onSend(draft);
          }
        }}
      />
      <button type="submit" class="ad-primary" data-testid="send" disabled={blocked || !draft.trim()}>
        {busy ? t('ask.sending') : t('ask.send')}
      </button>
      <p id="ad-ask-hint" class="ad-hint">
        {t('ask.hint')}
      </p>
    </form>
  );
}
