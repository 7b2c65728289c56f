import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api, ApiError, download } from '../shared/api';
import { initialLanguage, translator, type Language } from '../shared/i18n';
import { AnswerView } from './AnswerView';
import { ErrorNotice } from './ErrorNotice';
import { KeyForm } from './KeyForm';
import { ASK_STREAM, CONVERSATION, CONVERSATIONS, EXPORT, MESSAGE_RATINGS, QUOTA, RATE } from './queries';
import type { ChatConfig, ChatMessage, ConversationSummary, Quota, Rating } from './types';

interface Props {
  config: ChatConfig;
  /** Where a pasted key is kept between page loads of this tab; null when the host page supplies the key. */
  keyStorage: Storage | null;
  /** The widget's narrow panel: the conversation list folds away. */
  compact?: boolean;
  /** Whether the chat may set <html lang> (the full page does; the widget is a guest on someone else's page). */
  ownsDocument?: boolean;
}

const KEY_ITEM = 'askdesk.chat.key';
const LANGUAGE_ITEM = 'askdesk.language';
const EXPORT_TYPES = { JSON: ['json', 'application/json'], MARKDOWN: ['md', 'text/markdown'], CSV: ['csv', 'text/csv'] } as const;

let localIds = 0;
const localKey = () => `local-${++localIds}`;

