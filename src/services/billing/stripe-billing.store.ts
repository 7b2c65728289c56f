import type { Db } from '../data/db';

/** How a tenant stands with Stripe, as the operator's console shows it. */
export type BillingStatus = 'ACTIVE' | 'PAST_DUE' | 'SUSPENDED';

export interface TenantBillingRow {
  tenantId: string;
  customerId: string | null;
  subscriptionId: string | null;
  subscriptionItemId: string | null;
  subscribedPlan: string | null;
  status: BillingStatus;
  pastDueSince: Date | null;
  suspendAt: Date | null;
  failedInvoiceId: string | null;
}

/**
 * One change still to send to Stripe: the tenant's customer and subscription as they should now be (sync), a month's
 * invoice items, or the cancellation of a deleted tenant's subscription.
 */
export interface OutboxRow {
  id: string;
  tenantId: string;
  kind: 'sync' | 'invoiceItems' | 'cancel';
  month: string | null;
  subscriptionId: string | null;
  attempts: number;
}

const BILLING_COLUMNS = `tenant_id AS "tenantId", customer_id AS "customerId", subscription_id AS "subscriptionId",
  subscription_item_id AS "subscriptionItemId", subscribed_plan AS "subscribedPlan", status, past_due_since AS "pastDueSince",
  suspend_at AS "suspendAt", failed_invoice_id AS "failedInvoiceId"`;

/** The Stripe side of billing across tenants: their billing rows, the outbox of pending changes, webhook events seen. */
export class StripeBillingStore {
  constructor(private readonly db: Db) {}

  within(tx: Db): StripeBillingStore {
    return new StripeBillingStore(tx);
  }

  async billing(tenantId: string, options: { lock?: boolean } = {}): Promise<TenantBillingRow | null> {
    const rows = await this.db.query(`SELECT ${BILLING_COLUMNS} FROM tenant_billing WHERE tenant_id = $1${options.lock ? ' FOR UPDATE' : ''}`, [tenantId]);
    return rows[0] ?? null;
  }

  async billingsOf(tenantIds: readonly string[]): Promise<TenantBillingRow[]> {
    return this.db.query(`SELECT ${BILLING_COLUMNS} FROM tenant_billing WHERE tenant_id = ANY($1::uuid[])`, [tenantIds]);
  }

  async billingByCustomer(customerId: string, options: { lock?: boolean } = {}): Promise<TenantBillingRow | null> {
    const rows = await this.db.query(`SELECT ${BILLING_COLUMNS} FROM tenant_billing WHERE customer_id = $1${options.lock ? ' FOR UPDATE' : ''}`, [customerId]);
    return rows[0] ?? null;
  }

  /** Writes the fields given; the row is made on first write. */
  async saveBilling(tenantId: string, fields: Partial<Omit<TenantBillingRow, 'tenantId'>>, now: Date): Promise<void> {
    const row = { ...(await this.billing(tenantId)), ...fields };
    await this.db.query(
      `INSERT INTO tenant_billing (tenant_id, customer_id, subscription_id, subscription_item_id, subscribed_plan, status,
         past_due_since, suspend_at, failed_invoice_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
       ON CONFLICT (tenant_id) DO UPDATE SET customer_id = $2, subscription_id = $3, subscription_item_id = $4,
         subscribed_plan = $5, status = $6, past_due_since = $7, suspend_at = $8, failed_invoice_id = $9, updated_at = $10`,
      [tenantId, row.customerId ?? null, row.subscriptionId ?? null, row.subscriptionItemId ?? null, row.subscribedPlan ?? null,
        row.status ?? 'ACTIVE', row.pastDueSince ?? null, row.suspendAt ?? null, row.failedInvoiceId ?? null, now],
    );
  }

