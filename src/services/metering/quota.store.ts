import { randomUUID } from 'node:crypto';
import type { Exchange, Turn } from '../conversations/exchange';
import type { Db } from '../data/db';
import { NotFound } from '../../errors';
import { Audience, WHOLE_TENANT } from '../audience';
import { isUuid } from '../pagination';
import { recordUsageSql, UsageEntry, usageParams, usageValues } from '../usage/usage-sql';

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

/** What one lease is asked for: who holds it until when, and the conversation it continues, if any. */
export interface LeaseRequest {
  apiKeyId: string | null;
  operation: string;
  ip: string | null;
  startedAt: Date;
  expiresAt: Date;
  readAhead: ReadAhead | null;
}

/** How one lease ends (see QuotaStore.settle): kept or given back, its usage, and the exchange to store, if any. */
export interface SettleRequest {
  lease: Lease;
  keep: boolean;
  usage: UsageEntry;
  at: Date;
  exchange: Exchange | null;
}

/** A lease taken, with what was read ahead (null when nothing was asked; empty when the conversation is not found). */
export interface Reservation {
  lease: Lease;
  history: Turn[] | null;
}

/** Why no lease was taken: the tenant's month is used up, or the visitor's day. */
export type Refused = { refused: 'MONTH' | 'VISITOR' };

/**
 * One tenant's monthly quota: the counter, and the two statements around every metered operation, the lease and its
 * settle. Every statement carries `tenant_id = <this tenant>` itself. The settle also writes the ask's exchange
 * (conversation and messages), so an answer and its charge commit together: the Exchange type is all it takes
 * from the conversations feature.
 */
