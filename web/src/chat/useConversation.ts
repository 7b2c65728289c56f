import { useEffect, useState } from 'preact/hooks';
import { ConversationDocument, MessageRatingsDocument, RateDocument } from '../../../src/contract/operations.generated';
import type { Api } from '../shared/api';
import type { ChatMessage, Rating } from './types';

/** The conversation on screen: its messages (loaded, or being asked), its id once the server gave one, its ratings. */
export function useConversation(api: Api | null, fail: (e: unknown) => void) {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [conversationId, setConversationId] = useState<string | null>(null);

  // Another key is another person's conversations.
  useEffect(() => {
    if (api) return;
    setMessages([]);
    setConversationId(null);
  }, [api]);

  async function open(id: string) {
    if (!api) return;
    try {
      const data = await api.request(ConversationDocument, { id });
      if (!data.conversation) return;
      setMessages(
        data.conversation.messages.map((m) => ({ key: m.id, id: m.id, role: m.role === 'user' ? 'user' : 'assistant', content: m.content, citations: m.citations })),
      );
      setConversationId(id);
      // Ratings are a later addition to the contract; an older server simply shows none.
      api.request(MessageRatingsDocument, { id }).then(
        (r) => {
          const byId = new Map<string, Rating | null>(r.conversation?.messages.map((m) => [m.id, m.rating]) ?? []);
          setMessages((list) => list.map((m) => (m.id && byId.has(m.id) ? { ...m, rating: byId.get(m.id) } : m)));
        },
        () => undefined,
      );
    } catch (e) {
      fail(e);
    }
  }

  function startNew() {
    setMessages([]);
    setConversationId(null);
  }

  /** Shows the rating at once and takes it back if the server refuses it. */
  async function rate(message: ChatMessage, rating: Rating) {
    if (!api || !message.id) return;
    const previous = message.rating ?? null;
    const set = (value: Rating | null) => setMessages((list) => list.map((m) => (m.key === message.key ? { ...m, rating: value } : m)));
    set(rating);
    try {
      await api.request(RateDocument, { input: { messageId: message.id, rating } });
    } catch (e) {
      set(previous);
      fail(e);
    }
  }

  return { messages, setMessages, conversationId, setConversationId, open, startNew, rate };
}
