import { EntityManager, In } from 'typeorm';
import { AnswerRating } from '../../entities/answer-rating.entity';
import type { Rating } from '../../entities/enums';
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
  title: string;
  question: string;
  answer: string;
  citations: Citation[];
  /** The curated answer this answer is, whose hits the settle counts; null for a generated answer. */
  curatedAnswerId: string | null;
}

/** An open quota reservation: the counter was bumped and a lease row records who holds it until when. */
export interface Lease {
  id: string;
  tenantId: string;
  month: string;
  used: number;
  limit: number | null;
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

/**
 * One tenant's rows, and the only way to reach them: every statement here carries `tenant_id = <this tenant>`
 * itself, so code holding a TenantData cannot read or write another tenant's data by forgetting a clause.
 * Client paths only ever get a TenantData for the caller's own tenant (see `@TenantScope()`); the operator's
 * cross-tenant work goes through OperatorData instead. The retrieval index is scoped the same way, by
 * `RetrievalIndex.forTenant`.
 */
export class TenantData {
  constructor(
    private readonly db: EntityManager,
    readonly tenantId: string,
    private readonly prepared: Prepared | null = null,
  ) {}

  private run<T = Record<string, unknown>>(name: string, text: string, params: unknown[]): Promise<T[]> {
    return runStatement<T>(this.db, this.prepared, name, text, params);
  }

  /** The same scope inside a transaction (whose statements all go through its connection, unprepared). */
  within(manager: EntityManager): TenantData {
    return new TenantData(manager, this.tenantId);
  }

  tenant(): Promise<Tenant | null> {
    return this.db.getRepository(Tenant).findOneBy({ id: this.tenantId });
  }

  /** Locks the tenant row until the transaction ends: serialises checks such as the one-active-key rule. */
  async lockTenant(): Promise<void> {
    await this.db.query('SELECT id FROM tenant WHERE id = $1 FOR UPDATE', [this.tenantId]);
  }

  // ---- conversations and messages

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

  async activeKeyCount(now: Date): Promise<number> {
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM api_key
       WHERE tenant_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
      [this.tenantId, now],
    );
    return n;
  }

  /**
   * Keys that were usable at some point in [start, end). A key replaced by rotation shares its slot with its
   * successor, so a grace period is not billed as an extra key.
   */
  async billableKeyCount(start: Date, end: Date): Promise<number> {
    const [{ n }] = await this.db.query(
      `SELECT count(*)::int AS n FROM api_key
       WHERE tenant_id = $1 AND replaced_by IS NULL AND created_at < $3
         AND (revoked_at IS NULL OR revoked_at >= $2) AND (expires_at IS NULL OR expires_at >= $2)`,
      [this.tenantId, start, end],
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
  ): Promise<Reservation | null> {
    const conversationId = readAhead && isUuid(readAhead.conversationId) ? readAhead.conversationId : null;
    const rows = await this.run<{ used: number; lease_id: string; turns: Turn[] }>(
      'quota-reserve',
      `WITH counter AS (
         INSERT INTO quota_counter (tenant_id, month, used)
           SELECT $1, $2, 1 WHERE $3::int IS NULL OR $3::int >= 1
         ON CONFLICT (tenant_id, month) DO UPDATE SET used = quota_counter.used + 1
           WHERE $3::int IS NULL OR quota_counter.used < $3::int
         RETURNING used
       ), lease AS (
         INSERT INTO quota_lease (tenant_id, month, api_key_id, operation, ip, started_at, expires_at)
         SELECT $1, $2, $4, $5, $6, $7, $8 FROM counter RETURNING id
       ), no_flush AS (
         SELECT set_config('synchronous_commit', 'off', true)
       ), recent AS (
         SELECT role, content, created_at FROM message
         WHERE tenant_id = $1 AND conversation_id = $9::uuid ORDER BY created_at DESC LIMIT $10
       ), history AS (
         SELECT coalesce(json_agg(json_build_object('role', role, 'content', content) ORDER BY created_at), '[]'::json) AS turns
         FROM recent
       )
       SELECT counter.used, lease.id AS lease_id, history.turns FROM no_flush, counter, lease, history`,
      [this.tenantId, month, limit, lease.apiKeyId, lease.operation, lease.ip, lease.startedAt, lease.expiresAt, conversationId, readAhead?.turns ?? 0],
    );
    const row = rows[0];
    if (!row) return null;
    return { lease: { id: row.lease_id, tenantId: this.tenantId, month, used: row.used, limit }, history: readAhead ? row.turns : null };
  }

  /**
   * Ends a lease in one statement: records its usage and stores the ask's exchange, if any, so an answer and its
   * charge commit together (one round trip, one commit). Kept (the answer was sent): the request stays counted.
   * Given back (refused or failed): the counter goes down by one. If the lease is already gone — another process
   * reclaimed it as expired, given back and recorded as ERROR — a kept answer is counted again, since the client
   * got it, and a given-back one changes nothing more. If the exchange's conversation vanished (purged since the
   * ask read it), nothing is stored and the lease is given back as a failed NOT_FOUND. A kept curated answer counts
   * a hit on it in the same statement.
   */
  async settle(lease: Lease, keep: boolean, usage: UsageEntry, at: Date, exchange: Exchange | null): Promise<void> {
    const e = exchange;
    const rows = await this.run<{ stored: boolean }>(
      'quota-settle',
      `WITH existing AS (
         UPDATE conversation SET updated_at = $5 WHERE id = $6 AND tenant_id = $2 AND NOT $7 RETURNING id
       ), created AS (
         INSERT INTO conversation (id, tenant_id, api_key_id, title, created_at, updated_at)
         SELECT $6, $2, $8, $9, $5, $5 WHERE $7 RETURNING id
       ), conv AS (
         SELECT id FROM existing UNION ALL SELECT id FROM created
       ), question AS (
         INSERT INTO message (tenant_id, conversation_id, role, content, citations, created_at)
         SELECT $2, conv.id, 'user', $10, '[]'::jsonb, $5 FROM conv
       ), answer AS (
         -- One millisecond later, so the answer always sorts after its question.
         INSERT INTO message (id, tenant_id, conversation_id, role, content, citations, created_at)
         SELECT $13, $2, conv.id, 'assistant', $11, $12::jsonb, $5::timestamptz + interval '1 millisecond' FROM conv
       ), stored AS (
         SELECT $6::uuid IS NULL OR EXISTS (SELECT 1 FROM conv) AS ok
       ), hit AS (
         UPDATE curated_answer SET hits = hits + 1
         FROM stored WHERE curated_answer.id = $24::uuid AND curated_answer.tenant_id = $2 AND $4 AND stored.ok
       ), gone AS (
         DELETE FROM quota_lease WHERE id = $1 AND tenant_id = $2 RETURNING id
       ), counted AS (
         UPDATE quota_counter SET used = used + (CASE WHEN $4 AND stored.ok THEN 1 ELSE -1 END)
         FROM stored
         WHERE tenant_id = $2 AND month = $3
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
        e?.curatedAnswerId ?? null,
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
