import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StripeFake } from '../fakes/stripe-fake';
import { startTestApp, TestApp } from '../helpers/app';
import { DAY_MS, TestClock } from '../helpers/clock';
import { openTestDatabase } from '../helpers/database';
import { parseConfig } from '../../src/config';

import { AddDocumentsDocument, InvoiceDocument, TenantDocument } from '../../src/contract/operations.generated';
import {
  BillingAuditDocument, ChangePlanDocument, DeleteTenantDocument, IssueApiKeyDocument, KeyKind, MeDocument, MyBillingDocument,
  PlanCode, ReactivateTenantDocument, SuspendTenantDocument, TenantBillingsDocument,
} from '../operations/operations.generated';

const docs = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ title: `${tag} ${i}`, content: `How to reach the ${tag} service number ${i}.` }));
const month = (at: number) => new Date(at).toISOString().slice(0, 7);

const addDocs = (t: TestApp, tenantId: string, n: number, tag: string) => t.gql(AddDocumentsDocument, { tenantId, documents: docs(n, tag) });
// Extra keys are billed as publishable keys beyond the first.
const issueKey = (t: TestApp, tenantId: string, name: string) => t.gql(IssueApiKeyDocument, { tenantId, name, kind: KeyKind.Publishable });
const changePlan = (t: TestApp, tenantId: string, plan: PlanCode) => t.gql(ChangePlanDocument, { tenantId, plan });
const invoiceOf = async (t: TestApp, tenantId: string, month: string) => (await t.gql(InvoiceDocument, { tenantId, month })).body.data!.invoice;

