import { randomUUID } from 'node:crypto';
import type { Exchange, Turn } from '../conversations/exchange';
import type { Db } from '../data/db';
import type { Audience } from '../audience';
import { isUuid } from '../pagination';
import { recordUsageSql, UsageEntry } from '../usage/usage-sql';

/** An open quota reservation: the counter was bumped and a lease row records who holds it until when. */
export interface Lease {
  id: string;
  tenantId: string;
  month: string;
  used: number;
  limit: number | null;
  /** The visitor's day counter this lease also took an ask of, when the tenant caps visitors. */
  visitor: VisitorCount | null;
  /** Whose conversations the ask may continue, and whose its exchange starts (its scope's audience). */
  audience: Audience;
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

/**
 * What one lease is asked for: who holds it until when, the conversation it continues, if any, in which audience
 * (its scope's), and the visitor's day it also counts, if the tenant caps visitors.
 */
export interface LeaseRequest {
  apiKeyId: string | null;
  operation: string;
  ip: string | null;
  startedAt: Date;
  expiresAt: Date;
  readAhead: ReadAhead | null;
  audience: Audience;
  visitor: VisitorCount | null;
}

/** How one lease ends (see QuotaStore.settleMany): kept or given back, its usage, and the exchange to store, if any. */
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

/** What a batch statement decided for one ask: a lease, a refusal, or null when only the ask alone can tell. */
export type Taken = Reservation | Refused | null;

/**
 * Moves visitors' day counts by `d` each (never below 0), for the rows `visitor_moves` names (day, visitor_id, d).
 * The rows are locked in key order, the order in which the lease statement counts them, so statements moving several
 * visitors never wait on each other in a cycle; always before the month's row (see QuotaStore.reserveMany).
 */
const MOVE_VISITOR_COUNTS = `UPDATE visitor_ask_counter v SET used = greatest(0, v.used + m.d)
         FROM visitor_moves m
         WHERE v.tenant_id = $1 AND v.day = m.day AND v.visitor_id = m.visitor_id AND m.d <> 0
           AND (v.day, v.visitor_id) IN (
             SELECT l.day, l.visitor_id FROM visitor_ask_counter l JOIN visitor_moves k ON l.day = k.day AND l.visitor_id = k.visitor_id
             WHERE l.tenant_id = $1 AND k.d <> 0 ORDER BY l.day, l.visitor_id FOR UPDATE)`;

/** A visitor's day, as the batch statements group the asks that count it. */
function dayOf(visitor: VisitorCount): string {
  return `${visitor.day}|${visitor.visitorId}`;
}

/**
 * One tenant's monthly quota: the counter, and the two statements around every metered operation, the lease and its
 * settle, each taking a batch of asks (QuotaService's Batcher; a lone ask is a batch of one). Every statement carries
 * `tenant_id = <this tenant>` itself; each ask carries its scope's audience, which every read and write of
 * conversations it makes adds as `visitor_id = <visitor>` for a publishable key. The settle also writes the asks'
 * exchanges (conversations and messages), so an answer and its charge commit together: the Exchange type is all it
 * takes from the conversations feature.
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
   * Takes a lease of the month's quota for each of `asks` in ONE statement, or says which limit refused them. The
   * conditional upsert on the (tenant, month) row, by the number of asks it takes, queues concurrent statements on
   * its row lock, and each re-checks `used + n <= limit` against the latest committed count, so successes never
   * exceed the quota, across processes. Unlimited plans still count, so usage and `quota.used` stay truthful; the
   * WHERE is what enforces a limit. The month is taken for all the asks the visitors' days let through, or for none:
   * near the quota's end the caller then takes them one by one, so the last requests of a month are refused exactly.
   *
   * When the tenant caps its visitors (an ask's `visitor`), the same statement first counts each visitor's asks of
   * the day by the same kind of conditional upsert (exact under concurrency), all of a visitor's or none, and takes
   * the month only for the asks whose visitor was counted. A visitor alone in the batch whose day is used up is
   * refused; one with several asks that do not all fit is left undecided (null), for the caller to take one by one.
   * Visitors' rows are locked in key order and always before the month's (settles too), so they never deadlock.
   *
   * It commits without waiting for the WAL flush (synchronous_commit off for this statement alone). The counter row
   * is every ask's of the tenant, and a waiting flush would hold its lock a disk sync long, serialising the tenant's
   * asks on the disk. Nothing is risked: the ask's settle commits synchronously later, and flushing the WAL up to
   * its commit flushes this reservation too; if PostgreSQL crashes in between, the reservation may be lost, but the
   * ask then fails and was neither answered nor charged.
   *
   * Each ask continuing a conversation gets its last `turns` messages (oldest first), read by the same statement, so
   * a follow-up costs no round trip more than a new question; none when the conversation is not in the ask's
   * audience. Every conversation holds at least one exchange (both are written together), so no messages means no
   * conversation: the one read checks both. The turns are read before any counter row is locked, so the locks are
   * held for the lease rows and the commit only.
   */
  async reserveMany(month: string, limit: number | null, asks: LeaseRequest[]): Promise<Taken[]> {
    const conversationIds = asks.map((a) => (a.readAhead && isUuid(a.readAhead.conversationId) ? a.readAhead.conversationId : null));
    const leaseIds = asks.map(() => randomUUID());
    const rows = await this.db.run<{ used: number | null; turns: Turn[][] | null; counted: { day: string; visitor: string }[] }>(
      'quota-reserve',
      `WITH asks AS (
         SELECT * FROM unnest($4::uuid[], $5::uuid[], $6::varchar[], $7::varchar[], $8::timestamptz[], $9::timestamptz[], $10::uuid[], $11::int[],
                              $12::boolean[], $13::varchar[], $14::date[], $15::varchar[], $16::int[])
           WITH ORDINALITY AS a(id, api_key_id, operation, ip, started_at, expires_at, conversation_id, turns,
                                visitor_only, audience_visitor, day, visitor_id, cap, n)
       ), history AS (
         SELECT json_agg((
           SELECT coalesce(json_agg(json_build_object('role', r.role, 'content', r.content) ORDER BY r.created_at), '[]'::json)
           FROM (
             SELECT m.role, m.content, m.created_at FROM message m
             WHERE m.tenant_id = $1 AND m.conversation_id = a.conversation_id
               AND (NOT a.visitor_only OR m.conversation_id IN (SELECT v.id FROM conversation v WHERE v.tenant_id = $1 AND v.visitor_id = a.audience_visitor))
             ORDER BY m.created_at DESC LIMIT a.turns
           ) r
         ) ORDER BY a.n) AS turns
         FROM asks a
       ), visitor AS (
         INSERT INTO visitor_ask_counter (tenant_id, day, visitor_id, used)
           SELECT $1, g.day, g.visitor_id, g.k
           FROM (SELECT day, visitor_id, count(*)::int AS k, min(cap) AS cap FROM asks WHERE cap IS NOT NULL GROUP BY 1, 2) g, history
           WHERE g.k <= g.cap ORDER BY g.day, g.visitor_id
         ON CONFLICT (tenant_id, day, visitor_id) DO UPDATE SET used = visitor_ask_counter.used + EXCLUDED.used
           WHERE visitor_ask_counter.used + EXCLUDED.used <= (SELECT min(a.cap) FROM asks a WHERE a.day = EXCLUDED.day AND a.visitor_id = EXCLUDED.visitor_id)
         RETURNING day, visitor_id
       ), granted AS (
         SELECT a.* FROM asks a WHERE a.cap IS NULL OR (a.day, a.visitor_id) IN (SELECT day, visitor_id FROM visitor)
       ), counter AS (
         INSERT INTO quota_counter (tenant_id, month, used)
           SELECT $1, $2, g.n FROM (SELECT count(*)::int AS n FROM granted) g WHERE g.n > 0 AND ($3::int IS NULL OR $3::int >= g.n)
         ON CONFLICT (tenant_id, month) DO UPDATE SET used = quota_counter.used + EXCLUDED.used
           WHERE $3::int IS NULL OR quota_counter.used + EXCLUDED.used <= $3::int
         RETURNING used
       ), lease AS (
         INSERT INTO quota_lease (id, tenant_id, month, api_key_id, operation, ip, started_at, expires_at, visitor_id, visitor_day)
         SELECT g.id, $1, $2, g.api_key_id, g.operation, g.ip, g.started_at, g.expires_at, g.visitor_id, g.day FROM counter, granted g
       ), no_flush AS (
         SELECT set_config('synchronous_commit', 'off', true)
       )
       SELECT counter.used, history.turns,
         (SELECT coalesce(json_agg(json_build_object('day', to_char(day, 'YYYY-MM-DD'), 'visitor', visitor_id)), '[]'::json) FROM visitor) AS counted
       FROM no_flush, history LEFT JOIN counter ON true`,
      [
        this.tenantId, month, limit, leaseIds, asks.map((a) => a.apiKeyId), asks.map((a) => a.operation), asks.map((a) => a.ip),
        asks.map((a) => a.startedAt), asks.map((a) => a.expiresAt), conversationIds, asks.map((a) => a.readAhead?.turns ?? 0),
        asks.map((a) => a.audience.visitorOnly), asks.map((a) => (a.audience.visitorOnly ? a.audience.visitorId : null)),
        asks.map((a) => a.visitor?.day ?? null), asks.map((a) => a.visitor?.visitorId ?? null), asks.map((a) => a.visitor?.cap ?? null),
      ],
    );
    const { used, turns, counted } = rows[0];
    const asksOf = new Map<string, number>();
    for (const a of asks) if (a.visitor) asksOf.set(dayOf(a.visitor), (asksOf.get(dayOf(a.visitor)) ?? 0) + 1);
    const countedDays = new Set(counted.map((c) => `${c.day}|${c.visitor}`));
    const granted = asks.filter((a) => !a.visitor || countedDays.has(dayOf(a.visitor)));
    if (granted.length > 0 && used === null && counted.length > 0) {
      // The month is used up, but visitors' days were counted on the way: give those asks back (a refused ask uses
      // nothing). Only capped tenants' refusals at the end of their month pay this statement.
      await this.uncountVisitors(counted.map((c) => ({ day: c.day, visitorId: c.visitor, asks: asksOf.get(`${c.day}|${c.visitor}`)! })));
    }
    // The asks granted are the last `granted.length` of the month's count, in the order given.
    let place = used === null ? 0 : used - granted.length;
    return asks.map((a, i): Taken => {
      if (a.visitor && !countedDays.has(dayOf(a.visitor))) return asksOf.get(dayOf(a.visitor)) === 1 ? { refused: 'VISITOR' } : null;
      if (used === null) return granted.length === 1 ? { refused: 'MONTH' } : null;
      return {
        lease: { id: leaseIds[i], tenantId: this.tenantId, month, used: ++place, limit, visitor: a.visitor, audience: a.audience },
        history: a.readAhead ? turns![i] : null,
      };
    });
  }

