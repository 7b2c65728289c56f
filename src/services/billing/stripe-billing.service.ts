import Stripe from 'stripe';
import type { Logger } from 'pino';
import type { Actor } from '../../caller';
import type { Clock } from '../../clock';
import type { StripeConfig } from '../../config';
import { TenantStatus } from '../../entities/enums';
import type { Plan } from '../../entities/plan.entity';
import type { Tenant } from '../../entities/tenant.entity';
import type { AuditService } from '../audit/audit.service';
import type { DataLayer } from '../data/data-layer';
import type { Db } from '../data/db';
import type { TenantChangeListener, TenantService } from '../tenants/tenant.service';
import type { BillingService } from './billing.service';
import type { OutboxRow, StripeBillingStore, TenantBillingRow } from './stripe-billing.store';

/** A tenant's billing with Stripe and how many of its changes Stripe has not got yet. */
export type BillingState = TenantBillingRow & { pendingChanges: number };

/** Stripe, as the audit trail names it when it acts (a webhook, the grace job, the sync). */
export const STRIPE_ACTOR: Actor = { keyId: null, keyPrefix: 'stripe' };

const DAY_MS = 86_400_000;
// A claimed outbox entry is taken again by another process if its own has not finished with it by then.
const CLAIM_LEASE_MS = 5 * 60_000;
const FIRST_RETRY_MS = 30_000;
const LAST_RETRY_MS = 3_600_000;
// Stripe retries a webhook delivery for up to three days; event ids are kept well beyond that to stay idempotent.
const KEEP_EVENTS_MS = 30 * DAY_MS;

/** The tenant's invoice line the subscription bills; the others go to Stripe as invoice items. */
const PAID_BY_SUBSCRIPTION = 'plan';

/** The reason written on a tenant suspended for an unpaid invoice; only such a suspension is lifted by a payment. */
export function paymentFailedReason(invoiceId: string | null): string {
  return `payment failed: invoice ${invoiceId ?? 'unknown'}`;
}

/** The SDK, pointed at STRIPE_API_BASE when set (a loopback fake in tests). Retries are the outbox's job. */
export function createStripeClient(config: StripeConfig): Stripe {
  return new Stripe(config.secretKey, { maxNetworkRetries: 0, timeout: 20_000, ...(config.api ?? {}) });
}

/**
 * Billing with Stripe, on when STRIPE_SECRET_KEY is set: a customer per tenant, a subscription to its plan's price
 * (none for a free plan such as DEMO), each month's other invoice lines as invoice items, and failed payments
 * turned into a suspension after a grace period.
 *
 * Nothing here calls Stripe inside a request's transaction. Tenant changes queue an entry in the outbox within
 * their own transaction (TenantChangeListener); `drain` sends the entries afterwards and again on a timer, so an
 * unreachable Stripe delays the sync but never loses or blocks the operator's change. A sync entry makes Stripe
 * match the tenant as it is when sent, so entries can be retried or repeated in any order. Each step is audited.
 */
export class StripeBillingService implements TenantChangeListener {
  private running?: Promise<void>;
  private again = false;
  private readonly prices = new Map<string, Promise<string>>();

  constructor(
    private readonly data: DataLayer,
    private readonly store: StripeBillingStore,
    private readonly tenants: TenantService,
    private readonly invoices: BillingService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly config: StripeConfig,
    private readonly stripe: Stripe = createStripeClient(config),
  ) {}

  async planSet(tx: Db, tenant: Tenant): Promise<void> {
    await this.store.within(tx).enqueue({ tenantId: tenant.id, kind: 'sync' }, this.now());
  }

  async deleting(tx: Db, tenantId: string): Promise<void> {
    const billing = await this.store.within(tx).billing(tenantId);
    if (billing?.subscriptionId) await this.store.within(tx).enqueue({ tenantId, kind: 'cancel', subscriptionId: billing.subscriptionId }, this.now());
  }

  /** Billing state of some tenants, for the operator's console. */
  async states(tenantIds: readonly string[]): Promise<Map<string, BillingState>> {
    const [rows, pending] = await Promise.all([this.store.billingsOf(tenantIds), this.store.pendingCounts(tenantIds)]);
    const byTenant = new Map(rows.map((row) => [row.tenantId, row]));
    return new Map(tenantIds.map((id) => [id, { ...(byTenant.get(id) ?? emptyBilling(id)), pendingChanges: pending.get(id) ?? 0 }]));
  }