describe('billing with Stripe (STRIPE_SECRET_KEY set)', () => {
  const fake = new StripeFake();
  const clock = new TestClock();
  let t: TestApp;
  const stripe = () => t.app.services.stripeBilling!;
  const billing = async (id: string) => (await t.gql(TenantDocument, { id })).body.data!.tenant as any;
  const audit = async (tenantId: string) => (await t.gql(BillingAuditDocument, { tenantId })).body.data!.auditLog.edges.map((e) => ({ ...e.node, detail: JSON.parse(e.node.detail) }));
  const actions = async (id: string) => (await audit(id)).map((e) => e.action);
  const deliver = (body: string, signature?: string) =>
    fetch(`${t.app.server.url}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) }, body });

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp({
      STRIPE_SECRET_KEY: fake.secretKey,
      STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
      STRIPE_API_BASE: fake.url,
      STRIPE_PAYMENT_GRACE_DAYS: '3',
      // The test runs the job itself (tick), with the clock where it wants it.
      STRIPE_SYNC_INTERVAL_MS: '86400000',
    }, undefined, { clock });
  });
  afterAll(async () => {
    await t?.close();
    await fake.close();
  });

  let a: { id: string; key: string };
  let customer: string;

  it('creates a customer and a subscription to the plan price for a new tenant, and audits each step', async () => {
    a = await t.tenant('BUSINESS', { name: 'CHU Nord', contactEmail: 'dsi@chu-nord.example' });
    await stripe().drain();
    const state = await billing(a.id);
    customer = state.billing.customerId;
    expect(fake.customers.get(customer)).toMatchObject({ name: 'CHU Nord', email: 'dsi@chu-nord.example', metadata: { tenant_id: a.id } });
    const subscription = fake.subscriptions.get(state.billing.subscriptionId);
    expect(subscription).toMatchObject({ customer, status: 'active', metadata: { tenant_id: a.id, plan: 'BUSINESS' } });
    expect(subscription.items.data[0].price).toMatchObject({ unit_amount: 29900, currency: 'eur', recurring: { interval: 'month' }, lookup_key: 'askdesk_business_29900' });
    expect(state.billing).toMatchObject({ status: 'ACTIVE', pastDueSince: null, suspendAt: null, pendingChanges: 0 });
    expect(await actions(a.id)).toEqual(expect.arrayContaining(['createTenant', 'stripeCustomerCreated', 'stripeSubscriptionCreated']));
    for (const r of fake.requests) expect(r.path).toMatch(/^\/v1\//);
  });

  it('moves the subscription to the new plan price when the plan changes, with one price per plan', async () => {
    expect((await changePlan(t, a.id, PlanCode.Enterprise)).body.errors).toBeUndefined();
    await stripe().drain();
    const state = await billing(a.id);
    const subscription = fake.subscriptions.get(state.billing.subscriptionId);
    expect(subscription.items.data).toHaveLength(1);
    expect(subscription.items.data[0].price).toMatchObject({ unit_amount: 99900, lookup_key: 'askdesk_enterprise_99900' });
    expect(subscription.proration_behavior).toBe('create_prorations');
    expect(await actions(a.id)).toContain('stripeSubscriptionChanged');

    // A second tenant on BUSINESS reuses the price made for the first.
    const b = await t.tenant('BUSINESS');
    await stripe().drain();
    expect([...fake.prices.values()].filter((p) => p.lookup_key === 'askdesk_business_29900')).toHaveLength(1);
    // DEMO is free: a customer, no subscription.
    const demo = await t.tenant('DEMO');
    await stripe().drain();
    expect((await billing(demo.id)).billing).toMatchObject({ subscriptionId: null, status: 'ACTIVE' });
    expect((await billing(demo.id)).billing.customerId).toMatch(/^cus_/);
    // Moving a paying tenant to DEMO cancels its subscription.
    const subscriptionOfB = (await billing(b.id)).billing.subscriptionId;
    await changePlan(t, b.id, PlanCode.Demo);
    await stripe().drain();
    expect(fake.subscriptions.get(subscriptionOfB).status).toBe('canceled');
    expect((await billing(b.id)).billing.subscriptionId).toBeNull();
  });

  it("keeps the operator's change when Stripe is unreachable, and sends it on a later run", async () => {
    fake.unreachable = true;
    const res = await changePlan(t, a.id, PlanCode.Business);
    expect(res.body.errors).toBeUndefined();
    await stripe().drain();
    let state = await billing(a.id);
    expect(state.billing.pendingChanges).toBe(1);
    expect(await actions(a.id)).toContain('stripeSyncFailed');
    const subscription = fake.subscriptions.get(state.billing.subscriptionId);
    expect(subscription.items.data[0].price.unit_amount).toBe(99900);

    fake.unreachable = false;
    await stripe().drain(); // not yet due: the retry waits
    expect((await billing(a.id)).billing.pendingChanges).toBe(1);
    clock.advance(31_000);
    await stripe().tick();
    state = await billing(a.id);
    expect(state.billing.pendingChanges).toBe(0);
    expect(subscription.items.data[0].price.unit_amount).toBe(29900);
  });

  it("sends last month's extra keys and document lots as invoice items, from the invoice's own lines, once", async () => {
    const billed = month(clock.now());
    for (const name of ['kiosk', 'ward', 'lobby']) expect((await issueKey(t, a.id, name)).body.errors).toBeUndefined();
    await addDocs(t, a.id, 12, 'billing');
    const invoice = await invoiceOf(t, a.id, billed);
    expect(invoice.lines).toHaveLength(3);

    await stripe().tick(); // the month is not over: nothing sent
    expect(fake.invoiceItems.filter((i) => i.customer === customer)).toHaveLength(0);

    const now = new Date(clock.now());
    clock.advance(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1, 6) - clock.now());
    await stripe().tick();
    await stripe().tick();
    const items = fake.invoiceItems.filter((i) => i.customer === customer);
    expect(items.map((i) => ({ description: i.description, quantity: i.quantity, unitCents: Number(i.unit_amount_decimal), amountCents: i.amount })))
      .toEqual(invoice.lines.slice(1));
    expect(items.every((i) => i.currency === 'eur' && i.metadata.month === billed)).toBe(true);
    expect(await actions(a.id)).toContain('stripeInvoiceItems');
  });

  it('refuses a webhook with a bad or missing signature, changing nothing', async () => {
    const event = fake.delivery('invoice.payment_failed', fake.invoice(customer));
    const forged = fake.delivery('invoice.payment_failed', fake.invoice(customer), { id: event.id, secret: 'whsec_someoneelse' });
    for (const res of [await deliver(event.payload), await deliver(event.payload, forged.signature), await deliver(event.payload.replace('"eur"', '"usd"'), event.signature)]) {
      expect(res.status).toBe(400);
      expect((await res.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
    const get = await fetch(`${t.app.server.url}/webhooks/stripe`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    const huge = await deliver('x'.repeat(2 * 1024 * 1024), event.signature);
    expect(huge.status).toBe(413);
    expect((await billing(a.id)).billing.status).toBe('ACTIVE');
    expect(await actions(a.id)).not.toContain('stripePaymentFailed');
  });

  let failed: Record<string, any>;
  it('suspends a tenant whose payment failed once the grace is over, not before, once per event', async () => {
    failed = fake.invoice(customer);
    const event = fake.delivery('invoice.payment_failed', failed);
    expect((await deliver(event.payload, event.signature)).status).toBe(200);
    const since = clock.now();
    let state = await billing(a.id);
    expect(state.status).toBe('ACTIVE');
    expect(state.billing).toMatchObject({ status: 'PAST_DUE', unpaidInvoiceId: failed.id });
    expect(Date.parse(state.billing.suspendAt) - Date.parse(state.billing.pastDueSince)).toBe(3 * DAY_MS);
    expect(Math.abs(Date.parse(state.billing.pastDueSince) - since)).toBeLessThan(5_000);

    // Stripe delivers at least once: the same event again changes nothing.
    expect((await deliver(event.payload, event.signature)).status).toBe(200);
    expect((await billing(a.id)).billing.pastDueSince).toBe(state.billing.pastDueSince);

    clock.advance(2 * DAY_MS);
    await stripe().tick();
    expect((await billing(a.id)).status).toBe('ACTIVE');
    expect((await t.gql(MeDocument, {}, { key: a.key })).body.data!.me.id).toBe(a.id);

    clock.advance(DAY_MS + 60_000);
    await stripe().tick();
    state = await billing(a.id);
    expect(state.status).toBe('SUSPENDED');
    expect(state.billing.status).toBe('SUSPENDED');
    const me = await t.gql(MeDocument, {}, { key: a.key });
    expect(me.body.errors![0].extensions.code).toBe('TENANT_SUSPENDED');
    const log = await audit(a.id);
    expect(log.find((e: any) => e.action === 'suspendTenant')).toMatchObject({ actor: 'stripe', detail: { reason: `payment failed: invoice ${failed.id}` } });
    expect(log.filter((e: any) => e.action === 'stripePaymentFailed')).toHaveLength(1);
  });

  it('reactivates the tenant when that invoice is paid', async () => {
    const paid = fake.delivery('invoice.paid', { ...failed, status: 'paid' });
    expect((await deliver(paid.payload, paid.signature)).status).toBe(200);
    const state = await billing(a.id);
    expect(state.status).toBe('ACTIVE');
    expect(state.billing).toMatchObject({ status: 'ACTIVE', pastDueSince: null, suspendAt: null, unpaidInvoiceId: null });
    expect((await t.gql(MeDocument, {}, { key: a.key })).body.data!.me.id).toBe(a.id);
    expect(await actions(a.id)).toEqual(expect.arrayContaining(['stripeInvoicePaid', 'reactivateTenant']));
  });

  it('leaves a suspension the operator made for another reason in place when the invoice is paid', async () => {
    const invoice = fake.invoice(customer);
    const fail = fake.delivery('invoice.payment_failed', invoice);
    await deliver(fail.payload, fail.signature);
    clock.advance(3 * DAY_MS + 60_000);
    await stripe().tick();
    expect((await billing(a.id)).status).toBe('SUSPENDED');
    await t.gql(SuspendTenantDocument, { id: a.id, reason: 'security audit' });
    const paid = fake.delivery('invoice.paid', { ...invoice, status: 'paid' });
    expect((await deliver(paid.payload, paid.signature)).status).toBe(200);
    const state = await billing(a.id);
    expect(state.status).toBe('SUSPENDED');
    expect(state.billing.status).toBe('ACTIVE');
    await t.gql(ReactivateTenantDocument, { id: a.id });
  });

  it('shows billing to the operator only', async () => {
    const res = await t.gql(MyBillingDocument, {}, { key: a.key });
    expect(res.body.errors![0].extensions.code).toBe('FORBIDDEN');
  });

  it("cancels a deleted tenant's subscription", async () => {
    const subscription = (await billing(a.id)).billing.subscriptionId;
    expect((await t.gql(DeleteTenantDocument, { id: a.id })).body.data!.deleteTenant).toBe(true);
    await stripe().drain();
    expect(fake.subscriptions.get(subscription).status).toBe('canceled');
    expect(await actions(a.id)).toContain('stripeSubscriptionCancelled');
  });
});

describe('without STRIPE_SECRET_KEY', () => {
  it('calls no Stripe, serves no webhook, shows no billing, and computes the same invoice', async () => {
    const fake = await new StripeFake().start();
    const database = await openTestDatabase();
    const withStripe = await startTestApp({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_WEBHOOK_SECRET: fake.webhookSecret, STRIPE_API_BASE: fake.url }, database);
    const activity = async (t: TestApp) => {
      const tenant = await t.tenant('BUSINESS');
      await issueKey(t, tenant.id, 'first');
      await issueKey(t, tenant.id, 'second');
      await addDocs(t, tenant.id, 11, 'lot');
      await changePlan(t, tenant.id, PlanCode.Enterprise);
      return invoiceOf(t, tenant.id, month(Date.now()));
    };
    const invoiceWithStripe = await activity(withStripe);
    await withStripe.app.services.stripeBilling!.drain();
    await withStripe.close();
    const seen = fake.requests.length;
    expect(seen).toBeGreaterThan(0);

    const t = await startTestApp({ STRIPE_API_BASE: fake.url }, database);
    try {
      expect(t.app.services.stripeBilling).toBeUndefined();
      const invoice = await activity(t);
      expect(invoice).toEqual(invoiceWithStripe);
      expect(invoice.lines.map((l: any) => l.amountCents)).toEqual([99900, 5000, 30000]);
      const tenants = (await t.gql(TenantBillingsDocument, {})).body.data!.tenants.edges;
      expect(tenants.map((e) => e.node.billing)).toEqual([null, null]);
      const event = fake.delivery('invoice.payment_failed', fake.invoice('cus_x'));
      const res = await fetch(`${t.app.server.url}/webhooks/stripe`, { method: 'POST', headers: { 'stripe-signature': event.signature }, body: event.payload });
      expect(res.status).toBe(404);
      expect(fake.requests.length).toBe(seen);
    } finally {
      await t.close();
      await database.close();
      await fake.close();
    }
  });
});

describe('Stripe configuration', () => {
  it('needs the webhook secret with the key, and parses the API address', () => {
    expect(() => parseConfig({ STRIPE_SECRET_KEY: 'sk_test_abc' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(() => parseConfig({ STRIPE_SECRET_KEY: 'pk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => parseConfig({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc', STRIPE_PAYMENT_GRACE_DAYS: '-1' })).toThrow(/STRIPE_PAYMENT_GRACE_DAYS/);
    const config = parseConfig({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc', STRIPE_API_BASE: 'http://127.0.0.1:12111' });
    expect(config.stripe).toEqual({ secretKey: 'sk_test_abc', webhookSecret: 'whsec_abc', api: { protocol: 'http', host: '127.0.0.1', port: 12111 }, paymentGraceDays: 7, syncIntervalMs: 30_000 });
    expect(parseConfig({}).stripe).toBeUndefined();
  });
});
