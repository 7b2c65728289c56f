import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/app';
import { cspProblems, ensureWebBuilt, launchBrowser, shot, watchConsole } from './helpers/browser';

let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  ensureWebBuilt();
  [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('first contact and the status page', () => {
  it('shows the start page and the status page in the browser’s language, with a FR/EN switch, on a desktop and a phone', async () => {
    for (const [locale, viewport, suffix] of [
      ['fr-FR', { width: 1280, height: 800 }, 'fr'],
      ['en-GB', { width: 390, height: 844 }, 'en-phone'],
    ] as const) {
      const context = await browser.newContext({ locale, viewport });
      const page = await context.newPage();
      const problems = watchConsole(page);
      await page.goto(`${t.app.server.url}/`);
      expect(await page.locator('html').getAttribute('lang')).toBe(locale.slice(0, 2));
      for (const href of ['/chat', '/dashboard', '/admin', '/graphql']) expect(await page.locator(`a[href="${href}"]`).count()).toBe(1);
      await shot(page, `home-${suffix}`);

      await page.goto(`${t.app.server.url}/status`);
      expect(await page.locator('[data-part]').count()).toBe(4);
      expect(await page.locator('.state.up').count()).toBe(4);
      expect(await page.getByRole('status').textContent()).toMatch(locale.startsWith('fr') ? /Tout fonctionne/ : /Everything is working/);
      await shot(page, `status-${suffix}`);
      // The switch changes the language whatever the browser asks for.
      await page.getByRole('link', { name: locale.startsWith('fr') ? 'EN' : 'FR', exact: true }).click();
      expect(await page.locator('html').getAttribute('lang')).toBe(locale.startsWith('fr') ? 'en' : 'fr');
      await shot(page, `status-${suffix}-switched`);
      // No favicon 404, no CSP refusal.
      expect(problems).toEqual([]);
      expect(cspProblems(problems)).toEqual([]);
      await context.close();
    }
  });

  it('links the status page from the chat when the server can’t be reached', async () => {
    const tenant = await t.tenant('BUSINESS');
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${t.app.server.url}/chat`);
    await page.getByTestId('api-key').fill(tenant.key);
    await page.getByTestId('save-key').click();
    await page.getByTestId('question').waitFor();
    // The server goes away (this test is the file's last).
    await t.app.server.close();
    await page.getByTestId('question').fill('How do I connect to the VPN?');
    await page.getByTestId('question').press('Enter');
    const link = page.getByTestId('status-link');
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`${t.app.server.url}/status`);
    await shot(page, 'chat-unreachable-status-link');
    await context.close();
  });
});