  /**
   * The retry job: last month's invoice items queued, pending changes sent, tenants past their grace suspended,
   * old event ids and sent entries forgotten.
   */
  async tick(): Promise<void> {
    const now = this.now();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    await this.store.enqueueMonth(previousMonth(now), monthStart, now);
    await this.drain();
    await this.suspendDue();
    await this.store.purge(new Date(now.getTime() - KEEP_EVENTS_MS));
  }

  /** Sends every due outbox entry; one run at a time per process, and a call during a run asks for another pass. */
  drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        for (let entry = await this.store.claim(this.now(), CLAIM_LEASE_MS); entry; entry = await this.store.claim(this.now(), CLAIM_LEASE_MS)) {
          await this.send(entry);
        }
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Starts a drain without waiting for it, once a change was committed. */
  committed(): void {
    this.drain().catch((error) => this.log.warn({ err: error }, 'stripe sync failed'));
  }

  /** Checks a webhook's signature; throws (Stripe's signature error) on a bad or missing one. */
  verify(payload: Buffer, signature: string | string[] | undefined): Stripe.Event {
    return this.stripe.webhooks.constructEvent(payload, typeof signature === 'string' ? signature : '', this.config.webhookSecret);
  }

  /**
   * Applies a verified event once (its id is recorded in the same transaction as its effect): a failed payment
   * starts the grace period, a payment of that invoice ends it and lifts a suspension made for it.
   */
  async handleEvent(event: Stripe.Event): Promise<void> {
    const now = this.now();
    let reactivated: string | null = null;
    await this.data.transaction(async (tx) => {
      const store = this.store.within(tx);
      if (!(await store.firstDelivery(event.id, event.type, now))) return;
      if (event.type !== 'invoice.payment_failed' && event.type !== 'invoice.paid') return;
      const invoice = event.data.object;
      const customerId = typeof invoice.customer === 'string' ? invoice.customer : invoice.customer?.id;
      const billing = customerId ? await store.billingByCustomer(customerId, { lock: true }) : null;
      if (!billing) return void this.log.warn({ event: event.id, customer: customerId }, 'stripe event for no known tenant');
      const target = { type: 'tenant', id: billing.tenantId };

      if (event.type === 'invoice.payment_failed') {
        // The grace runs from the first failure: Stripe's own retries of the same invoice do not extend it.
        if (billing.status !== 'ACTIVE') return;
        const suspendAt = new Date(now.getTime() + this.config.paymentGraceDays * DAY_MS);
        await store.saveBilling(billing.tenantId, { status: 'PAST_DUE', pastDueSince: now, suspendAt, failedInvoiceId: invoice.id ?? null }, now);
        await this.audit.record(tx, STRIPE_ACTOR, 'stripePaymentFailed', target, { invoice: invoice.id, event: event.id, suspendAt: suspendAt.toISOString() });
        return;
      }
      await this.audit.record(tx, STRIPE_ACTOR, 'stripeInvoicePaid', target, { invoice: invoice.id, event: event.id });
      if (billing.status === 'ACTIVE' || invoice.id !== billing.failedInvoiceId) return;
      await store.saveBilling(billing.tenantId, { status: 'ACTIVE', pastDueSince: null, suspendAt: null, failedInvoiceId: null }, now);
      if (billing.status !== 'SUSPENDED') return;
      // Only a suspension for this invoice is lifted; one the operator made for another reason stays.
      const reason = paymentFailedReason(billing.failedInvoiceId);
      const tenant = await this.tenants.reactivateWithin(tx, STRIPE_ACTOR, billing.tenantId, (t) => t.status === TenantStatus.SUSPENDED && t.suspendedReason === reason);
      if (tenant) reactivated = tenant.id;
    });
    if (reactivated) this.tenants.forget(reactivated);
  }

