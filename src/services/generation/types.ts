import type { Turn } from '../conversations/exchange';
import type { Passage } from '../retrieval/types';

export type { Turn } from '../conversations/exchange';

/**
 * The generation seam: the offline extractive answerer by default, Claude when ANTHROPIC_API_KEY is set.
 * A generator either returns a whole answer or throws `UpstreamUnavailable` (src/errors.ts); it never returns
 * half an answer, so the caller can release the quota reservation cleanly.
 */

export interface GenerationRequest {
  question: string;
  /** Passages that passed the grounding check, best first; empty when nothing supports the question. */
  passages: Passage[];
  /** Recent turns of the conversation, oldest first. */
  history: Turn[];
  /** 'fr' or 'en', detected from the question. */
  language: 'fr' | 'en';
  /** The tenant's own instructions to the assistant (tone, contacts), below the fixed rules; none when absent. */
  instructions?: string | null;
}

export interface GenerationResult {
  answer: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** Indexes into `passages` of the passages the answer draws on, in citation order. */
  cited: number[];
}

export interface Generator {
  readonly model: string;
  /** `onDelta` receives the answer text as it is produced (streaming subscriptions forward it). */
  generate(request: GenerationRequest, onDelta?: (text: string) => void): Promise<GenerationResult>;
  /** Throws when not configured or unreachable; used by /readyz. Must be cheap: no generation. */
  ping(): Promise<void>;
}