export class QuotaStore {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
    private readonly audience: Audience = WHOLE_TENANT,
  ) {}

  /** Whether the scope is one visitor's (a publishable key), and which: a follow-up continues only its conversations. */
  private get visitorOnly(): boolean {
    return this.audience.visitorOnly;
  }

  private get visitorId(): string | null {
    return this.audience.visitorOnly ? this.audience.visitorId : null;
  }

  async quotaUsed(month: string): Promise<number> {
    const rows: { used: number }[] = await this.db.query(
      'SELECT used FROM quota_counter WHERE tenant_id = $1 AND month = $2',
      [this.tenantId, month],
    );
    return rows[0]?.used ?? 0;
  }

  /**
   * Takes one request of the month's quota as a lease, or says which limit refused it. ONE statement: the
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
   * conversation: the one read checks both. In a publishable key's scope it reads only its visitor's conversations.
   *
   * When the tenant caps its visitors (`visitor`), the same statement first counts the visitor's ask of the day by
   * the same kind of conditional upsert (exact under concurrency), and takes the month's only when that succeeded.
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
    const rows = await this.db.run<{ visitor_ok: boolean; visitor_counted: boolean; used: number | null; lease_id: string | null; turns: Turn[] }>(
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

  /**
   * Takes one lease for each of `asks` in ONE statement, all or none: the batch of QuotaService's Batcher, for asks
   * whose tenant caps no visitor. The same conditional upsert as `reserve`, by the batch's size (the row lock
   * queues concurrent statements, and each re-checks `used + n <= limit` against the latest committed count, so
   * successes never exceed the quota, across processes), and the same commit without waiting for the WAL flush
   * (see `reserve`). None is taken when the quota cannot cover them all; the caller then takes them one by one, so
   * the last requests of a month are refused exactly. Each ask continuing a conversation gets its last turns, read
   * by the same statement (empty when the conversation is not in this scope). The turns are read before the counter
   * row is locked, so the lock is held for the lease rows and the commit only.
   */
  async reserveMany(month: string, limit: number | null, asks: LeaseRequest[]): Promise<Reservation[] | null> {
    const conversationIds = asks.map((a) => (a.readAhead && isUuid(a.readAhead.conversationId) ? a.readAhead.conversationId : null));
    const leaseIds = asks.map(() => randomUUID());
    const rows = await this.db.run<{ used: number | null; turns: Turn[][] | null }>(
      'quota-reserve-many',
      `WITH asks AS (
         SELECT * FROM unnest($4::uuid[], $5::uuid[], $6::varchar[], $7::varchar[], $8::timestamptz[], $9::timestamptz[], $10::uuid[], $11::int[])
           WITH ORDINALITY AS a(id, api_key_id, operation, ip, started_at, expires_at, conversation_id, turns, n)
       ), history AS (
         SELECT json_agg((
           SELECT coalesce(json_agg(json_build_object('role', r.role, 'content', r.content) ORDER BY r.created_at), '[]'::json)
           FROM (
             SELECT m.role, m.content, m.created_at FROM message m
             WHERE m.tenant_id = $1 AND m.conversation_id = a.conversation_id
               AND (NOT $12::boolean OR m.conversation_id IN (SELECT v.id FROM conversation v WHERE v.tenant_id = $1 AND v.visitor_id = $13))
             ORDER BY m.created_at DESC LIMIT a.turns
           ) r
         ) ORDER BY a.n) AS turns
         FROM asks a
       ), counter AS (
         INSERT INTO quota_counter (tenant_id, month, used)
           SELECT $1, $2, cardinality($4::uuid[]) FROM history WHERE $3::int IS NULL OR $3::int >= cardinality($4::uuid[])
         ON CONFLICT (tenant_id, month) DO UPDATE SET used = quota_counter.used + cardinality($4::uuid[])
           WHERE $3::int IS NULL OR quota_counter.used + cardinality($4::uuid[]) <= $3::int
         RETURNING used
       ), lease AS (
         INSERT INTO quota_lease (id, tenant_id, month, api_key_id, operation, ip, started_at, expires_at)
         SELECT a.id, $1, $2, a.api_key_id, a.operation, a.ip, a.started_at, a.expires_at FROM counter, asks a
       ), no_flush AS (
         SELECT set_config('synchronous_commit', 'off', true)
       )
       SELECT counter.used, history.turns FROM no_flush, history LEFT JOIN counter ON true`,
      [
        this.tenantId, month, limit, leaseIds, asks.map((a) => a.apiKeyId), asks.map((a) => a.operation), asks.map((a) => a.ip),
        asks.map((a) => a.startedAt), asks.map((a) => a.expiresAt), conversationIds, asks.map((a) => a.readAhead?.turns ?? 0),
        this.visitorOnly, this.visitorId,
      ],
    );
    const { used, turns } = rows[0];
    if (used === null) return null;
    // The batch's requests are the last `asks.length` of the count, in the order given.
    return asks.map((a, i) => ({
      lease: { id: leaseIds[i], tenantId: this.tenantId, month, used: used - asks.length + i + 1, limit, visitor: null },
      history: a.readAhead ? turns![i] : null,
    }));
  }

  private async uncountVisitor(visitor: VisitorCount): Promise<void> {
    await this.db.query(
      'UPDATE visitor_ask_counter SET used = used - 1 WHERE tenant_id = $1 AND day = $2::date AND visitor_id = $3 AND used > 0',
      [this.tenantId, visitor.day, visitor.visitorId],
    );
  }

  /**
   * Ends the leases of `settles` in ONE statement and one commit, each exactly as `settle` ends one: the batch of
   * QuotaService's Batcher, for leases of this store's month that took no visitor count. Conversations and messages
   * are written for every exchange whose conversation is still there; the counter moves only by what was given back
   * (or counted again, a lease reclaimed meanwhile), in one update; every lease gets its usage record. Returns, in
   * order, whether each exchange was stored (a missing one is recorded as FAILED NOT_FOUND, as `settle` does).
   * Rows are locked table by table in the one-lease order (conversations, curated answers, leases, the counter)
   * and, within a table, in id order, so two batches, or a batch and a lone settle, never wait on each other in a
   * cycle (the lease reclaim skips leases being settled).
   */
  async settleMany(month: string, settles: SettleRequest[]): Promise<boolean[]> {
    const e = settles.map((x) => x.exchange);
    const u = settles.map((x) => x.usage);
    const rows = await this.db.run<{ stored: boolean[] }>(
      'quota-settle-many',
      `WITH s AS (
         SELECT * FROM unnest($5::uuid[], $6::boolean[], $7::timestamptz[], $8::uuid[], $9::boolean[], $10::uuid[], $11::text[], $12::text[],
                              $13::text[], $14::text[], $15::uuid[], $16::boolean[], $17::uuid[], $18::uuid[], $19::varchar[], $20::varchar[],
                              $21::varchar[], $22::int[], $23::int[], $24::int[], $25::varchar[])
           WITH ORDINALITY AS s(lease_id, keep, at, conversation_id, new_conversation, conversation_key_id, title, question,
                                answer, citations, message_id, grounded, curated_id, key_id, operation, outcome,
                                code, latency_ms, input_tokens, output_tokens, ip, n)
       ), existing AS (
         UPDATE conversation c SET updated_at = x.at
         FROM (SELECT conversation_id, max(at) AS at FROM s WHERE NOT new_conversation GROUP BY 1) x
         WHERE c.id = x.conversation_id AND c.id IN (
           SELECT l.id FROM conversation l
           WHERE l.tenant_id = $1 AND l.id IN (SELECT conversation_id FROM s WHERE NOT new_conversation) AND (NOT $3::boolean OR l.visitor_id = $4)
           ORDER BY l.id FOR UPDATE)
         RETURNING c.id
       ), created AS (
         INSERT INTO conversation (id, tenant_id, api_key_id, title, created_at, updated_at, visitor_id)
         SELECT conversation_id, $1, conversation_key_id, title, at, at, $4 FROM s WHERE new_conversation RETURNING id
       ), stored AS (
         SELECT s.*, s.conversation_id IS NULL OR s.conversation_id IN (SELECT id FROM existing UNION ALL SELECT id FROM created) AS ok
         FROM s
       ), question AS (
         INSERT INTO message (tenant_id, conversation_id, role, content, citations, created_at)
         SELECT $1, conversation_id, 'user', question, '[]'::jsonb, at FROM stored WHERE ok AND conversation_id IS NOT NULL
       ), answer AS (
         -- One millisecond later, so the answer always sorts after its question.
         INSERT INTO message (id, tenant_id, conversation_id, role, content, citations, created_at, grounded)
         SELECT message_id, $1, conversation_id, 'assistant', answer, citations::jsonb, at + interval '1 millisecond', grounded
         FROM stored WHERE ok AND conversation_id IS NOT NULL
       ), hit AS (
         UPDATE curated_answer a SET hits = a.hits + x.k
         FROM (SELECT curated_id, count(*)::int AS k FROM stored WHERE keep AND ok AND curated_id IS NOT NULL GROUP BY 1) x
         WHERE a.id = x.curated_id AND a.id IN (
           SELECT l.id FROM curated_answer l WHERE l.tenant_id = $1 AND l.id IN (SELECT curated_id FROM stored) ORDER BY l.id FOR UPDATE)
       ), gone AS (
         DELETE FROM quota_lease WHERE id IN (SELECT l.id FROM quota_lease l WHERE l.id = ANY($5::uuid[]) AND l.tenant_id = $1 ORDER BY l.id FOR UPDATE)
         RETURNING id
       ), counted AS (
         -- Given back when not kept and still held; counted again when kept but reclaimed meanwhile.
         UPDATE quota_counter q SET used = greatest(0, q.used + x.d)
         FROM (SELECT sum(CASE WHEN keep AND ok THEN (CASE WHEN lease_id IN (SELECT id FROM gone) THEN 0 ELSE 1 END)
                               ELSE (CASE WHEN lease_id IN (SELECT id FROM gone) THEN -1 ELSE 0 END) END) AS d FROM stored) x
         WHERE q.tenant_id = $1 AND q.month = $2 AND x.d <> 0
       ), ${recordUsageSql(`SELECT $1::uuid AS tenant_id, key_id AS api_key_id, operation,
             CASE WHEN ok THEN outcome ELSE 'FAILED' END AS outcome, CASE WHEN ok THEN code ELSE 'NOT_FOUND' END AS code,
             latency_ms, input_tokens, output_tokens, ip, at
           FROM stored`)}
       SELECT json_agg(ok ORDER BY n) AS stored FROM stored`,
      [
        this.tenantId, month, this.visitorOnly, this.visitorId,
        settles.map((x) => x.lease.id), settles.map((x) => x.keep), settles.map((x) => x.at),
        e.map((x) => x?.conversationId ?? null), e.map((x) => x?.newConversation ?? false), e.map((x) => x?.apiKeyId ?? null),
        e.map((x) => x?.title ?? null), e.map((x) => x?.question ?? null), e.map((x) => x?.answer ?? null),
        e.map((x) => JSON.stringify(x?.citations ?? [])), e.map((x) => x?.messageId ?? null), e.map((x) => x?.grounded ?? null),
        e.map((x) => x?.curatedAnswerId ?? null),
        u.map((x) => x.apiKeyId), u.map((x) => x.operation), u.map((x) => x.outcome), u.map((x) => x.code),
        u.map((x) => Math.round(x.latencyMs)), u.map((x) => x.inputTokens), u.map((x) => x.outputTokens), u.map((x) => x.ip),
      ],
    );
    return rows[0].stored;
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
    const v = lease.visitor;
    const first = usageParams(usage, at).length + 14;
    const rows = await this.db.run<{ stored: boolean }>(
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
       ), hit AS (
         UPDATE curated_answer SET hits = hits + 1
         FROM stored WHERE curated_answer.id = $${first + 5}::uuid AND curated_answer.tenant_id = $2 AND $4 AND stored.ok
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
        v?.day ?? null, v?.visitorId ?? null, this.visitorOnly, this.visitorId, e?.grounded ?? null, e?.curatedAnswerId ?? null,
      ],
    );
    if (keep && !rows[0]?.stored) throw NotFound('Conversation');
  }
}