  /** Suspends the tenants whose grace after a failed payment is over (by the injected clock). */
  async suspendDue(): Promise<void> {
    for (const tenantId of await this.store.dueSuspensions(this.now())) {
      const suspended = await this.data.transaction(async (tx) => {
        const now = this.now();
        const store = this.store.within(tx);
        const billing = await store.billing(tenantId, { lock: true });
        // Paid between the listing and the lock.
        if (billing?.status !== 'PAST_DUE' || !billing.suspendAt || billing.suspendAt > now) return null;
        await store.saveBilling(tenantId, { status: 'SUSPENDED' }, now);
        // A tenant the operator already suspended keeps the operator's reason.
        return this.tenants.suspendWithin(tx, STRIPE_ACTOR, tenantId, paymentFailedReason(billing.failedInvoiceId), (t) => t.status === TenantStatus.ACTIVE);
      });
      if (suspended) this.tenants.forget(tenantId);
    }
  }

  private async send(entry: OutboxRow): Promise<void> {
    try {
      if (entry.kind === 'sync') await this.sync(entry);
      else if (entry.kind === 'invoiceItems') await this.sendInvoiceItems(entry);
      else await this.cancel(entry);
      await this.store.done(entry.id, this.now());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retryAt = new Date(this.clock.now() + Math.min(FIRST_RETRY_MS * 2 ** (entry.attempts - 1), LAST_RETRY_MS));
      await this.store.retryLater(entry.id, retryAt, message);
      await this.audit.record(null, STRIPE_ACTOR, 'stripeSyncFailed', { type: 'tenant', id: entry.tenantId }, { change: entry.kind, month: entry.month, attempt: entry.attempts, error: message, retryAt: retryAt.toISOString() });
      this.log.warn({ err: error, tenantId: entry.tenantId, change: entry.kind, retryAt }, 'stripe sync failed; will retry');
    }
  }

  /** Makes the tenant's customer and subscription match the tenant as it is now. */
  private async sync(entry: OutboxRow): Promise<void> {
    const [tenant] = await this.tenants.byIds([entry.tenantId]);
    if (!tenant) return; // deleted since: its subscription, if any, is cancelled by its own entry
    const billing = (await this.store.billing(tenant.id)) ?? emptyBilling(tenant.id);
    const key = `askdesk-${tenant.id}-${entry.id}`;
    if (!billing.customerId) {
      const customer = await this.stripe.customers.create(
        { name: tenant.name, email: tenant.contactEmail, metadata: { tenant_id: tenant.id, slug: tenant.slug } },
        { idempotencyKey: `askdesk-customer-${tenant.id}` },
      );
      billing.customerId = customer.id;
      await this.step(tenant.id, { customerId: customer.id }, 'stripeCustomerCreated', { customer: customer.id });
    }

    const plan = await this.tenants.plan(tenant.planCode);
    if (billing.subscribedPlan === plan.code) return;
    if (plan.priceCents === 0) {
      // A free plan (DEMO) has no subscription.
      if (billing.subscriptionId) {
        await this.stripe.subscriptions.cancel(billing.subscriptionId, {}, { idempotencyKey: `${key}-cancel` });
        await this.step(tenant.id, { subscriptionId: null, subscriptionItemId: null, subscribedPlan: plan.code }, 'stripeSubscriptionCancelled', { subscription: billing.subscriptionId, plan: plan.code });
      } else {
        await this.store.saveBilling(tenant.id, { subscribedPlan: plan.code }, this.now());
      }
      return;
    }
    const price = await this.priceOf(plan);
    if (!billing.subscriptionId) {
      const subscription = await this.stripe.subscriptions.create(
        { customer: billing.customerId, items: [{ price }], metadata: { tenant_id: tenant.id, plan: plan.code } },
        { idempotencyKey: `${key}-subscribe` },
      );
      await this.step(tenant.id, { subscriptionId: subscription.id, subscriptionItemId: subscription.items.data[0]?.id ?? null, subscribedPlan: plan.code },
        'stripeSubscriptionCreated', { subscription: subscription.id, plan: plan.code, price });
      return;
    }
    await this.stripe.subscriptions.update(
      billing.subscriptionId,
      { items: [{ id: billing.subscriptionItemId ?? undefined, price }], proration_behavior: 'create_prorations', metadata: { tenant_id: tenant.id, plan: plan.code } },
      { idempotencyKey: `${key}-change` },
    );
    await this.step(tenant.id, { subscribedPlan: plan.code }, 'stripeSubscriptionChanged', { subscription: billing.subscriptionId, from: billing.subscribedPlan, to: plan.code, price });
  }

