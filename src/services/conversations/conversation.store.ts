import { Conversation } from '../../entities/conversation.entity';
import { Message } from '../../entities/message.entity';
import type { Db } from '../data/db';
import type { UnansweredReason } from '../../entities/enums';
import { BadInput } from '../../errors';
import { isUuid, Page, paginate } from '../pagination';
import { Audience, WHOLE_TENANT } from '../audience';

/** One row of unansweredQuestions. */
export interface UnansweredQuestion {
  question: string;
  count: number;
  lastAskedAt: Date;
  reason: UnansweredReason;
  conversationId: string | null;
}

function decodeUnansweredCursor(cursor: string): { at: Date; key: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  const at = new Date(bar > 0 ? text.slice(0, bar) : '');
  if (Number.isNaN(at.getTime())) throw BadInput('after is not a valid cursor.', 'after');
  return { at, key: text.slice(bar + 1) };
}

/**
 * One tenant's conversations and messages: every statement carries `tenant_id = <this tenant>` itself, and, in a
 * publishable key's scope, `visitor_id = <its visitor>` on every read of conversations and messages (lists, one by id,
 * the export, the message a rating names), so another visitor's conversation is NOT_FOUND like another tenant's.
 * Without a visitor id the condition compares with NULL and matches nothing: such a key sees no history (and can't
 * reach a secret key's conversations, whose visitor_id is NULL). An ask's exchange is written by the statement that
 * settles its lease (QuotaStore.settleMany), not here.
 */
