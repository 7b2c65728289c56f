import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { StripeFake } from '../fakes/stripe-fake';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app';
import { cspProblems, ensureWebBuilt, launchBrowser, shot, watchConsole } from './helpers/browser';

const fake = new StripeFake();
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  ensureWebBuilt();
  await fake.start();
  [t, browser] = await Promise.all([
    startTestApp({ STRIPE_SECRET_KEY: fake.secretKey, STRIPE_WEBHOOK_SECRET: fake.webhookSecret, STRIPE_API_BASE: fake.url, STRIPE_PAYMENT_GRACE_DAYS: '5' }),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await fake.close();
});

describe('admin console with Stripe billing', () => {
  it("shows a tenant's billing: customer, subscription, the unpaid invoice and the suspension date", async () => {
    const tenant = await t.tenant('BUSINESS', { name: 'Clinique Stripe' });
    await t.app.services.stripeBilling!.drain();
    const customer = [...fake.customers.values()].find((c) => c.metadata.tenant_id === tenant.id)!;
    const invoice = fake.invoice(customer.id);
    const event = fake.delivery('invoice.payment_failed', invoice);
    const delivered = await fetch(`${t.app.server.url}/webhooks/stripe`, { method: 'POST', headers: { 'stripe-signature': event.signature }, body: event.payload });
    expect(delivered.status).toBe(200);

    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    const problems = watchConsole(page);
    await page.goto(`${t.app.server.url}/admin`);
    await page.getByTestId('admin-key').fill(ADMIN_KEY);
    await page.getByTestId('login').click();
    await page.getByTestId('tenant-row').first().click();
    const block = page.getByTestId('tenant-billing');
    await block.waitFor();
    expect(await page.getByTestId('billing-status').textContent()).toBe('payment failed');
    const text = (await block.textContent())!;
    expect(text).toContain(customer.id);
    expect(text).toMatch(/sub_\w+/);
    expect(text).toContain(invoice.id as string);
    const suspendAt = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    expect(await page.getByTestId('billing-suspend-at').textContent()).toContain(suspendAt);
    await block.scrollIntoViewIfNeeded();
    await shot(page, 'admin-billing-01-past-due');
    expect(cspProblems(problems)).toEqual([]);
  });
});
