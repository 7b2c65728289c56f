import type { ClientCaller } from '../caller';
import type { Config } from '../config';
import type { Citation } from '../entities/citation';
import { AppError, BadInput, ClientClosed, UpstreamUnavailable } from '../errors';
import type { ConversationService } from './conversations/conversation.service';
import type { Turn } from './conversations/exchange';
import type { LeaseIo } from './metering/metering.service';
import { detectLanguage } from './generation/language';
import type { Generator, GenerationResult } from './generation/types';
import { GroundingPolicy } from './retrieval/grounding-policy';
import { retrievalQuery } from './retrieval/retrieval-query';
import type { Passage, RetrievalIndex } from './retrieval/types';
import { requirePageSize } from './pagination';
import type { TenantScope } from './tenant-scope';

/** An answer as the chat service produces it; metering adds the quota figures. */
export interface AskAnswer {
  answer: string;
  conversationId: string;
  messageId: string;
  citations: Citation[];
  grounded: boolean;
  model: string;
  usage: { inputTokens: number; outputTokens: number };
}

/**
 * How an answer reaches the client while it is produced. `ask` over HTTP has none (the answer arrives whole);
 * `askStream` passes one that forwards each delta, and throws ClientClosed once the client has gone.
 */
export interface Delivery {
  delta(text: string): void;
}

const MAX_QUESTION = 4_000;
const CANDIDATES = 8;

/**
 * One ask: validate, retrieve from the caller's tenant only, judge the evidence, generate, and leave the exchange
 * in the LeaseIo, which @metered writes with the ask's charge in one statement. The exchange exists only once
 * generation succeeded, so a failed ask leaves nothing behind. It knows nothing of quotas or rates: @metered wraps
 * it. A streamed answer cut short by its client keeps what was delivered.
 */
export class ChatService {
  private readonly grounding = new GroundingPolicy();

  constructor(
    private readonly index: RetrievalIndex,
    private readonly generator: Generator,
    private readonly conversations: ConversationService,
    private readonly config: Pick<Config, 'retrievalTimeoutMs'>,
  ) {}

  /** A question (or a retrievalTest query): 1 to 4000 characters after trimming. */
  validateQuestion(raw: string, field = 'question'): string {
    const question = (raw ?? '').trim();
    if (question.length === 0 || question.length > MAX_QUESTION) {
      throw BadInput(`${field} must be 1 to ${MAX_QUESTION} characters after trimming.`, field);
    }
    return question;
  }

  async ask(caller: ClientCaller, input: { question: string; conversationId?: string | null }, io: LeaseIo, delivery?: Delivery): Promise<AskAnswer> {
    const question = this.validateQuestion(input.question);
    const conversationId = input.conversationId ?? null;
    const history = conversationId ? this.conversations.history(io.history) : [];

    // A follow-up ("and on a Mac?") is searched, and judged, together with the question it continues.
    const query = retrievalQuery(question, history);
    const decision = this.grounding.select(query, await this.retrieve(() => this.index.forTenant(caller.tenant.id).search(query, CANDIDATES)));

    const store = (answer: string, citations: Citation[]) =>
      (io.exchange = this.conversations.exchange(caller.keyId, conversationId, question, answer, citations, decision.grounded));
    let delivered = '';
    const onDelta = delivery && ((text: string) => {
      delivery.delta(text);
      delivered += text;
    });
    let generation: GenerationResult;
    try {
      generation = await this.generate(question, decision.passages, history, onDelta);
    } catch (error) {
      // The client saw part of an answer: the conversation keeps that part, marked as cut short.
      if (error instanceof ClientClosed && delivered) store(`${delivered} …`, []);
      throw error;
    }
    const citations = cite(decision.passages, generation.cited);
    const stored = store(generation.answer, citations);
    return {
      answer: generation.answer,
      conversationId: stored.conversationId,
      messageId: stored.messageId,
      citations,
      grounded: decision.grounded,
      model: generation.model,
      usage: { inputTokens: generation.inputTokens, outputTokens: generation.outputTokens },
    };
  }

  /** What ask would retrieve for a query: one hit per document, best first (the admin's retrievalTest). */
  async retrievalTest(scope: TenantScope, query: string, first: number): Promise<{ documentId: string; title: string; score: number }[]> {
    const text = this.validateQuestion(query, 'query');
    requirePageSize(first);
    // Several chunks of one document may rank high: ask for more chunks than documents, then keep each one's best.
    const passages = await this.retrieve(() => this.index.forTenant(scope.tenantId).search(text, first * 4));
    const seen = new Set<string>();
    const hits = [];
    for (const p of passages) {
      if (seen.has(p.documentId)) continue;
      seen.add(p.documentId);
      hits.push({ documentId: p.documentId, title: p.title, score: p.score });
      if (hits.length === first) break;
    }
    return hits;
  }

  private async retrieve(search: () => Promise<Passage[]>): Promise<Passage[]> {
    try {
      return await withTimeout(search(), this.config.retrievalTimeoutMs);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw UpstreamUnavailable('document retriever');
    }
  }

  private async generate(question: string, passages: Passage[], history: Turn[], onDelta?: (t: string) => void): Promise<GenerationResult> {
    try {
      return await this.generator.generate({ question, passages, history, language: detectLanguage(question) }, onDelta);
    } catch (error) {
      if (error instanceof AppError || error instanceof ClientClosed) throw error;
      throw UpstreamUnavailable('answer generator');
    }
  }
}

/** The documents behind the cited passages (or all supporting ones when the generator cited none), once each. */
function cite(passages: Passage[], cited: number[]): Citation[] {
  const chosen = cited.length > 0 ? cited.map((i) => passages[i]).filter(Boolean) : passages;
  const byDocument = new Map<string, Citation>();
  for (const p of chosen) {
    if (!byDocument.has(p.documentId)) {
      byDocument.set(p.documentId, { documentId: p.documentId, title: p.title, sourceUrl: p.sourceUrl, score: p.score });
    }
  }
  return [...byDocument.values()];
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms))),
  ]);
}
