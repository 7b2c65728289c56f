export interface Quota {
  limit: number | null;
  used: number;
  remaining: number | null;
  resetsAt: string;
  ratePerMinute: number;
}

export interface Citation {
  documentId: string;
  title: string;
  sourceUrl: string | null;
  score: number;
}

export type Rating = 'UP' | 'DOWN';

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

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: string;
}

/** What a page (served, packaged or the widget) tells the chat about where it runs. */
export interface ChatConfig {
  endpoint: string;
  apiKey?: string;
  name?: string;
  logoUrl?: string;
  language?: string;
}