  private async uncountVisitors(days: { day: string; visitorId: string; asks: number }[]): Promise<void> {
    await this.db.query(
      `WITH visitor_moves AS (
         SELECT day, visitor_id, -n AS d FROM unnest($2::date[], $3::varchar[], $4::int[]) AS g(day, visitor_id, n)
       ) ${MOVE_VISITOR_COUNTS}`,
      [this.tenantId, days.map((d) => d.day), days.map((d) => d.visitorId), days.map((d) => d.asks)],
    );
  }

  /**
   * Ends the leases of `settles` (of this store's month) in ONE statement and one commit. Kept (the answer was sent):
   * the request stays counted. Given back (refused or failed): the counter goes down by one. If a lease is already
   * gone — another process reclaimed it as expired, given back and recorded as ERROR — a kept answer is counted
   * again, since the client got it, and a given-back one changes nothing more. The visitor's day a lease counted
   * moves with the month. The counters move only by what was given back or counted again, one update per row.
   *
   * Each exchange is stored with its lease's usage record, so an answer and its charge commit together. If its
   * conversation vanished (purged since the ask read it) or is not in the ask's audience, nothing is stored and the
   * lease is given back as a failed NOT_FOUND. A kept curated answer counts a hit on it. Returns, in order, whether
   * each exchange was stored.
   *
   * Rows are locked table by table (conversations, curated answers, leases, visitors' days, the month) and, within
   * a table, in key order, so two batches never wait on each other in a cycle (the lease reclaim skips leases being
   * settled).
   */
  async settleMany(month: string, settles: SettleRequest[]): Promise<boolean[]> {
    const e = settles.map((x) => x.exchange);
    const u = settles.map((x) => x.usage);
    const audiences = settles.map((x) => x.lease.audience);
    const rows = await this.db.run<{ stored: boolean[] }>(
      'quota-settle',
      `WITH s AS (
         SELECT * FROM unnest($5::uuid[], $6::boolean[], $7::timestamptz[], $8::uuid[], $9::boolean[], $10::uuid[], $11::text[], $12::text[],
                              $13::text[], $14::text[], $15::uuid[], $16::boolean[], $17::uuid[], $18::uuid[], $19::varchar[], $20::varchar[],
                              $21::varchar[], $22::int[], $23::int[], $24::int[], $25::varchar[], $3::boolean[], $4::varchar[], $26::date[], $27::varchar[])
           WITH ORDINALITY AS s(lease_id, keep, at, conversation_id, new_conversation, conversation_key_id, title, question,
                                answer, citations, message_id, grounded, curated_id, key_id, operation, outcome,
                                code, latency_ms, input_tokens, output_tokens, ip, visitor_only, audience_visitor, day, visitor_id, n)
       ), owned AS (
         SELECT l.id, l.visitor_id FROM conversation l
         WHERE l.tenant_id = $1 AND l.id IN (SELECT conversation_id FROM s WHERE NOT new_conversation)
         ORDER BY l.id FOR UPDATE
       ), continued AS (
         -- The asks continuing a conversation of their audience: any of the tenant's, or their visitor's.
         SELECT s.n, s.conversation_id, s.at FROM s JOIN owned o ON o.id = s.conversation_id
         WHERE NOT s.new_conversation AND (NOT s.visitor_only OR o.visitor_id = s.audience_visitor)
       ), existing AS (
         UPDATE conversation c SET updated_at = x.at
         FROM (SELECT conversation_id, max(at) AS at FROM continued GROUP BY 1) x
         WHERE c.id = x.conversation_id AND c.tenant_id = $1
       ), created AS (
         INSERT INTO conversation (id, tenant_id, api_key_id, title, created_at, updated_at, visitor_id)
         SELECT conversation_id, $1, conversation_key_id, title, at, at, audience_visitor FROM s WHERE new_conversation RETURNING id
       ), stored AS (
         SELECT s.*, s.conversation_id IS NULL OR s.n IN (SELECT n FROM continued)
           OR (s.new_conversation AND s.conversation_id IN (SELECT id FROM created)) AS ok
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
       ), moved AS (
         -- Given back when not kept and still held; counted again when kept but reclaimed meanwhile.
         SELECT day, visitor_id, CASE WHEN keep AND ok THEN (CASE WHEN lease_id IN (SELECT id FROM gone) THEN 0 ELSE 1 END)
                                      ELSE (CASE WHEN lease_id IN (SELECT id FROM gone) THEN -1 ELSE 0 END) END AS d
         FROM stored
       ), visitor_moves AS (
         SELECT day, visitor_id, sum(d)::int AS d FROM moved WHERE visitor_id IS NOT NULL GROUP BY 1, 2
       ), visitor_back AS (
         ${MOVE_VISITOR_COUNTS}
         RETURNING 1
       ), counted AS (
         -- Reads visitor_back, so that the visitors' rows are locked first, in the order the lease statement takes them.
         UPDATE quota_counter q SET used = greatest(0, q.used + x.d)
         FROM (SELECT sum(d) AS d FROM moved) x
         WHERE q.tenant_id = $1 AND q.month = $2 AND x.d <> 0 AND (SELECT count(*) FROM visitor_back) >= 0
       ), ${recordUsageSql(`SELECT $1::uuid AS tenant_id, key_id AS api_key_id, operation,
             CASE WHEN ok THEN outcome ELSE 'FAILED' END AS outcome, CASE WHEN ok THEN code ELSE 'NOT_FOUND' END AS code,
             latency_ms, input_tokens, output_tokens, ip, at
           FROM stored`)}
       SELECT json_agg(ok ORDER BY n) AS stored FROM stored`,
      [
        this.tenantId, month, audiences.map((a) => a.visitorOnly), audiences.map((a) => (a.visitorOnly ? a.visitorId : null)),
        settles.map((x) => x.lease.id), settles.map((x) => x.keep), settles.map((x) => x.at),
        e.map((x) => x?.conversationId ?? null), e.map((x) => x?.newConversation ?? false), e.map((x) => x?.apiKeyId ?? null),
        e.map((x) => x?.title ?? null), e.map((x) => x?.question ?? null), e.map((x) => x?.answer ?? null),
        e.map((x) => JSON.stringify(x?.citations ?? [])), e.map((x) => x?.messageId ?? null), e.map((x) => x?.grounded ?? null),
        e.map((x) => x?.curatedAnswerId ?? null),
        u.map((x) => x.apiKeyId), u.map((x) => x.operation), u.map((x) => x.outcome), u.map((x) => x.code),
        u.map((x) => Math.round(x.latencyMs)), u.map((x) => x.inputTokens), u.map((x) => x.outputTokens), u.map((x) => x.ip),
        settles.map((x) => x.lease.visitor?.day ?? null), settles.map((x) => x.lease.visitor?.visitorId ?? null),
      ],
    );
    return rows[0].stored;
  }
}
