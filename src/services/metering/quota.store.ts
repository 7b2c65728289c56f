import type { Exchange, Turn } from '../conversations/exchange';
import type { Db } from '../data/db';
import { NotFound } from '../../errors';
import { isUuid } from '../pagination';
import { recordUsageSql, UsageEntry, usageParams, usageValues } from '../usage/usage-sql';

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
 * One tenant's monthly quota: the counter, and the two statements around every metered operation, the lease and its
 * settle. Every statement carries `tenant_id = <this tenant>` itself. The settle also writes the ask's exchange
 * (conversation and messages), so an answer and its charge commit together: the Exchange type is all it takes
 * from the conversations feature.
 */
export class QuotaStore {
  constructor(
    private readonly db: Db,
    readonly tenantId: string,
  ) {}

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
    const rows = await this.db.run<{ used: number; lease_id: string; turns: Turn[] }>(
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
    const rows = await this.db.run<{ stored: boolean }>(
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
}
