import { useRef, useState } from 'preact/hooks';
import { AskStreamDocument } from '../../../src/contract/operations.generated';
import type { Api } from '../shared/api';
import type { ChatMessage, Quota } from './types';
import type { useConversation } from './useConversation';

let localIds = 0;
const localKey = () => `local-${++localIds}`;

interface Options {
  conversation: ReturnType<typeof useConversation>;
  /** False while a refusal's countdown runs. */
  allowed: boolean;
  onStart(): void;
  onQuota(quota: Quota): void;
  onRefused(error: unknown): void;
  onDone(): void;
}

/** One question at a time, its answer streamed into the log as it is written (askStream). */
export function useAskStream(api: Api | null, { conversation, allowed, onStart, onQuota, onRefused, onDone }: Options) {
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState('');
  const lastQuestion = useRef('');

  function send(question: string) {
    if (!api || busy || !allowed || !question.trim()) return;
    lastQuestion.current = question;
    onStart();
    setBusy(true);
    setDraft('');
    const userKey = localKey();
    const answerKey = localKey();
    const { setMessages } = conversation;
    setMessages((list) => [
      ...list,
      { key: userKey, role: 'user', content: question, citations: [] },
      { key: answerKey, role: 'assistant', content: '', citations: [], streaming: true },
    ]);
    const update = (change: (m: ChatMessage) => ChatMessage) => setMessages((list) => list.map((m) => (m.key === answerKey ? change(m) : m)));
    api.subscribe(
      AskStreamDocument,
      { input: { question, conversationId: conversation.conversationId } },
      {
        next: ({ askStream: event }) => {
          if (event.delta) update((m) => ({ ...m, content: m.content + event.delta }));
          if (event.done && event.result) {
            const r = event.result;
            update((m) => ({ ...m, id: r.messageId, content: r.answer, citations: r.citations, grounded: r.grounded, streaming: false }));
            conversation.setConversationId(r.conversationId);
            onQuota(r.quota);
          }
        },
        error: (e) => {
          // A refused question was not answered: take it back out of the log and give it back to the input.
          setMessages((list) => list.filter((m) => m.key !== userKey && m.key !== answerKey));
          setDraft((d) => d || question);
          setBusy(false);
          onRefused(e);
        },
        complete: () => {
          update((m) => ({ ...m, streaming: false }));
          setBusy(false);
          onDone();
        },
      },
    );
  }

  return { busy, draft, setDraft, send, retry: () => send(draft || lastQuestion.current) };
}
