import { Conversation } from '../../entities/conversation.entity';
import { Message } from '../../entities/message.entity';
import type { Db } from '../data/db';
import { isUuid, Page, paginate } from '../pagination';

/**
 * One tenant's conversations and messages: every statement carries `tenant_id = <this tenant>` itself. An ask's
 * exchange is written by the statement that settles its lease (QuotaStore.settle), not here.
 */
export class ConversationStore {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
  ) {}

  async conversation(id: string): Promise<Conversation | null> {
    return isUuid(id) ? this.db.getRepository(Conversation).findOneBy({ id, tenantId: this.tenantId }) : null;
  }

  conversations(first: number, after?: string | null): Promise<Page<Conversation>> {
    const qb = this.db.getRepository(Conversation).createQueryBuilder('c').where('c.tenant_id = :tenantId', { tenantId: this.tenantId });
    return paginate(qb, { first, after, sortColumn: 'updated_at', sortProperty: 'updatedAt', descending: true });
  }

  messages(conversationId: string): Promise<Message[]> {
    return this.db.getRepository(Message).find({
      where: { tenantId: this.tenantId, conversationId }, order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  async message(id: string): Promise<Message | null> {
    return isUuid(id) ? this.db.getRepository(Message).findOneBy({ id, tenantId: this.tenantId }) : null;
  }

  /** Every conversation and (up to `maxMessages`) message, oldest first, for the export. */
  async threads(maxMessages: number): Promise<{ conversations: Conversation[]; messages: Message[] }> {
    const conversations = await this.db.getRepository(Conversation).find({ where: { tenantId: this.tenantId }, order: { createdAt: 'ASC' } });
    const messages = await this.db.getRepository(Message).find({
      where: { tenantId: this.tenantId }, order: { createdAt: 'ASC', id: 'ASC' }, take: maxMessages,
    });
    return { conversations, messages };
  }
}
