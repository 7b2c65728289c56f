import { useEffect, useRef, useState } from 'preact/hooks';
import { ChatHeader } from './ChatHeader';
import { Composer } from './Composer';
import { ConversationList } from './ConversationList';
import { refusalText } from '../shared/refusals';
import { ErrorNotice } from './ErrorNotice';
import { ExportBox } from './ExportBox';
import { KeyForm } from './KeyForm';
import { MessageLog } from './MessageLog';
import type { ChatConfig } from './types';
import { useApiKey } from './useApiKey';
import { useAskStream } from './useAskStream';
import { useConversation } from './useConversation';
import { useConversations } from './useConversations';
import { useExport } from './useExport';
import { useLanguage } from './useLanguage';
import { useQuota } from './useQuota';
import { useRefusal } from './useRefusal';

interface Props {
  config: ChatConfig;
  /** Where a pasted key is kept between page loads of this tab; null when the host page supplies the key. */
  keyStorage: Storage | null;
  /** The widget's narrow panel: the conversation list folds away. */
  compact?: boolean;
  /** Whether the chat may set <html lang> (the full page does; the widget is a guest on someone else's page). */
  ownsDocument?: boolean;
}

/** The chat's layout: it wires the hooks (key, language, quota, conversations, the ask stream) to the parts. */
export function ChatApp({ config, keyStorage, compact = false, ownsDocument = false }: Props) {
  const { language, t, switchLanguage } = useLanguage(config.language, ownsDocument);
  const { key, api, keyError, checkingKey, saveKey, forgetKey } = useApiKey(config, keyStorage);
  const refusal = useRefusal();
  const { quota, setQuota } = useQuota(api, refusal.error, refusal.fail);
  const conversations = useConversations(api);
  const conversation = useConversation(api, refusal.fail);
  const exporter = useExport(api, refusal.fail);
  const [listOpen, setListOpen] = useState(false);
  const logEnd = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const ask = useAskStream(api, {
    conversation,
    allowed: !refusal.countdown,
    onStart: refusal.clear,
    onQuota: setQuota,
    onRefused: refusal.fail,
    onDone: () => {
      void conversations.reload();
      input.current?.focus();
    },
  });

  useEffect(() => logEnd.current?.scrollIntoView?.({ block: 'end' }), [conversation.messages]);

  function changeKey() {
    forgetKey();
    refusal.dismiss();
  }

  function openConversation(id: string) {
    if (ask.busy) return;
    setListOpen(false);
    refusal.dismiss();
    void conversation.open(id);
  }

  function newConversation() {
    if (ask.busy) return;
    conversation.startNew();
    setListOpen(false);
    input.current?.focus();
  }

  const changeable = !config.apiKey;
  const header = (
    <ChatHeader config={config} quota={quota} language={language} t={t} onSwitchLanguage={switchLanguage} onChangeKey={key && changeable ? changeKey : undefined} />
  );

  if (!key) {
    return (
      <div class={`ad-chat ${compact ? 'ad-compact' : ''}`}>
        {header}
        <main class="ad-center">
          <KeyForm t={t} error={keyError && refusalText(keyError, language, 'chat')} refusal={keyError} busy={checkingKey} onSave={saveKey} />
        </main>
      </div>
    );
  }

  return (
    <div class={`ad-chat ${compact ? 'ad-compact' : ''} ${listOpen ? 'ad-list-open' : ''}`}>
      {header}
      <div class="ad-body">
        <ConversationList t={t} list={conversations} currentId={conversation.conversationId} onNew={newConversation} onOpen={openConversation}>
          {changeable && (
            <button type="button" class="ad-ghost ad-small ad-change-key-side" onClick={changeKey}>
              {t('key.change')}
            </button>
          )}
          <ExportBox t={t} exporter={exporter} />
        </ConversationList>
        <main class="ad-main">
          <button type="button" class="ad-list-toggle ad-ghost" aria-expanded={listOpen} aria-controls="ad-sidebar" onClick={() => setListOpen(!listOpen)}>
            ☰ {t('conversations.toggle')}
          </button>
          <MessageLog t={t} messages={conversation.messages} onRate={conversation.rate} end={logEnd} />
          {refusal.error && (
            <ErrorNotice
              error={refusal.error}
              statusUrl={/\/graphql$/.test(config.endpoint) ? config.endpoint.replace(/\/graphql$/, '/status') : undefined}
              countdown={refusal.countdown}
              t={t}
              language={language}
              onRetry={ask.retry}
              onChangeKey={changeable ? changeKey : undefined}
              onDismiss={refusal.dismiss}
            />
          )}
          <Composer t={t} draft={ask.draft} busy={ask.busy} blocked={ask.busy || (refusal.countdown ?? 0) > 0} input={input} onDraft={ask.setDraft} onSend={ask.send} />
        </main>
      </div>
    </div>
  );
}
