import type { Citation } from '../../entities/citation';

/** One turn of a conversation, as the generator reads it and a follow-up is searched with it. */
export interface Turn {
  role: 'user' | 'assistant';
  content: string;
}

/**
 * A question and its answer as an ask stores them, written by the statement that settles the ask's lease (see
 * QuotaStore.settleMany). The ids are chosen beforehand, so the answer can name them before that statement runs.
 */
export interface Exchange {
  conversationId: string;
  newConversation: boolean;
  messageId: string;
  apiKeyId: string | null;
  /** Whether the retrieved passages supported the answer (what unansweredQuestions reads). */
  grounded: boolean;
  title: string;
  question: string;
  answer: string;
  citations: Citation[];
  /** The curated answer this answer is, whose hits the settle counts; null for a generated answer. */
  curatedAnswerId: string | null;
}
