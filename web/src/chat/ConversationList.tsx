import type { ComponentChildren } from 'preact';
import type { Translate } from '../shared/i18n';
import type { useConversations } from './useConversations';

interface Props {
  t: Translate;
  list: ReturnType<typeof useConversations>;
  currentId: string | null;
  onNew(): void;
  onOpen(id: string): void;
  /** Below the list: changing the key, the export. */
  children: ComponentChildren;
}

/** The sidebar: a new conversation, the past ones newest first (more on demand), then the children. */
export function ConversationList({ t, list, currentId, onNew, onOpen, children }: Props) {
  const conversations = list.page?.nodes ?? [];
  return (
    <aside class="ad-sidebar" id="ad-sidebar" aria-label={t('conversations.title')}>
      <button type="button" class="ad-primary ad-block" data-testid="new-conversation" onClick={onNew}>
        + {t('conversations.new')}
      </button>
      <h2 class="ad-section-title">{t('conversations.title')}</h2>
      {conversations.length === 0 ? (
        <p class="ad-muted ad-small">{t('conversations.empty')}</p>
      ) : (
        <ul class="ad-conversations">
          {conversations.map((c) => (
            <li key={c.id}>
              <button type="button" class={c.id === currentId ? 'ad-current' : ''} aria-current={c.id === currentId ? 'true' : undefined} onClick={() => onOpen(c.id)}>
                {c.title}
              </button>
            </li>
          ))}
          {list.page?.hasNextPage && list.page.endCursor && (
            <li>
              <button type="button" class="ad-ghost ad-small" onClick={list.next}>
                …
              </button>
            </li>
          )}
        </ul>
      )}
      {children}
    </aside>
  );
}