export function ChatApp({ config, keyStorage, compact = false, ownsDocument = false }: Props) {
  const [language, setLanguage] = useState<Language>(() => initialLanguage(safeGet(sessionStorageOrNull(), LANGUAGE_ITEM) ?? config.language));
  const t = useMemo(() => translator(language), [language]);
  const [key, setKey] = useState<string | null>(() => config.apiKey || safeGet(keyStorage, KEY_ITEM));
  const api = useMemo(() => (key ? new Api(config.endpoint, key) : null), [config.endpoint, key]);
  const [keyError, setKeyError] = useState<string | null>(null);
  const [checkingKey, setCheckingKey] = useState(false);

  const [quota, setQuota] = useState<Quota | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [moreConversations, setMoreConversations] = useState<string | null>(null);
  const [listOpen, setListOpen] = useState(false);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [countdown, setCountdown] = useState<number | null>(null);
  const [exportFormat, setExportFormat] = useState<keyof typeof EXPORT_TYPES>('JSON');
  const lastQuestion = useRef<string>('');
  const logEnd = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (ownsDocument) document.documentElement.lang = language;
  }, [language, ownsDocument]);

  useEffect(() => () => api?.dispose(), [api]);

  const fail = useCallback((e: unknown) => {
    const err = e instanceof ApiError ? e : new ApiError('NETWORK', String(e));
    setError(err);
    if (err.code === 'RATE_LIMITED') setCountdown(Math.max(1, Math.ceil(Number(err.extensions.retryAfter) || 1)));
    if (err.code === 'QUOTA_EXCEEDED') setQuota((q) => (q ? { ...q, remaining: 0 } : q));
  }, []);

  // The countdown ticks once a second from the error's retryAfter; at zero the send button comes back.
  useEffect(() => {
    if (!countdown) return;
    const timer = setTimeout(() => setCountdown((n) => (n ? n - 1 : 0)), 1000);
    return () => clearTimeout(timer);
  }, [countdown]);

  const loadConversations = useCallback(
    async (after: string | null = null) => {
      if (!api) return;
      const data = await api.request(CONVERSATIONS, { first: 20, after });
      const page = data.conversations;
      const nodes: ConversationSummary[] = page.edges.map((e: { node: ConversationSummary }) => e.node);
      setConversations((list) => (after ? [...list, ...nodes] : nodes));
      setMoreConversations(page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null);
    },
    [api],
  );

  useEffect(() => {
    if (!api) return;
    api.request(QUOTA).then((d) => setQuota(d.quota), fail);
    loadConversations().catch(() => undefined); // the quota call already reports a refusal
  }, [api, fail, loadConversations]);

  useEffect(() => logEnd.current?.scrollIntoView?.({ block: 'end' }), [messages]);

  async function saveKey(value: string) {
    setCheckingKey(true);
    setKeyError(null);
    try {
      await new Api(config.endpoint, value).request(QUOTA);
    } catch (e) {
      // A wrong key stays on the form; any other refusal (blocked, suspended…) is explained inside the chat.
      if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') {
        setCheckingKey(false);
        setKeyError(t('error.UNAUTHENTICATED'));
        return;
      }
    }
    setCheckingKey(false);
    safeSet(keyStorage, KEY_ITEM, value);
    setKey(value);
  }

  function changeKey() {
    try {
      keyStorage?.removeItem(KEY_ITEM);
    } catch {
      /* see sessionStorageOrNull */
    }
    setKey(null);
    setError(null);
    setMessages([]);
    setConversations([]);
    setConversationId(null);
    setQuota(null);
  }

  function switchLanguage() {
    const next = language === 'fr' ? 'en' : 'fr';
    safeSet(sessionStorageOrNull(), LANGUAGE_ITEM, next);
    setLanguage(next);
  }

  const blocked = busy || (countdown ?? 0) > 0;

  function send(question: string) {
    if (!api || blocked || !question.trim()) return;
    lastQuestion.current = question;
    setError(null);
    setCountdown(null);
    setBusy(true);
    setDraft('');
    const userKey = localKey();
    const answerKey = localKey();
    setMessages((list) => [
      ...list,
      { key: userKey, role: 'user', content: question, citations: [] },
      { key: answerKey, role: 'assistant', content: '', citations: [], streaming: true },
    ]);
    const update = (change: (m: ChatMessage) => ChatMessage) =>
      setMessages((list) => list.map((m) => (m.key === answerKey ? change(m) : m)));
    api.subscribe<{ askStream: { delta: string | null; done: boolean; result: any } }>(
      ASK_STREAM,
      { input: { question, conversationId } },
      {
        next: ({ askStream: event }) => {
          if (event.delta) update((m) => ({ ...m, content: m.content + event.delta }));
          if (event.done && event.result) {
            const r = event.result;
            update((m) => ({ ...m, id: r.messageId, content: r.answer, citations: r.citations, grounded: r.grounded, streaming: false }));
            setConversationId(r.conversationId);
            setQuota(r.quota);
          }
        },
        error: (e) => {
          // A refused question was not answered: take it back out of the log and give it back to the input.
          setMessages((list) => list.filter((m) => m.key !== userKey && m.key !== answerKey));
          setDraft((d) => d || question);
          setBusy(false);
          fail(e);
        },
        complete: () => {
          update((m) => ({ ...m, streaming: false }));
          setBusy(false);
          loadConversations().catch(() => undefined);
          input.current?.focus();
        },
      },
    );
  }

  async function openConversation(id: string) {
    if (!api || busy) return;
    setListOpen(false);
    setError(null);
    try {
      const data = await api.request(CONVERSATION, { id });
      if (!data.conversation) return;
      const loaded: ChatMessage[] = data.conversation.messages.map((m: any) => ({
        key: m.id,
        id: m.id,
        role: m.role === 'user' ? 'user' : 'assistant',
        content: m.content,
        citations: m.citations,
      }));
      setMessages(loaded);
      setConversationId(id);
      // Ratings are a later addition to the contract; an older server simply shows none.
      api.request(MESSAGE_RATINGS, { id }).then(
        (r) => {
          const byId = new Map<string, Rating | null>(r.conversation?.messages.map((m: any) => [m.id, m.rating]) ?? []);
          setMessages((list) => list.map((m) => (m.id && byId.has(m.id) ? { ...m, rating: byId.get(m.id) } : m)));
        },
        () => undefined,
      );
    } catch (e) {
      fail(e);
    }
  }

  function newConversation() {
    if (busy) return;
    setMessages([]);
    setConversationId(null);
    setListOpen(false);
    input.current?.focus();
  }

  async function rate(message: ChatMessage, rating: Rating) {
    if (!api || !message.id) return;
    const previous = message.rating ?? null;
    const set = (value: Rating | null) => setMessages((list) => list.map((m) => (m.key === message.key ? { ...m, rating: value } : m)));
    set(rating);
    try {
      await api.request(RATE, { input: { messageId: message.id, rating } });
    } catch (e) {
      set(previous);
      fail(e);
    }
  }

  async function exportAll() {
    if (!api) return;
    try {
      const data = await api.request(EXPORT, { format: exportFormat });
      const [extension, type] = EXPORT_TYPES[exportFormat];
      download(`askdesk-conversations-${new Date().toISOString().slice(0, 10)}.${extension}`, data.exportConversations, `${type};charset=utf-8`);
    } catch (e) {
      fail(e);
    }
  }

  const name = config.name || 'AskDesk';
  const header = (
    <header class="ad-header">
      <div class="ad-brand">
        {config.logoUrl ? <img class="ad-logo" src={config.logoUrl} alt="" /> : <span class="ad-logo ad-logo-default" aria-hidden="true" />}
        <div>
          <h1 class="ad-name">{name}</h1>
          <p class="ad-subtitle">{t('chat.title')}</p>
        </div>
      </div>
      <div class="ad-header-tools">
        {quota && (
          <p class="ad-quota" title={quota.limit ? `${quota.used} / ${quota.limit}` : undefined}>
            {quota.remaining === null ? (
              <span data-testid="quota">{t('quota.unlimited')}</span>
            ) : (
              <>
                <strong data-testid="quota">{quota.remaining}</strong> <span class="ad-long">{t('quota.left')}</span>
                <span class="ad-short">{t('quota.short')}</span>
              </>
            )}
          </p>
        )}
        <button
          type="button"
          class="ad-lang"
          data-testid="language"
          onClick={switchLanguage}
          aria-label={`${t('language.label')}: ${language === 'fr' ? 'Français' : 'English'} → ${language === 'fr' ? 'English' : 'Français'}`}
          lang={language === 'fr' ? 'en' : 'fr'}
        >
          {language === 'fr' ? 'EN' : 'FR'}
        </button>
        {key && !config.apiKey && (
          <button type="button" class="ad-ghost ad-small ad-change-key" onClick={changeKey}>
            {t('key.change')}
          </button>
        )}
      </div>
    </header>
  );

  if (!key) {
    return (
      <div class={`ad-chat ${compact ? 'ad-compact' : ''}`}>
        {header}
        <main class="ad-center">
          <KeyForm t={t} error={keyError} busy={checkingKey} onSave={saveKey} />
        </main>
      </div>
    );
  }

  return (
    <div class={`ad-chat ${compact ? 'ad-compact' : ''} ${listOpen ? 'ad-list-open' : ''}`}>
      {header}
      <div class="ad-body">
        <aside class="ad-sidebar" id="ad-sidebar" aria-label={t('conversations.title')}>
          <button type="button" class="ad-primary ad-block" data-testid="new-conversation" onClick={newConversation}>
            + {t('conversations.new')}
          </button>
          <h2 class="ad-section-title">{t('conversations.title')}</h2>
          {conversations.length === 0 ? (
            <p class="ad-muted ad-small">{t('conversations.empty')}</p>
          ) : (
            <ul class="ad-conversations">
              {conversations.map((c) => (
                <li key={c.id}>
                  <button type="button" class={c.id === conversationId ? 'ad-current' : ''} aria-current={c.id === conversationId ? 'true' : undefined} onClick={() => openConversation(c.id)}>
                    {c.title}
                  </button>
                </li>
              ))}
              {moreConversations && (
                <li>
                  <button type="button" class="ad-ghost ad-small" onClick={() => loadConversations(moreConversations)}>
                    …
                  </button>
                </li>
              )}
            </ul>
          )}
          {!config.apiKey && (
            <button type="button" class="ad-ghost ad-small ad-change-key-side" onClick={changeKey}>
              {t('key.change')}
            </button>
          )}
          <div class="ad-export">
            <label class="ad-small" for="ad-export-format">
              {t('export.format')}
            </label>
            <div class="ad-row">
              <select id="ad-export-format" value={exportFormat} onChange={(e) => setExportFormat((e.target as HTMLSelectElement).value as keyof typeof EXPORT_TYPES)}>
                <option value="JSON">JSON</option>
                <option value="MARKDOWN">Markdown</option>
                <option value="CSV">CSV</option>
              </select>
              <button type="button" data-testid="export" onClick={exportAll}>
                {t('export.label')}
              </button>
            </div>
          </div>
        </aside>
        <main class="ad-main">
          <button type="button" class="ad-list-toggle ad-ghost" aria-expanded={listOpen} aria-controls="ad-sidebar" onClick={() => setListOpen(!listOpen)}>
            ☰ {t('conversations.toggle')}
          </button>
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
                <AnswerView key={m.key} message={m} t={t} onRate={rate} />
              ),
            )}
            <div ref={logEnd} />
          </div>
          {error && (
            <ErrorNotice
              error={error}
              statusUrl={/\/graphql$/.test(config.endpoint) ? config.endpoint.replace(/\/graphql$/, '/status') : undefined}
              countdown={countdown}
              t={t}
              language={language}
              onRetry={() => send(draft || lastQuestion.current)}
              onChangeKey={config.apiKey ? undefined : changeKey}
              onDismiss={() => setError(null)}
            />
          )}
          <form
            class="ad-composer"
            onSubmit={(event) => {
              event.preventDefault();
              send(draft);
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
              onInput={(event) => setDraft((event.target as HTMLTextAreaElement).value)}
              onKeyDown={(event) => {
                // Enter sends, Shift+Enter makes a new line; an IME composition's Enter belongs to the composition.
                if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
                  event.preventDefault();
                  send(draft);
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
        </main>
      </div>
    </div>
  );
}

// Storage can throw (privacy modes, a sandboxed file:// page); the chat then simply forgets between loads.
function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function safeGet(storage: Storage | null, item: string): string | null {
  try {
    return storage?.getItem(item) ?? null;
  } catch {
    return null;
  }
}

function safeSet(storage: Storage | null, item: string, value: string): void {
  try {
    storage?.setItem(item, value);
  } catch {
    /* see sessionStorageOrNull */
  }
}