export class ConversationStore {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
    private readonly audience: Audience = WHOLE_TENANT,
  ) {}

  /** Whether the scope is one visitor's, and which (null: a publishable key without a visitor id). */
  private get visitorOnly(): boolean {
    return this.audience.visitorOnly;
  }

  private get visitorId(): string | null {
    return this.audience.visitorOnly ? this.audience.visitorId : null;
  }

  /**
   * The condition that keeps `column` (a conversation id) within the scope's conversations, for SQL whose tenant and
   * visitor are bound as :tenantId and :visitorId; true for a whole-tenant scope.
   */
  private conversationsOfScope(column: string): string {
    return this.visitorOnly
      ? `${column} IN (SELECT v.id FROM conversation v WHERE v.tenant_id = :tenantId AND v.visitor_id = :visitorId)`
      : 'true';
  }

  private conversationQuery() {
    return this.db.getRepository(Conversation).createQueryBuilder('c')
      .where('c.tenant_id = :tenantId', { tenantId: this.tenantId, visitorId: this.visitorId })
      .andWhere(this.conversationsOfScope('c.id'));
  }

  private messageQuery() {
    return this.db.getRepository(Message).createQueryBuilder('m')
      .where('m.tenant_id = :tenantId', { tenantId: this.tenantId, visitorId: this.visitorId })
      .andWhere(this.conversationsOfScope('m.conversation_id'));
  }

  async conversation(id: string): Promise<Conversation | null> {
    return isUuid(id) ? this.conversationQuery().andWhere('c.id = :id', { id }).getOne() : null;
  }

  conversations(first: number, after?: string | null): Promise<Page<Conversation>> {
    return paginate(this.conversationQuery(), { first, after, sortColumn: 'updated_at', sortProperty: 'updatedAt', descending: true });
  }

  messages(conversationId: string): Promise<Message[]> {
    if (!isUuid(conversationId)) return Promise.resolve([]);
    return this.messageQuery().andWhere('m.conversation_id = :conversationId', { conversationId })
      .orderBy('m.created_at', 'ASC').addOrderBy('m.id', 'ASC').getMany();
  }

  async message(id: string): Promise<Message | null> {
    return isUuid(id) ? this.messageQuery().andWhere('m.id = :id', { id }).getOne() : null;
  }

  /** Every conversation and (up to `maxMessages`) message, oldest first, for the export. */
  async threads(maxMessages: number): Promise<{ conversations: Conversation[]; messages: Message[] }> {
    const conversations = await this.conversationQuery().orderBy('c.created_at', 'ASC').getMany();
    const messages = await this.messageQuery().orderBy('m.created_at', 'ASC').addOrderBy('m.id', 'ASC').take(maxMessages).getMany();
    return { conversations, messages };
  }

  /**
   * Asks answered with grounded = false or rated DOWN, grouped by the question's normalised text (lower case, spaces
   * folded, trailing punctuation dropped), most recently asked first. Each answer's question is the user message
   * just before it in its conversation. Keyset pages on (lastAskedAt, normalised text).
   *
   * `settled` names the questions (by normalised text) a curated answer now answers, with when that answer was last
   * changed: their ungrounded asks, and the asks answered before that change, are answered and leave the list. An
   * ask rated down since (the curated answer itself, found unhelpful) stays.
   */
  async unansweredQuestions(
    range: { from: Date | null; to: Date | null },
    first: number,
    after?: string | null,
    settled: readonly { key: string; since: Date }[] = [],
  ): Promise<Page<UnansweredQuestion>> {
    const cursor = after ? decodeUnansweredCursor(after) : null;
    const rows: { key: string | null; question: string; n: number; last_asked_at: Date; reason: UnansweredReason; conversation_id: string; total: number }[] = await this.db.query(
      `${this.unansweredSql()}
       SELECT t.total, g.* FROM (SELECT count(*)::int AS total FROM grouped) t
       LEFT JOIN LATERAL (
         SELECT * FROM grouped g
         WHERE $8::timestamptz IS NULL OR (date_trunc('milliseconds', g.last_asked_at), g.key) < ($8::timestamptz, $9::text)
         ORDER BY date_trunc('milliseconds', g.last_asked_at) DESC, g.key DESC LIMIT $10
       ) g ON true`,
      [...this.unansweredParams(range, settled), cursor?.at ?? null, cursor?.key ?? null, first + 1],
    );
    const total = rows[0]?.total ?? 0;
    const found = rows.filter((r) => r.key !== null);
    const page = found.slice(0, first);
    const edges = page.map((r) => ({
      cursor: Buffer.from(`${new Date(r.last_asked_at).toISOString()}|${r.key}`).toString('base64url'),
      node: { question: r.question, count: r.n, lastAskedAt: new Date(r.last_asked_at), reason: r.reason, conversationId: r.conversation_id },
    }));
    return {
      edges,
      pageInfo: { hasNextPage: found.length > first, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: total,
    };
  }

  /** Every question unansweredQuestions would list over `range` (settling none), as last asked, with its normalised text. */
  async unansweredKeys(range: { from: Date | null; to: Date | null }): Promise<{ key: string; question: string }[]> {
    return this.db.query(`${this.unansweredSql()} SELECT key, question FROM grouped`, this.unansweredParams(range, []));
  }

  private unansweredParams(range: { from: Date | null; to: Date | null }, settled: readonly { key: string; since: Date }[]): unknown[] {
    return [this.tenantId, range.from, range.to, this.visitorOnly, this.visitorId, settled.map((s) => s.key), settled.map((s) => s.since)];
  }

  /** The CTEs both unanswered reads share, ending in `grouped` (one row per question); parameters as unansweredParams. */
  private unansweredSql(): string {
    return `WITH answers AS (
         SELECT a.conversation_id, a.created_at, a.grounded, coalesce(r.rating = 'DOWN', false) AS rated_down
         FROM message a LEFT JOIN answer_rating r ON r.message_id = a.id AND r.tenant_id = a.tenant_id
         WHERE a.tenant_id = $1 AND a.role = 'assistant' AND (a.grounded = false OR r.rating = 'DOWN')
           AND ($2::timestamptz IS NULL OR a.created_at >= $2) AND ($3::timestamptz IS NULL OR a.created_at < $3)
           AND (NOT $4::boolean OR a.conversation_id IN (SELECT v.id FROM conversation v WHERE v.tenant_id = $1 AND v.visitor_id = $5))
       ), asked AS (
         SELECT ans.*, q.content AS question,
                regexp_replace(lower(regexp_replace(btrim(q.content), '[[:space:]]+', ' ', 'g')), '[[:space:][:punct:]]+$', '') AS key
         FROM answers ans
         JOIN LATERAL (
           SELECT content FROM message q
           WHERE q.tenant_id = $1 AND q.conversation_id = ans.conversation_id AND q.role = 'user' AND q.created_at < ans.created_at
           ORDER BY q.created_at DESC LIMIT 1
         ) q ON true
       ), unsettled AS (
         SELECT * FROM asked
         WHERE NOT EXISTS (
           SELECT 1 FROM unnest($6::text[], $7::timestamptz[]) s(key, since)
           WHERE s.key = asked.key AND (asked.grounded IS FALSE OR asked.created_at <= s.since))
       ), grouped AS (
         SELECT key, count(*)::int AS n, max(created_at) AS last_asked_at,
                (array_agg(question ORDER BY created_at DESC))[1] AS question,
                (array_agg(conversation_id ORDER BY created_at DESC))[1] AS conversation_id,
                CASE WHEN bool_or(rated_down) THEN 'RATED_DOWN' ELSE 'UNGROUNDED' END AS reason
         FROM unsettled GROUP BY key
       )`;
  }
}