  /** The month's lines other than the plan, from the very figures of the `invoice` query. */
  private async sendInvoiceItems(entry: OutboxRow): Promise<void> {
    const billing = await this.store.billing(entry.tenantId);
    const [tenant] = await this.tenants.byIds([entry.tenantId]);
    if (!tenant || !billing?.customerId || !entry.month) return;
    const invoice = await this.invoices.invoice(tenant.id, entry.month);
    const items = invoice.lines.filter((line) => line.kind !== PAID_BY_SUBSCRIPTION);
    if (items.length === 0) return;
    for (const line of items) {
      await this.stripe.invoiceItems.create(
        {
          customer: billing.customerId,
          currency: invoice.currency.toLowerCase(),
          description: line.description,
          quantity: line.quantity,
          unit_amount_decimal: Stripe.Decimal.from(line.unitCents),
          metadata: { tenant_id: tenant.id, month: entry.month, line: line.kind },
        },
        // Per tenant, month and line: a retry after a lost reply creates no second item.
        { idempotencyKey: `askdesk-${tenant.id}-${entry.month}-${line.kind}` },
      );
    }
    await this.audit.record(null, STRIPE_ACTOR, 'stripeInvoiceItems', { type: 'tenant', id: tenant.id }, {
      month: entry.month, items: items.length, amountCents: items.reduce((sum, line) => sum + line.amountCents, 0),
    });
  }

  private async cancel(entry: OutboxRow): Promise<void> {
    if (!entry.subscriptionId) return;
    try {
      await this.stripe.subscriptions.cancel(entry.subscriptionId, {}, { idempotencyKey: `askdesk-${entry.tenantId}-${entry.id}-cancel` });
    } catch (error) {
      // Already gone on Stripe's side: nothing left to cancel.
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404)) throw error;
    }
    await this.audit.record(null, STRIPE_ACTOR, 'stripeSubscriptionCancelled', { type: 'tenant', id: entry.tenantId }, { subscription: entry.subscriptionId, reason: 'tenant deleted' });
  }

  /** One step of a sync: its result kept and audited together. */
  private async step(tenantId: string, fields: Partial<TenantBillingRow>, action: string, detail: Record<string, unknown>): Promise<void> {
    await this.data.transaction(async (tx) => {
      await this.store.within(tx).saveBilling(tenantId, fields, this.now());
      await this.audit.record(tx, STRIPE_ACTOR, action, { type: 'tenant', id: tenantId }, detail);
    });
  }

  /**
   * The plan's monthly price in Stripe, found by lookup key or created on first use. The key holds the amount, so
   * a plan whose price a migration changes gets a new Stripe price and subscriptions move to it on their next sync.
   */
  private priceOf(plan: Plan): Promise<string> {
    const lookupKey = `askdesk_${plan.code.toLowerCase()}_${plan.priceCents}`;
    let price = this.prices.get(lookupKey);
    if (!price) {
      price = (async () => {
        const found = await this.stripe.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 });
        if (found.data[0]) return found.data[0].id;
        const created = await this.stripe.prices.create(
          { currency: 'eur', unit_amount: plan.priceCents, recurring: { interval: 'month' }, lookup_key: lookupKey, product_data: { name: `AskDesk ${plan.name}` }, metadata: { plan: plan.code } },
          { idempotencyKey: `askdesk-price-${lookupKey}` },
        );
        return created.id;
      })();
      price.catch(() => this.prices.delete(lookupKey));
      this.prices.set(lookupKey, price);
    }
    return price;
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}

function emptyBilling(tenantId: string): TenantBillingRow {
  return { tenantId, customerId: null, subscriptionId: null, subscriptionItemId: null, subscribedPlan: null, status: 'ACTIVE', pastDueSince: null, suspendAt: null, failedInvoiceId: null };
}

/** The month before the one `now` falls in, as YYYY-MM (UTC, as invoices count months). */
function previousMonth(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}
