import { EntityManager, In } from 'typeorm';
import { AnswerRating } from '../../entities/answer-rating.entity';
import type { KeyKind, Rating, UnansweredReason } from '../../entities/enums';
import { BadInput } from '../../errors';
import { ApiKey } from '../../entities/api-key.entity';
import type { Citation } from '../../entities/citation';
import { Conversation } from '../../entities/conversation.entity';
import { Document } from '../../entities/document.entity';
import { Message } from '../../entities/message.entity';
import { Tenant } from '../../entities/tenant.entity';
import { NotFound } from '../../errors';
import type { Turn } from '../generation/types';
import { containsPattern, isUuid, Page, paginate } from '../pagination';
import { Prepared, runStatement } from './prepared';
import { RECORD_USAGE_SQL, recordUsageSql, UsageBucketRow, usageBuckets, usageBucketsSql, UsageEntry, usageParams, usageValues } from './usage-sql';

export type { UsageBucketRow, UsageTotals } from './usage-sql';

/**
 * A question and its answer as an ask stores them, written by the statement that settles the ask's lease. The ids
 * are chosen beforehand, so the answer can name them before that statement runs.
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
}

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

/** An open quota reservation: the counter was bumped and a lease row records who holds it until when. */
export interface Lease {
  id: string;
  tenantId: string;
  month: string;
  used: number;
  limit: number | null;
  /** The visitor's day counter this lease also took an ask of, when the tenant caps visitors. */
  visitor: VisitorCount | null;
}

/**
 * One visitor's asks of one UTC day, counted when the tenant sets `visitorAsksPerDay` and the key is publishable.
 * Asks of a publishable key sent without a visitor id share one count (visitor ''), so leaving the header out
 * does not lift the cap.
 */
export interface VisitorCount {
  day: string;
  visitorId: string;
  cap: number;
}

/** The conversation an operation continues: the statement taking its lease reads its last `turns` messages. */
export interface ReadAhead {
  conversationId: string;
  turns: number;
}

/** A lease taken, with what was read ahead (null when nothing was asked; empty when the conversation is not found). */
export interface Reservation {
  lease: Lease;
  history: Turn[] | null;
}

/** Why no lease was taken: the tenant's month is used up, or the visitor's day. */
export type Refused = { refused: 'MONTH' | 'VISITOR' };

/**
 * Whose conversations a scope reaches: every conversation of the tenant (the operator, a secret key), or those begun
 * by one visitor (a publishable key: `visitorId` from X-AskDesk-Visitor; none at all without one).
 */
export type Audience = { readonly visitorOnly: false } | { readonly visitorOnly: true; readonly visitorId: string | null };

export const WHOLE_TENANT: Audience = { visitorOnly: false };

/**
 * One tenant's rows, and the only way to reach them: every statement here carries `tenant_id = <this tenant>`
 * itself, so code holding a TenantData cannot read or write another tenant's data by forgetting a clause.
 * Client paths only ever get a TenantData for the caller's own tenant (see `@TenantScope()`); the operator's
 * cross-tenant work goes through OperatorData instead. The retrieval index is scoped the same way, by
 * `RetrievalIndex.forTenant`.
 *
 * A publishable key's scope carries its visitor the same way: every read of conversations and messages (lists,
 * one by id, the export, the turns an ask continues, the message a rating names) adds `visitor_id = <visitor>`
 * itself, so another visitor's conversation is NOT_FOUND like another tenant's. Without a visitor id the condition
 * compares with NULL and matches nothing: such a key sees no history (and can't reach a secret key's conversations,
 * whose visitor_id is NULL).
 */
