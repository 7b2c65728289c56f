import type { ChatCitationFragment, QuotaFieldsFragment, Rating } from '../../../src/contract/operations.generated';

// The chat's own state; what the server answers is typed by the generated operations.
export type Quota = QuotaFieldsFragment;
export type Citation = ChatCitationFragment;
export type { Rating };

export interface ChatMessage {
  /** Local key; the server's message id once known. */
  key: string;
  id?: string;
  role: 'user' | 'assistant';
  content: string;
  citations: Citation[];
  grounded?: boolean;
  streaming?: boolean;
  rating?: Rating | null;
}

/** What a page (served, packaged or the widget) tells the chat about where it runs. */
export interface ChatConfig {
  endpoint: string;
  apiKey?: string;
  name?: string;
  logoUrl?: string;
  language?: string;
}
