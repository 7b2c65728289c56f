import { DataSource, EntityManager } from 'typeorm';
import type { Citation } from '../entities/citation';
import { Conversation } from '../entities/conversation.entity';
import { ExportFormat } from '../entities/enums';
import { Message } from '../entities/message.entity';
import { NotFound } from '../errors';
import type { Turn } from './generation/types';
import { isUuid, Page, paginate } from './pagination';

const MAX_EXPORT_MESSAGES = 100_000;

/** A tenant's conversations. Every method takes the tenant id and puts it in the `where`. */
export class ConversationService {
  constructor(private readonly dataSource: DataSource) {}

  async get(tenantId: string, id: string): Promise<Conversation> {
    const conversation = isUuid(id) ? await this.dataSource.getRepository(Conversation).findOneBy({ id, tenantId }) : null;
    if (!conversation) throw NotFound('Conversation');
    return conversation;
  }

  async list(tenantId: string, first: number, after?: string | null): Promise<Page<Conversation>> {
    const qb = this.dataSource.getRepository(Conversation).createQueryBuilder('c').where('c.tenant_id = :tenantId', { tenantId });
    return paginate(qb, { first, after, sortColumn: 'updated_at', sortProperty: 'updatedAt', descending: true });
  }

  async messages(tenantId: string, conversationId: string): Promise<Message[]> {
    return this.dataSource.getRepository(Message).find({ where: { tenantId, conversationId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The last `turns` messages, oldest first, for the generator and for follow-up retrieval. */
  async recentTurns(tenantId: string, conversationId: string, turns: number): Promise<Turn[]> {
    const rows = await this.dataSource.getRepository(Message).find({
      where: { tenantId, conversationId }, order: { createdAt: 'DESC' }, take: turns,
    });
    return rows.reverse().map((m) => ({ role: m.role, content: m.content }));
  }

  /** Stores a question and its answer together: a failed ask leaves no half-written turn. */
  async appendExchange(
    tenantId: string,
    apiKeyId: string | null,
    conversationId: string | null,
    question: string,
    answer: string,
    citations: Citation[],
  ): Promise<{ conversationId: string; messageId: string }> {
    return this.dataSource.transaction(async (m: EntityManager) => {
      let id = conversationId;
      const now = new Date();
      if (id) {
        await m.query('UPDATE conversation SET updated_at = $3 WHERE id = $1 AND tenant_id = $2', [id, tenantId, now]);
      } else {
        const title = question.length > 120 ? `${question.slice(0, 117)}…` : question;
        const saved = await m.getRepository(Conversation).save(m.getRepository(Conversation).create({ tenantId, apiKeyId, title, createdAt: now, updatedAt: now }));
        id = saved.id;
      }
      const repo = m.getRepository(Message);
      await repo.save(repo.create({ tenantId, conversationId: id, role: 'user', content: question, citations: [], createdAt: now }));
      // One millisecond later, so the answer always sorts after its question.
      const reply = await repo.save(repo.create({ tenantId, conversationId: id, role: 'assistant', content: answer, citations, createdAt: new Date(now.getTime() + 1) }));
      return { conversationId: id!, messageId: reply.id };
    });
  }

  async export(tenantId: string, format: ExportFormat): Promise<string> {
    const conversations = await this.dataSource.getRepository(Conversation).find({ where: { tenantId }, order: { createdAt: 'ASC' } });
    const messages = await this.dataSource.getRepository(Message).find({ where: { tenantId }, order: { createdAt: 'ASC', id: 'ASC' }, take: MAX_EXPORT_MESSAGES });
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
      ms.map((m) => [c.id, c.title, m.id, m.role, m.createdAt.toISOString(), m.content, m.citations.map((s) => s.title).join(' | ')].map(csv).join(',')),
    );
    return [header, ...rows].join('\r\n') + '\r\n';
  }

  /** Deletes conversations untouched for longer than the retention period; messages cascade. */
  async purge(retentionDays: number): Promise<number> {
    const result = await this.dataSource.query(
      'DELETE FROM conversation WHERE updated_at < now() - make_interval(days => $1)',
      [retentionDays],
    );
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }
}

// RFC 4180 quoting; a leading = + - @ is prefixed with ' so a spreadsheet doesn't run it as a formula.
function csv(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
