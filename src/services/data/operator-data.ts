import { EntityManager, In } from 'typeorm';
import { AbuseEvent } from '../../entities/abuse-event.entity';
import { AnswerRating } from '../../entities/answer-rating.entity';
import { AuditEntry } from '../../entities/audit-entry.entity';
import { ApiKey } from '../../entities/api-key.entity';
import { Document } from '../../entities/document.entity';
import { Rating, TenantStatus } from '../../entities/enums';
import { Plan } from '../../entities/plan.entity';
import { Tenant } from '../../entities/tenant.entity';
import { containsPattern, isUuid, Page, paginate } from '../pagination';
import { Prepared, runStatement } from './prepared';
import { RECORD_USAGE_SQL, recordUsageSql, ROLL_UP_PENDING_USAGE, USAGE_SUMS, UsageBucketRow, usageBuckets, usageBucketsSql, UsageEntry, usageParams, usageTotals, UsageTotals, usageValues } from './usage-sql';

/**
 * The operator's cross-tenant view and the system's own jobs: listing and finding tenants, verifying keys (a key
 * names its tenant, so lookup precedes any scope), usage across tenants, abuse events, retention and reclaiming
 * the leases of dead processes. Only admin operations and background jobs use it; everything a client key can
 * reach goes through TenantData.
 */
export class OperatorData {
  constructor(
    private readonly db: EntityManager,
    private readonly prepared: Prepared | null = null,
  ) {}

  private run<T = Record<string, unknown>>(name: string, text: string, params: unknown[]): Promise<T[]> {
    return runStatement<T>(this.db, this.prepared, name, text, params);
  }

  /** The same scope inside a transaction (whose statements all go through its connection, unprepared). */
  within(manager: EntityManager): OperatorData {
    return new OperatorData(manager);
  }

  // ---- tenants and plans