  /** Queues a change to send. */
  async enqueue(entry: { tenantId: string; kind: OutboxRow['kind']; subscriptionId?: string }, now: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO billing_outbox (tenant_id, kind, subscription_id, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $4)`,
      [entry.tenantId, entry.kind, entry.subscriptionId ?? null, now],
    );
  }

  /**
   * Queues a month's invoice items for every tenant that had a Stripe customer before the month ended, once however
   * often the job asks: a month billed by hand before Stripe billing was turned on is not sent again.
   */
  async enqueueMonth(month: string, monthEnd: Date, now: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO billing_outbox (tenant_id, kind, month, dedupe_key, next_attempt_at, created_at)
       SELECT tenant_id, 'invoiceItems', $1::varchar, 'invoiceItems:' || tenant_id || ':' || $1::varchar, $3, $3 FROM tenant_billing
       WHERE customer_id IS NOT NULL AND created_at < $2
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [month, monthEnd, now],
    );
  }

  /**
   * Takes the oldest due entry and pushes its next attempt `leaseMs` away, in one statement, so two processes never
   * send the same entry at once and an entry whose process died is taken again once the lease runs out. Only a
   * tenant's oldest pending entry can be taken: its changes reach Stripe one at a time and in order, so two
   * processes never subscribe the same tenant twice, and a change waiting for a retry holds back those after it.
   */
  async claim(now: Date, leaseMs: number): Promise<OutboxRow | null> {
    const rows = await this.db.query(
      `WITH next AS (
         SELECT b.id FROM billing_outbox b
         WHERE b.done_at IS NULL AND b.next_attempt_at <= $1
           AND NOT EXISTS (SELECT 1 FROM billing_outbox o WHERE o.tenant_id = b.tenant_id AND o.done_at IS NULL AND o.id < b.id)
         ORDER BY b.id LIMIT 1 FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE billing_outbox b SET next_attempt_at = $1::timestamptz + $2 * interval '1 millisecond', attempts = b.attempts + 1
         FROM next WHERE b.id = next.id
         RETURNING b.id::text AS id, b.tenant_id AS "tenantId", b.kind, b.month, b.subscription_id AS "subscriptionId", b.attempts
       ) SELECT * FROM claimed`,
      [now, leaseMs],
    );
    return rows[0] ?? null;
  }

  async done(id: string, now: Date): Promise<void> {
    await this.db.query(`UPDATE billing_outbox SET done_at = $2, last_error = NULL WHERE id = $1`, [id, now]);
  }

  async retryLater(id: string, at: Date, error: string): Promise<void> {
    await this.db.query(`UPDATE billing_outbox SET next_attempt_at = $2, last_error = $3 WHERE id = $1`, [id, at, error.slice(0, 1000)]);
  }

  /** Entries still to send, per tenant. */
  async pendingCounts(tenantIds: readonly string[]): Promise<Map<string, number>> {
    const rows: { tenantId: string; n: number }[] = await this.db.query(
      `SELECT tenant_id AS "tenantId", count(*)::int AS n FROM billing_outbox WHERE done_at IS NULL AND tenant_id = ANY($1::uuid[]) GROUP BY tenant_id`,
      [tenantIds],
    );
    return new Map(rows.map((r) => [r.tenantId, r.n]));
  }

  /** Records a webhook event; false when it was already seen (Stripe delivers at least once). */
  async firstDelivery(eventId: string, type: string, now: Date): Promise<boolean> {
    const rows = await this.db.query(
      `WITH seen AS (INSERT INTO stripe_event (id, type, received_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id) SELECT id FROM seen`,
      [eventId, type, now],
    );
    return rows.length > 0;
  }

  /**
   * Forgets webhook event ids and sent changes older than `before`. A month's invoice-items entry stays (one per
   * tenant and month): it is what keeps the month from being queued and billed again.
   */
  async purge(before: Date): Promise<void> {
    await this.db.query(`DELETE FROM stripe_event WHERE received_at < $1`, [before]);
    await this.db.query(`DELETE FROM billing_outbox WHERE done_at < $1 AND kind <> 'invoiceItems'`, [before]);
  }

  /** Tenants whose grace after a failed payment is over and who are still served. */
  async dueSuspensions(now: Date): Promise<string[]> {
    const rows: { tenantId: string }[] = await this.db.query(
      `SELECT tenant_id AS "tenantId" FROM tenant_billing WHERE status = 'PAST_DUE' AND suspend_at <= $1 ORDER BY suspend_at`,
      [now],
    );
    return rows.map((r) => r.tenantId);
  }
}