export class TenantData {
  constructor(
    private readonly db: EntityManager,
    readonly tenantId: string,
    private readonly prepared: Prepared | null = null,
    readonly audience: Audience = WHOLE_TENANT,
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

  private run<T = Record<string, unknown>>(name: string, text: string, params: unknown[]): Promise<T[]> {
    return runStatement<T>(this.db, this.prepared, name, text, params);
  }

  /** The same scope inside a transaction (whose statements all go through its connection, unprepared). */
  within(manager: EntityManager): TenantData {
    return new TenantData(manager, this.tenantId, null, this.audience);
  }

  tenant(): Promise<Tenant | null> {
    return this.db.getRepository(Tenant).findOneBy({ id: this.tenantId });
  }

  /** Locks the tenant row until the transaction ends: serialises checks such as the one-active-key rule. */
  async lockTenant(): Promise<void> {
    await this.db.query('SELECT id FROM tenant WHERE id = $1 FOR UPDATE', [this.tenantId]);
  }

  // ---- conversations and messages

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

  // ---- unanswered questions

  /**
   * Asks answered with grounded = false or rated DOWN, grouped by the question's normalised text (lower case, spaces
   * folded, trailing punctuation dropped), most recently asked first. Each answer's question is the user message
   * just before it in its conversation. Keyset pages on (lastAskedAt, normalised text).
   */
  async unansweredQuestions(range: { from: Date | null; to: Date | null }, first: number, after?: string | null): Promise<Page<UnansweredQuestion>> {
    const cursor = after ? decodeUnansweredCursor(after) : null;
    const rows: { key: string | null; question: string; n: number; last_asked_at: Date; reason: UnansweredReason; conversation_id: string; total: number }[] = await this.db.query(
      `WITH answers AS (
         SELECT a.conversation_id, a.created_at, coalesce(r.rating = 'DOWN', false) AS rated_down
         FROM message a LEFT JOIN answer_rating r ON r.message_id = a.id AND r.tenant_id = a.tenant_id
         WHERE a.tenant_id = $1 AND a.role = 'assistant' AND (a.grounded = false OR r.rating = 'DOWN')
           AND ($2::timestamptz IS NULL OR a.created_at >= $2) AND ($3::timestamptz IS NULL OR a.created_at < $3)
       ), asked AS (
         SELECT ans.*, q.content AS question,
                regexp_replace(lower(regexp_replace(btrim(q.content), '[[:space:]]+', ' ', 'g')), '[[:space:][:punct:]]+$', '') AS key
         FROM answers ans
         JOIN LATERAL (
           SELECT content FROM message q
           WHERE q.tenant_id = $1 AND q.conversation_id = ans.conversation_id AND q.role = 'user' AND q.created_at < ans.created_at
           ORDER BY q.created_at DESC LIMIT 1
         ) q ON true
       ), grouped AS (
         SELECT key, count(*)::int AS n, max(created_at) AS last_asked_at,
                (array_agg(question ORDER BY created_at DESC))[1] AS question,
                (array_agg(conversation_id ORDER BY created_at DESC))[1] AS conversation_id,
                CASE WHEN bool_or(rated_down) THEN 'RATED_DOWN' ELSE 'UNGROUNDED' END AS reason
         FROM asked GROUP BY key
       )
       SELECT t.total, g.* FROM (SELECT count(*)::int AS total FROM grouped) t
       LEFT JOIN LATERAL (
         SELECT * FROM grouped g
         WHERE $4::timestamptz IS NULL OR (date_trunc('milliseconds', g.last_asked_at), g.key) < ($4::timestamptz, $5::text)
         ORDER BY date_trunc('milliseconds', g.last_asked_at) DESC, g.key DESC LIMIT $6
       ) g ON true`,
      [this.tenantId, range.from, range.to, cursor?.at ?? null, cursor?.key ?? null, first + 1],
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

  // ---- documents

  async document(id: string): Promise<Document | null> {
    return isUuid(id) ? this.db.getRepository(Document).findOneBy({ id, tenantId: this.tenantId }) : null;
  }

  /** The tenant's documents, oldest first, optionally those whose title contains `search`. */
  documents(first: number, after?: string | null, search?: string | null): Promise<Page<Document>> {
    const qb = this.db.getRepository(Document).createQueryBuilder('d').where('d.tenant_id = :tenantId', { tenantId: this.tenantId });
    const text = search?.trim();
    if (text) qb.andWhere('d.title ILIKE :pattern', { pattern: containsPattern(text) });
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt' });
  }

  /**
   * Inserts a group of document rows in one statement, skipping content the tenant already has; returns the rows
   * inserted. ON CONFLICT makes the duplicate check and the insert one step, so two concurrent batches can't both add one.
   */
  async insertDocuments(docs: { title: string; sourceUrl: string | null; mimeType: string; hash: string; chunkCount: number }[]): Promise<{ id: string; createdAt: Date; hash: string }[]> {
    const rows: { id: string; created_at: Date; content_hash: string }[] = await this.db.query(
      // One millisecond apart, in the order given, so lists (which sort by creation time) show a batch as it was sent.
      `INSERT INTO document (tenant_id, title, source_url, mime_type, content_hash, chunk_count, created_at)
       SELECT $1, u.title, u.source_url, u.mime_type, u.content_hash, u.chunk_count, now() + (u.n - 1) * interval '1 millisecond'
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[]) WITH ORDINALITY
         AS u(title, source_url, mime_type, content_hash, chunk_count, n)
       ON CONFLICT (tenant_id, content_hash) DO NOTHING RETURNING id, created_at, content_hash`,
      [this.tenantId, docs.map((d) => d.title), docs.map((d) => d.sourceUrl), docs.map((d) => d.mimeType), docs.map((d) => d.hash), docs.map((d) => d.chunkCount)],
    );
    return rows.map((r) => ({ id: r.id, createdAt: new Date(r.created_at), hash: r.content_hash }));
  }

  async deleteDocument(id: string): Promise<void> {
    await this.deleteDocuments([id]);
  }

  async deleteDocuments(ids: string[]): Promise<void> {
    await this.db.query('DELETE FROM document WHERE id = ANY($1::uuid[]) AND tenant_id = $2', [ids, this.tenantId]);
  }

  async documentsAddedBetween(start: Date, end: Date): Promise<number> {
    const [{ n }] = await this.db.query(
      'SELECT count(*)::int AS n FROM document WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3',
      [this.tenantId, start, end],
    );
    return n;
  }

  // ---- keys

  async key(id: string, options: { lock?: boolean } = {}): Promise<ApiKey | null> {
    if (!isUuid(id)) return null;
    return this.db.getRepository(ApiKey).findOne({
      where: { id, tenantId: this.tenantId }, ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
  }

  /** The tenant's keys of one kind that are usable at `now`. */
  async activeKeyCount(now: Date, kind: KeyKind): Promise<number> {
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM api_key
       WHERE tenant_id = $1 AND kind = $3 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
      [this.tenantId, now, kind],
    );
    return n;
  }

  /**
   * Keys that were usable at some point in [start, end). A key replaced by rotation shares its slot with its
   * successor, so a grace period is not billed as an extra key.
   */
  async billableKeyCount(start: Date, end: Date, kind: KeyKind): Promise<number> {
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM api_key
       WHERE tenant_id = $1 AND kind = $4 AND replaced_by IS NULL AND created_at < $3
         AND (revoked_at IS NULL OR revoked_at >= $2) AND (expires_at IS NULL OR expires_at >= $2)`,
      [this.tenantId, start, end, kind],
    );
    return n;
  }

  // ---- quota

  async quotaUsed(month: string): Promise<number> {
    const rows: { used: number }[] = await this.db.query(
      'SELECT used FROM quota_counter WHERE tenant_id = $1 AND month = $2',
      [this.tenantId, month],
    );
    return rows[0]?.used ?? 0;
  }

  /**
   * Takes one request of the month's quota as a lease, or returns null when it is used up. ONE statement: the
   * conditional upsert on the (tenant, month) row queues concurrent reservations on its row lock, and each re-checks
   * `used < limit` against the latest committed count, so successes can never exceed the quota, across processes.
   * Unlimited plans still count, so usage and `quota.used` stay truthful; the WHERE is what enforces a limit.
   *
   * It commits without waiting for the WAL flush (synchronous_commit off for this statement alone). The counter row
   * is every ask's of the tenant, and a waiting flush would hold its lock a disk sync long, serialising the tenant's
   * asks on the disk. Nothing is risked: the ask's settle commits synchronously later, and flushing the WAL up to
   * its commit flushes this reservation too; if PostgreSQL crashes in between, the reservation may be lost, but the
   * ask then fails and was neither answered nor charged.
   *
   * When the operation continues a conversation, the same statement reads its last `turns` messages (oldest first),
   * so a follow-up costs no round trip more than a new question; none when the conversation is not this tenant's.
   * Every conversation holds at least one exchange (both are written together), so no messages means no
   * conversation: the one read checks both.
   */
  async reserve(
    month: string,
    limit: number | null,
    lease: { apiKeyId: string | null; operation: string; ip: string | null; startedAt: Date; expiresAt: Date },
    readAhead: ReadAhead | null,
    visitor: VisitorCount | null,
  ): Promise<Reservation | Refused> {
    const conversationId = readAhead && isUuid(readAhead.conversationId) ? readAhead.conversationId : null;
    // The visitor's day is counted first, by the same conditional upsert as the month, and the month only when the
    // visitor's count went up; both row locks are always taken in this order (settle too), so they never deadlock.
    const rows = await this.run<{ visitor_ok: boolean; visitor_counted: boolean; used: number | null; lease_id: string | null; turns: Turn[] }>(
      'quota-reserve',
      `WITH visitor AS (
         INSERT INTO visitor_ask_counter (tenant_id, day, visitor_id, used)
           SELECT $1, $12::date, $13, 1 WHERE $14::int >= 1
         ON CONFLICT (tenant_id, day, visitor_id) DO UPDATE SET used = visitor_ask_counter.used + 1
           WHERE visitor_ask_counter.used < $14::int
         RETURNING used
       ), visitor_ok AS (
         SELECT $14::int IS NULL OR EXISTS (SELECT 1 FROM visitor) AS ok, EXISTS (SELECT 1 FROM visitor) AS counted
       ), counter AS (
         INSERT INTO quota_counter (tenant_id, month, used)
           SELECT $1, $2, 1 FROM visitor_ok WHERE visitor_ok.ok AND ($3::int IS NULL OR $3::int >= 1)
         ON CONFLICT (tenant_id, month) DO UPDATE SET used = quota_counter.used + 1
           WHERE $3::int IS NULL OR quota_counter.used < $3::int
         RETURNING used
       ), lease AS (
         INSERT INTO quota_lease (tenant_id, month, api_key_id, operation, ip, started_at, expires_at, visitor_id, visitor_day)
         SELECT $1, $2, $4, $5, $6, $7, $8, $13, $12::date FROM counter RETURNING id
       ), no_flush AS (
         SELECT set_config('synchronous_commit', 'off', true)
       ), recent AS (
         SELECT role, content, created_at FROM message
         WHERE tenant_id = $1 AND conversation_id = $9::uuid
           AND (NOT $11::boolean OR conversation_id IN (SELECT v.id FROM conversation v WHERE v.tenant_id = $1 AND v.visitor_id = $15))
         ORDER BY created_at DESC LIMIT $10
       ), history AS (
         SELECT coalesce(json_agg(json_build_object('role', role, 'content', content) ORDER BY created_at), '[]'::json) AS turns
         FROM recent
       )
       SELECT visitor_ok.ok AS visitor_ok, visitor_ok.counted AS visitor_counted, counter.used, lease.id AS lease_id, history.turns
       FROM no_flush, visitor_ok LEFT JOIN (counter CROSS JOIN lease) ON true, history`,
      [
        this.tenantId, month, limit, lease.apiKeyId, lease.operation, lease.ip, lease.startedAt, lease.expiresAt, conversationId, readAhead?.turns ?? 0,
        this.visitorOnly, visitor?.day ?? null, visitor?.visitorId ?? null, visitor?.cap ?? null, this.visitorId,
      ],
    );
    const row = rows[0];
    if (!row.visitor_ok) return { refused: 'VISITOR' };
    if (!row.lease_id) {
      // The month is used up, but the visitor's day was counted on the way: give that ask back (a refused ask uses
      // nothing). Only capped tenants' refusals at the end of their month pay this statement.
      if (row.visitor_counted && visitor) await this.uncountVisitor(visitor);
      return { refused: 'MONTH' };
    }
    return {
      lease: { id: row.lease_id, tenantId: this.tenantId, month, used: row.used!, limit, visitor },
      history: readAhead ? row.turns : null,
    };
  }

  private async uncountVisitor(visitor: VisitorCount): Promise<void> {
    await this.db.query(
      'UPDATE visitor_ask_counter SET used = used - 1 WHERE tenant_id = $1 AND day = $2::date AND visitor_id = $3 AND used > 0',
      [this.tenantId, visitor.day, visitor.visitorId],
    );
  }

  /**
   * Ends a lease in one statement: records its usage and stores the ask's exchange, if any, so an answer and its
   * charge commit together (one round trip, one commit). Kept (the answer was sent): the request stays counted.
   * Given back (refused or failed): the counter goes down by one. If the lease is already gone — another process
   * reclaimed it as expired, given back and recorded as ERROR — a kept answer is counted again, since the client
   * got it, and a given-back one changes nothing more. If the exchange's conversation vanished (purged since the
   * ask read it), nothing is stored and the lease is given back as a failed NOT_FOUND.
   */
  async settle(lease: Lease, keep: boolean, usage: UsageEntry, at: Date, exchange: Exchange | null): Promise<void> {
    const e = exchange;
    const v = lease.visitor;
    const first = usageParams(usage, at).length + 14;
    const rows = await this.run<{ stored: boolean }>(
      'quota-settle',
      // The visitor's day moves with the month (given back, or counted again when the lease was reclaimed), and
      // before it: counted reads visitor_back, so its row lock is taken first, in the order reserve takes them.
      `WITH existing AS (
         UPDATE conversation SET updated_at = $5 WHERE id = $6 AND tenant_id = $2 AND NOT $7
           AND (NOT $${first + 2}::boolean OR visitor_id = $${first + 3}) RETURNING id
       ), created AS (
         INSERT INTO conversation (id, tenant_id, api_key_id, title, created_at, updated_at, visitor_id)
         SELECT $6, $2, $8, $9, $5, $5, $${first + 3} WHERE $7 RETURNING id
       ), conv AS (
         SELECT id FROM existing UNION ALL SELECT id FROM created
       ), question AS (
         INSERT INTO message (tenant_id, conversation_id, role, content, citations, created_at)
         SELECT $2, conv.id, 'user', $10, '[]'::jsonb, $5 FROM conv
       ), answer AS (
         -- One millisecond later, so the answer always sorts after its question.
         INSERT INTO message (id, tenant_id, conversation_id, role, content, citations, created_at, grounded)
         SELECT $13, $2, conv.id, 'assistant', $11, $12::jsonb, $5::timestamptz + interval '1 millisecond', $${first + 4}::boolean FROM conv
       ), stored AS (
         SELECT $6::uuid IS NULL OR EXISTS (SELECT 1 FROM conv) AS ok
       ), gone AS (
         DELETE FROM quota_lease WHERE id = $1 AND tenant_id = $2 RETURNING id
       ), visitor_back AS (
         UPDATE visitor_ask_counter SET used = used + (CASE WHEN $4 AND stored.ok THEN 1 ELSE -1 END)
         FROM stored
         WHERE tenant_id = $2 AND day = $${first}::date AND visitor_id = $${first + 1}
           AND ((NOT ($4 AND stored.ok) AND EXISTS (SELECT 1 FROM gone) AND used > 0)
             OR ($4 AND stored.ok AND NOT EXISTS (SELECT 1 FROM gone)))
         RETURNING 1
       ), counted AS (
         UPDATE quota_counter SET used = used + (CASE WHEN $4 AND stored.ok THEN 1 ELSE -1 END)
         FROM stored
         WHERE tenant_id = $2 AND month = $3 AND (SELECT count(*) FROM visitor_back) >= 0
           AND ((NOT ($4 AND stored.ok) AND EXISTS (SELECT 1 FROM gone) AND used > 0)
             OR ($4 AND stored.ok AND NOT EXISTS (SELECT 1 FROM gone)))
       ), ${recordUsageSql(`SELECT u.tenant_id, u.api_key_id, u.operation,
             CASE WHEN stored.ok THEN u.outcome ELSE 'FAILED' END AS outcome,
             CASE WHEN stored.ok THEN u.code ELSE 'NOT_FOUND' END AS code,
             u.latency_ms, u.input_tokens, u.output_tokens, u.ip, u.at
           FROM (${usageValues(14)}) u, stored`)}
       SELECT ok AS stored FROM stored`,
      [
        lease.id, this.tenantId, lease.month, keep, at,
        e?.conversationId ?? null, e?.newConversation ?? false, e?.apiKeyId ?? null, e?.title ?? null, e?.question ?? null,
        e?.answer ?? null, JSON.stringify(e?.citations ?? []), e?.messageId ?? null,
        ...usageParams(usage, at),
        v?.day ?? null, v?.visitorId ?? null, this.visitorOnly, this.visitorId, e?.grounded ?? null,
      ],
    );
    if (keep && !rows[0]?.stored) throw NotFound('Conversation');
  }

  // ---- usage

  /** Records one call of this tenant (refused before any lease was taken). */
  async recordUsage(usage: Omit<UsageEntry, 'tenantId'>, at: Date): Promise<void> {
    await this.run('usage-record', RECORD_USAGE_SQL, usageParams({ ...usage, tenantId: this.tenantId }, at));
  }

  /** This tenant's usage buckets over [from, to) (see usageBucketsSql). */
  async usageBuckets(from: Date, to: Date, unit: 'day' | 'month'): Promise<UsageBucketRow[]> {
    return usageBuckets(await this.db.query(usageBucketsSql(unit), [this.tenantId, from, to]));
  }

  // ---- answer ratings

  /** One statement, so two ratings racing on the same answer leave exactly one row. */
  async rate(messageId: string, rating: Rating, comment: string | null): Promise<AnswerRating> {
    const [row] = await this.db.query(
      `INSERT INTO answer_rating (tenant_id, message_id, rating, comment) VALUES ($1, $2, $3, $4)
       ON CONFLICT (message_id) DO UPDATE SET rating = EXCLUDED.rating, comment = EXCLUDED.comment, created_at = now()
       RETURNING id`,
      [this.tenantId, messageId, rating, comment],
    );
    return this.db.getRepository(AnswerRating).findOneByOrFail({ id: row.id, tenantId: this.tenantId });
  }

  async ratingsOf(messageIds: readonly string[]): Promise<Map<string, Rating>> {
    const rows = await this.db.getRepository(AnswerRating).findBy({ tenantId: this.tenantId, messageId: In([...messageIds]) });
    return new Map(rows.map((r) => [r.messageId, r.rating]));
  }

  // ---- quota alerts

  /** Records that the tenant crossed `threshold` % this month; false when it was already recorded. */
  async recordAlert(month: string, threshold: number): Promise<boolean> {
    const inserted: unknown[] = await this.db.query(
      `INSERT INTO quota_alert (tenant_id, month, threshold) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING threshold`,
      [this.tenantId, month, threshold],
    );
    return inserted.length > 0;
  }

  async alerts(): Promise<{ month: string; threshold: number; createdAt: Date }[]> {
    const rows: { month: string; threshold: number; created_at: Date }[] = await this.db.query(
      'SELECT month, threshold, created_at FROM quota_alert WHERE tenant_id = $1 ORDER BY created_at',
      [this.tenantId],
    );
    return rows.map((r) => ({ month: r.month, threshold: r.threshold, createdAt: r.created_at }));
  }
}