  async tenant(id: string, options: { lock?: boolean } = {}): Promise<Tenant | null> {
    if (!isUuid(id)) return null;
    return this.db.getRepository(Tenant).findOne({ where: { id }, ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** Tenants oldest first, by status and by a search in name, slug or contact email. */
  tenants(first: number, after: string | null | undefined, status?: TenantStatus | null, search?: string | null): Promise<Page<Tenant>> {
    const qb = this.db.getRepository(Tenant).createQueryBuilder('t').where('true');
    if (status) qb.andWhere('t.status = :status', { status });
    const text = search?.trim();
    if (text) {
      qb.andWhere('(t.name ILIKE :pattern OR t.slug ILIKE :pattern OR t.contact_email ILIKE :pattern)', { pattern: containsPattern(text) });
    }
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt' });
  }

  async tenantsByIds(ids: readonly string[]): Promise<Tenant[]> {
    return this.db.getRepository(Tenant).findBy({ id: In([...ids]) });
  }

  saveTenant(tenant: Tenant): Promise<Tenant> {
    return this.db.getRepository(Tenant).save(tenant);
  }

  newTenant(fields: Partial<Tenant>): Tenant {
    return this.db.getRepository(Tenant).create(fields);
  }

  async slugTaken(slug: string): Promise<boolean> {
    return (await this.db.getRepository(Tenant).countBy({ slug })) > 0;
  }

  /** Deletes the tenant; its rows in every tenant-owned table go with it (ON DELETE CASCADE). */
  async deleteTenant(id: string): Promise<void> {
    await this.db.query('DELETE FROM tenant WHERE id = $1', [id]);
  }

  plans(): Promise<Plan[]> {
    return this.db.getRepository(Plan).find({ order: { priceCents: 'ASC' } });
  }

  plan(code: string): Promise<Plan | null> {
    return this.db.getRepository(Plan).findOneBy({ code: code as Plan['code'] });
  }

  // ---- keys

  /** The key with this hash, with its tenant and plan: how a request becomes a Caller. */
  async keyByHash(hash: string): Promise<{ key: ApiKey; tenant: Tenant | null; plan: Plan | null } | null> {
    const key = await this.db
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .leftJoinAndMapOne('k.tenant', Tenant, 't', 't.id = k.tenant_id')
      .leftJoinAndMapOne('t.plan', Plan, 'p', 'p.code = t.plan_code')
      .where('k.hash = :hash', { hash })
      .getOne();
    if (!key) return null;
    const tenant = (key as ApiKey & { tenant?: Tenant }).tenant ?? null;
    const plan = (tenant as (Tenant & { plan?: Plan }) | null)?.plan ?? null;
    return { key, tenant, plan };
  }

  /** A key by id, for the operator's key workflows (which name a key, not a tenant). */
  async key(id: string, options: { lock?: boolean } = {}): Promise<ApiKey | null> {
    if (!isUuid(id)) return null;
    return this.db.getRepository(ApiKey).findOne({ where: { id }, ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  async keysOfTenants(tenantIds: readonly string[]): Promise<ApiKey[]> {
    return this.db.getRepository(ApiKey).find({ where: { tenantId: In([...tenantIds]) }, order: { createdAt: 'ASC' } });
  }

  saveKey(key: ApiKey): Promise<ApiKey> {
    return this.db.getRepository(ApiKey).save(key);
  }

  newKey(fields: Partial<ApiKey>): ApiKey {
    return this.db.getRepository(ApiKey).create(fields);
  }

  async adminKeyCount(): Promise<number> {
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM api_key WHERE role = 'ADMIN'`);
    return n;
  }

  async touchKey(id: string, at: Date): Promise<void> {
    await this.db.query('UPDATE api_key SET last_used_at = $2 WHERE id = $1', [id, at]);
  }

  /** Shown on the key for the operator; the block itself lives in shared state. */
  async markKeyBlocked(id: string, until: Date | null): Promise<void> {
    await this.db.query('UPDATE api_key SET blocked_until = $2 WHERE id = $1', [id, until]);
  }

  /** Serialises the first-start admin key check between processes sharing a database (within a transaction). */
  async lockAdminKeys(lock: number): Promise<void> {
    await this.db.query('SELECT pg_advisory_xact_lock($1)', [lock]);
  }

  // ---- documents

  /** Which tenant a document belongs to, for the operator's removeDocument (which names only the document). */
  async document(id: string): Promise<Document | null> {
    return isUuid(id) ? this.db.getRepository(Document).findOneBy({ id }) : null;
  }

  async documentCounts(tenantIds: readonly string[]): Promise<Map<string, number>> {
    const rows: { tenant_id: string; n: number }[] = await this.db.query(
      'SELECT tenant_id, count(*)::int AS n FROM document WHERE tenant_id = ANY($1) GROUP BY tenant_id',
      [[...tenantIds]],
    );
    return new Map(rows.map((r) => [r.tenant_id, r.n]));
  }

  // ---- usage, abuse, audit

  /** A call that can't be attributed to a tenant (an unknown key), or any call recorded by a system job. */
  async recordUsage(usage: UsageEntry, at: Date): Promise<void> {
    await this.run('usage-record', RECORD_USAGE_SQL, usageParams(usage, at));
  }

  /** Folds up to `max` pending usage rows into the daily roll-up; returns how many (see ROLL_UP_PENDING_USAGE). */
  async rollUpUsage(max: number): Promise<number> {
    const rows: { n: number }[] = await this.db.query(ROLL_UP_PENDING_USAGE, [max]);
    return rows[0]?.n ?? 0;
  }

  /** Every tenant's usage together, in buckets over [from, to) (see usageBucketsSql). */
  async usageBuckets(from: Date, to: Date, unit: 'day' | 'month'): Promise<UsageBucketRow[]> {
    return usageBuckets(await this.db.query(usageBucketsSql(unit), [null, from, to]));
  }

  /** Every tenant's usage in [start, end), busiest first (tenants with no traffic included, at zero). */
  async usageSummary(start: Date, end: Date): Promise<({ tenantId: string } & UsageTotals)[]> {
    const rows: Record<string, string>[] = await this.db.query(
      `SELECT t.id AS tenant_id, ${USAGE_SUMS}
       FROM tenant t LEFT JOIN usage_live d ON d.tenant_id = t.id AND d.day >= $1::date AND d.day < $2::date
       GROUP BY t.id, t.created_at ORDER BY requests DESC, t.created_at, t.id`,
      [start.toISOString().slice(0, 10), end.toISOString().slice(0, 10)],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, ...usageTotals(r) }));
  }

  abuseEvents(tenantId: string | null | undefined, first: number, after?: string | null): Promise<Page<AbuseEvent>> {
    const qb = this.db.getRepository(AbuseEvent).createQueryBuilder('e');
    if (tenantId) qb.where('e.tenant_id = :tenantId', { tenantId });
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt', descending: true });
  }

  async recordAbuseEvent(event: { kind: string; tenantId: string | null; apiKeyId: string | null; ip: string | null; detail: string }): Promise<void> {
    await this.db.getRepository(AbuseEvent).insert(event);
  }

  /** An audit entry; without a tenant id, an entry about a key is filed under the key's tenant. */
  async recordAudit(entry: { actorKeyId: string | null; actor: string; action: string; targetType: string; targetId: string | null; detail: Record<string, unknown>; tenantId: string | null }): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_entry (actor_key_id, actor, action, target_type, target_id, detail, tenant_id)
       VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::uuid, (SELECT k.tenant_id FROM api_key k WHERE k.id::text = $8::text)))`,
      [entry.actorKeyId, entry.actor, entry.action, entry.targetType, entry.targetId, JSON.stringify(entry.detail), entry.tenantId,
        entry.targetType === 'apiKey' ? entry.targetId : null],
    );
  }

  /** The audit trail, newest first; one tenant's entries when tenantId is given (kept after the tenant is deleted). */
  auditEntries(tenantId: string | null | undefined, first: number, after?: string | null): Promise<Page<AuditEntry>> {
    const qb = this.db.getRepository(AuditEntry).createQueryBuilder('a');
    if (tenantId) qb.where('a.tenant_id = :tenantId', { tenantId });
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt', descending: true });
  }

  /** Answer ratings, newest first, optionally one tenant's and one kind. */
  ratings(tenantId: string | null | undefined, rating: Rating | null | undefined, first: number, after?: string | null): Promise<Page<AnswerRating>> {
    const qb = this.db.getRepository(AnswerRating).createQueryBuilder('r').where('true');
    if (tenantId) qb.andWhere('r.tenant_id = :tenantId', { tenantId });
    if (rating) qb.andWhere('r.rating = :rating', { rating });
    return paginate(qb, { first, after, sortColumn: 'created_at', sortProperty: 'createdAt', descending: true });
  }

  async ratingStats(tenantId: string | null | undefined): Promise<{ up: number; down: number }> {
    const [row] = await this.db.query(
      `SELECT count(*) FILTER (WHERE rating = 'UP')::int AS up, count(*) FILTER (WHERE rating = 'DOWN')::int AS down
       FROM answer_rating WHERE $1::uuid IS NULL OR tenant_id = $1::uuid`,
      [tenantId ?? null],
    );
    return { up: row.up, down: row.down };
  }

  // ---- system jobs

  /** Deletes conversations untouched since `before`; their messages cascade. */
  async purgeConversations(before: Date): Promise<number> {
    return affected(await this.db.query('DELETE FROM conversation WHERE updated_at < $1', [before]));
  }

  /** Trims raw usage records older than `before`; the daily roll-ups, which reports and invoices read, are kept. */
  async purgeUsageRecords(before: Date): Promise<number> {
    return affected(await this.db.query('DELETE FROM usage_record WHERE created_at < $1', [before]));
  }

  /**
   * Ends the leases whose process died (expired at `now`): each gives its request back and is recorded in usage as
   * ERROR, in one statement. DELETE … RETURNING hands each lease to exactly one reclaimer, so processes running this
   * at the same time never reclaim a lease twice.
   */
  async reclaimExpiredLeases(now: Date): Promise<number> {
    const rows: { n: number }[] = await this.db.query(
      `WITH gone AS (
         DELETE FROM quota_lease WHERE expires_at < $1 RETURNING *
       ), visitor_back AS (
         -- Listed before given_back, so it runs (and locks) first: visitor row, then month row, as an ask does.
         UPDATE visitor_ask_counter v SET used = greatest(0, v.used - g.n)
         FROM (SELECT tenant_id, visitor_day, visitor_id, count(*)::int AS n FROM gone WHERE visitor_id IS NOT NULL GROUP BY 1, 2, 3) g
         WHERE v.tenant_id = g.tenant_id AND v.day = g.visitor_day AND v.visitor_id = g.visitor_id
       ), given_back AS (
         UPDATE quota_counter q SET used = greatest(0, q.used - g.n)
         FROM (SELECT tenant_id, month, count(*)::int AS n FROM gone GROUP BY 1, 2) g
         WHERE q.tenant_id = g.tenant_id AND q.month = g.month
       ), ${recordUsageSql(`SELECT tenant_id, api_key_id, operation, 'ERROR'::varchar AS outcome, 'LEASE_EXPIRED'::varchar AS code,
            greatest(0, extract(epoch FROM ($1::timestamptz - started_at)) * 1000)::int AS latency_ms,
            0 AS input_tokens, 0 AS output_tokens, ip, started_at AS at FROM gone`)}
       SELECT count(*)::int AS n FROM gone`,
      [now],
    );
    return rows[0]?.n ?? 0;
  }
}

/** Rows affected by a DELETE as TypeORM's pg driver reports it ([rows, count]). */
function affected(result: unknown): number {
  return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
}
