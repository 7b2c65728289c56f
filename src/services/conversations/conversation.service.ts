import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock';
import type { Citation } from '../../entities/citation';
import type { Conversation } from '../../entities/conversation.entity';
import { ExportFormat } from '../../entities/enums';
import type { Message } from '../../entities/message.entity';
import { BadInput, NotFound } from '../../errors';
import { Page, requirePageSize } from '../pagination';
import type { TenantScope } from '../tenant-scope';
import type { ConversationOperatorStore } from './conversation.operator-store';
import type { CuratedAnswerService } from '../curated-answers/curated-answer.service';
import type { UnansweredQuestion } from './conversation.store';
import type { Exchange, Turn } from './exchange';
import { csvField } from '../../csv';

const MAX_EXPORT_MESSAGES = 100_000;
const DAY_MS = 86_400_000;

/** How many of a conversation's last messages an ask reads: what a follow-up and the generator need. */
export const HISTORY_TURNS = 6;

/** A tenant's conversations, always through the tenant's own scope. */
export class ConversationService {
  constructor(
    private readonly store: ConversationOperatorStore,
    private readonly curated: CuratedAnswerService,
    private readonly clock: Clock,
  ) {}

  async get(scope: TenantScope, id: string): Promise<Conversation> {
    const conversation = await scope.conversations.conversation(id);
    if (!conversation) throw NotFound('Conversation');
    return conversation;
  }

  list(scope: TenantScope, first: number, after?: string | null): Promise<Page<Conversation>> {
    return scope.conversations.conversations(first, after);
  }

  messages(scope: TenantScope, conversationId: string): Promise<Message[]> {
    return scope.conversations.messages(conversationId);
  }

  /**
   * The last HISTORY_TURNS messages of the conversation an ask continues, oldest first, for the generator and for
   * follow-up retrieval, as the statement taking the ask's lease read them (QuotaStore.reserveMany); NOT_FOUND when it
   * read none, since a conversation of this tenant always holds at least one exchange.
   */
  history(readAhead: Turn[] | null): Turn[] {
    if (!readAhead || readAhead.length === 0) throw NotFound('Conversation');
    return readAhead;
  }

  /**
   * A question and its answer as they will be stored, with their ids chosen now: in the conversation they continue,
   * or in a new one titled after the question. Written together, when the ask is settled (QuotaStore.settleMany), so a
   * failed ask leaves no half-written turn.
   */
  exchange(apiKeyId: string | null, conversationId: string | null, question: string, answer: string, citations: Citation[], grounded: boolean, curatedAnswerId: string | null = null): Exchange {
    return {
      grounded,
      conversationId: conversationId ?? randomUUID(),
      newConversation: conversationId === null,
      messageId: randomUUID(),
      apiKeyId,
      title: question.length > 120 ? `${question.slice(0, 117)}…` : question,
      question,
      answer,
      citations,
      curatedAnswerId,
    };
  }

  /**
   * unansweredQuestions: the tenant's badly answered questions, grouped, most recently asked first (see
   * ConversationStore), less those a curated answer of the tenant now answers: the ask path's matcher, with its rule,
   * picks them, so a question leaves the list exactly when asking it again would get the curated answer.
   */
  async unanswered(scope: TenantScope, range: { from: Date | null; to: Date | null }, first: number, after?: string | null): Promise<Page<UnansweredQuestion>> {
    requirePageSize(first);
    if (range.from && range.to && range.from.getTime() >= range.to.getTime()) throw BadInput('from must be before to.', 'from');
    return scope.conversations.unansweredQuestions(range, first, after, await this.settled(scope, range));
  }

  /** The listed questions a curated answer matches, each with when that answer was last changed; none without answers. */
  private async settled(scope: TenantScope, range: { from: Date | null; to: Date | null }): Promise<{ key: string; since: Date }[]> {
    const matcher = await this.curated.matcherOf(scope);
    if (!matcher) return [];
    return (await scope.conversations.unansweredKeys(range)).flatMap(({ key, question }) => {
      const answer = matcher.match(question);
      return answer ? [{ key, since: new Date(answer.updatedAt) }] : [];
    });
  }

  async export(scope: TenantScope, format: ExportFormat): Promise<string> {
    const { conversations, messages } = await scope.conversations.threads(MAX_EXPORT_MESSAGES);
    const byConversation = new Map<string, Message[]>();
    for (const m of messages) byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m]);
    const threads = conversations.map((c) => ({ conversation: c, messages: byConversation.get(c.id) ?? [] }));
    const cite = (m: Message) => m.citations.map((c) => ({ documentId: c.documentId, title: c.title, sourceUrl: c.sourceUrl }));

    if (format === ExportFormat.JSON) {
      return JSON.stringify(
        threads.map(({ conversation: c, messages: ms }) => ({
          id: c.id, title: c.title, createdAt: c.createdAt, updatedAt: c.updatedAt,
          messages: ms.map((m) => ({ id: m.id, role: m.role, content: m.content, citations: cite(m), createdAt: m.createdAt })),
        })),
        null,
        2,
      );
    }
    if (format === ExportFormat.MARKDOWN) {
      return threads
        .map(({ conversation: c, messages: ms }) =>
          [`# ${c.title}`, '', `_${c.createdAt.toISOString()}_`, '', ...ms.map((m) => {
            const sources = m.citations.length ? `\n\nSources: ${m.citations.map((s) => (s.sourceUrl ? `[${s.title}](${s.sourceUrl})` : s.title)).join(', ')}` : '';
            return `**${m.role === 'user' ? 'Question' : 'Answer'}** (${m.createdAt.toISOString()}):\n\n${m.content}${sources}\n`;
          })].join('\n'),
        )
        .join('\n---\n\n');
    }
    const header = 'conversation_id,conversation_title,message_id,role,created_at,content,citations';
    const rows = threads.flatMap(({ conversation: c, messages: ms }) =>
      ms.map((m) => [c.id, c.title, m.id, m.role, m.createdAt.toISOString(), m.content, m.citations.map((s) => s.title).join(' | ')].map(csvField).join(',')),
    );
    return [header, ...rows].join('\r\n') + '\r\n';
  }

  /** Deletes conversations untouched for longer than the retention period; messages cascade. */
  purge(retentionDays: number): Promise<number> {
    return this.store.purge(new Date(this.clock.now() - retentionDays * DAY_MS));
  }
}

