import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app';
import { cspProblems, ensureWebBuilt, launchBrowser, shot, watchConsole } from './helpers/browser';
import { QuotaDocument } from '../operations/operations.generated';

let t: TestApp;
let browser: Browser;
let folder: string;

beforeAll(async () => {
  ensureWebBuilt();
  [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-docs-'));
  fs.writeFileSync(path.join(folder, 'vpn.md'), '# VPN\n\nTo connect to the VPN, install GlobalProtect and sign in at vpn.chu.example with your hospital account.\n');
  fs.writeFileSync(path.join(folder, 'printers.html'), '<html><body><h1>Printers</h1><p>To add a printer, open Settings and choose the printer named after your ward.</p></body></html>');
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

describe('admin console', () => {
  it('creates a tenant, issues a key, uploads documents, tests retrieval and charts the asks made', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const problems = watchConsole(page);
    const response = await page.goto(`${t.app.server.url}/admin`);
    expect(response!.headers()['content-security-policy']).toContain("style-src 'self'");

    // A client key is not enough for the console.
    const client = await t.tenant('STARTER');
    await page.getByTestId('admin-key').fill(client.key);
    await page.getByTestId('login').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toContain('admin key');
    expect(await page.getByTestId('error-code').textContent()).toBe('FORBIDDEN');
    await page.getByTestId('admin-key').fill(ADMIN_KEY);
    await page.getByTestId('login').click();

    await page.getByTestId('tenant-name').fill('CHU de Test-sur-Mer');
    await page.getByTestId('tenant-email').fill('dsi@chu-test.example');
    await page.getByTestId('tenant-plan').selectOption('BUSINESS');
    await page.getByTestId('create-tenant').click();
    await expect.poll(() => page.getByTestId('key-secret').textContent()).toMatch(/^sk_business_[\w-]{43}$/);
    await shot(page, 'admin-01-created');

    // The list is searched on the server: only the matching tenant is listed.
    await page.getByPlaceholder('Search name, slug or e-mail').fill('test-sur');
    await expect.poll(() => page.getByTestId('tenant-row').count()).toBe(1);
    await page.getByTestId('tenant-row').click();

    await page.getByTestId('key-name').fill('intranet widget');
    await page.getByTestId('issue-key').click();
    await expect.poll(() => page.getByTestId('key-secret').textContent()).toMatch(/^sk_business_/);
    const key = (await page.getByTestId('key-secret').textContent())!;
    await expect.poll(() => page.locator('#keys tbody tr').count()).toBe(2);

    await page.getByTestId('document-file').setInputFiles([path.join(folder, 'vpn.md'), path.join(folder, 'printers.html')]);
    await page.getByTestId('upload-document').click();
    await expect.poll(() => page.getByTestId('document-row').count(), { timeout: 15_000 }).toBe(2); // two files indexed: slow on a loaded machine
    expect(await page.getByTestId('document-row').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('text/markdown'), expect.stringContaining('text/html')]));

    await page.getByTestId('retrieval-query').fill('How do I connect to the VPN?');
    await page.getByTestId('retrieval-run').click();
    await expect.poll(() => page.getByTestId('retrieval-hit').first().textContent()).toContain('vpn');
    await shot(page, 'admin-02-documents');

    // Three asks with the key just issued, then the tenant's chart and the service-wide chart count them.
    for (const question of ['How do I connect to the VPN?', 'How do I add a printer?', 'VPN on a phone?']) {
      const asked = await t.gql(`mutation($q: String!) { ask(input: { question: $q }) { answer } }`, { q: question }, { key });
      expect(asked.body.errors).toBeUndefined();
    }
    await page.getByRole('button', { name: '← All tenants' }).click();
    await page.getByTestId('tenant-row').first().waitFor();
    await page.getByPlaceholder('Search name, slug or e-mail').fill('test-sur');
    await expect.poll(() => page.getByTestId('tenant-row').count()).toBe(1);
    await page.getByTestId('tenant-row').click();
    const chart = page.getByTestId('usage-chart');
    await expect.poll(() => chart.locator('[data-total="requests"]').textContent()).toBe('3');
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
    await page.locator('.notice').waitFor({ state: 'detached', timeout: 10_000 });
    await chart.scrollIntoViewIfNeeded();
    await shot(page, 'admin-03-usage');

    // The invoice prints on its own: the print stylesheet hides the console around it.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    expect(await page.locator('#keys').isVisible()).toBe(false);
    expect(await page.locator('.invoice .printable').textContent()).toMatch(/Business plan.*Total/);
    await shot(page, 'admin-03b-invoice-print');
    await page.emulateMedia({ media: 'screen' });

    const [csv] = await Promise.all([page.waitForEvent('download'), chart.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(fs.readFileSync((await csv.path())!, 'utf8')).toMatch(/^day,requests,succeeded/);

    await page.getByRole('button', { name: 'Usage', exact: true }).click();
    await expect.poll(() => page.getByTestId('usage-chart').locator('[data-total="requests"]').textContent()).toBe('3');
    await shot(page, 'admin-04-service-usage');
    await page.getByRole('button', { name: 'Audit log' }).click();
    await expect.poll(() => page.locator('.events li').count()).toBeGreaterThan(2);
    await shot(page, 'admin-05-audit');

    expect(cspProblems(problems)).toEqual([]);
    await context.close();
  });

  it('changes settings, suspends and reactivates, rotates and revokes keys, shows ratings, and deletes only after the name is typed', async () => {
    const tenant = await t.tenant('BUSINESS');
    const name = (await t.gql(`query($id: ID!) { tenant(id: $id) { name } }`, { id: tenant.id })).body.data.tenant.name;
    await t.gql(`mutation($t: ID!) { addDocuments(tenantId: $t, documents: [{ title: "VPN", content: "Install GlobalProtect to connect to the VPN." }]) { chunkCount } }`, { t: tenant.id });
    const asked = await t.gql(`mutation { ask(input: { question: "How do I connect to the VPN?" }) { messageId } }`, {}, { key: tenant.key });
    await t.gql(`mutation($m: ID!) { rateAnswer(input: { messageId: $m, rating: DOWN, comment: "too short" }) { id } }`, { m: asked.body.data.ask.messageId }, { key: tenant.key });

    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${t.app.server.url}/admin`);
    await page.getByTestId('admin-key').fill(ADMIN_KEY);
    await page.getByTestId('login').click();
    await page.getByPlaceholder('Search name, slug or e-mail').fill(name);
    await expect.poll(() => page.getByTestId('tenant-row').count()).toBe(1);
    await page.getByTestId('tenant-row').click();

    await page.getByLabel('Rate override per minute').fill('7');
    await page.getByLabel('Allowed origins for the widget').fill('https://intranet.chu.example\nhttps://portal.chu.example');
    await page.getByTestId('visitor-asks-per-day').fill('5');
    await page.getByTestId('document-self-service').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect
      .poll(async () => (await t.gql(`query($id: ID!) { tenant(id: $id) { rateOverride allowedOrigins documentSelfService visitorAsksPerDay } }`, { id: tenant.id })).body.data.tenant)
      .toEqual({ rateOverride: 7, allowedOrigins: ['https://intranet.chu.example', 'https://portal.chu.example'], documentSelfService: true, visitorAsksPerDay: 5 });

    // The rated-down answer is one of the tenant's unanswered questions.
    await expect.poll(() => page.locator('#gaps').getByTestId('gap-row').count()).toBe(1);
    expect(await page.locator('#gaps').getByTestId('gap-row').textContent()).toContain('rated unhelpful');

    await page.getByLabel('Reason for suspending').fill('unpaid invoice');
    await page.getByRole('button', { name: 'Suspend' }).click();
    await page.getByRole('button', { name: 'Reactivate' }).waitFor();
    await page.getByRole('button', { name: 'Reactivate' }).click();
    await page.getByRole('button', { name: 'Suspend' }).waitFor();

    await page.locator('#keys tbody tr').first().getByRole('button', { name: 'Rotate' }).click();
    await expect.poll(() => page.getByTestId('key-secret').textContent()).toMatch(/^sk_business_/);
    const rotated = (await page.getByTestId('key-secret').textContent())!;
    expect((await t.gql(QuotaDocument, {}, { key: rotated })).body.data.quota.used).toBe(1);
    await expect.poll(() => page.locator('#keys tbody tr').count()).toBe(2);
    await page.locator('#keys tbody tr').last().getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => page.locator('#keys tbody tr').last().textContent()).toContain('revoked');

    await expect.poll(() => page.locator('#activity').textContent()).toContain('too short');
    await page.locator('#settings').scrollIntoViewIfNeeded();
    await shot(page, 'admin-06-settings');

    // The widget snippet carries a publishable key of its own.
    await page.getByTestId('widget-snippet-issue').click();
    await expect.poll(() => page.getByTestId('widget-snippet').textContent()).toMatch(/widget\.js" data-endpoint=".*\/graphql" data-key="pk_business_[\w-]{43}"/);
    await page.locator('#package').scrollIntoViewIfNeeded();
    await shot(page, 'admin-07-widget-snippet');

    const remove = page.getByRole('button', { name: 'Delete tenant' });
    expect(await remove.isDisabled()).toBe(true);
    await page.getByLabel('Tenant name, to confirm deletion').fill(name.slice(0, -1));
    expect(await remove.isDisabled()).toBe(true);
    await page.getByLabel('Tenant name, to confirm deletion').fill(name);
    await remove.click();
    await page.getByTestId('create-tenant').waitFor();
    expect((await t.gql(`query($id: ID!) { tenant(id: $id) { id } }`, { id: tenant.id })).body.data.tenant).toBeNull();

    expect(cspProblems(problems)).toEqual([]);
    await context.close();
  });
});
