import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/app';
import { cspProblems, ensureWebBuilt, launchBrowser, shot, watchConsole } from './helpers/browser';

const DOCS = [
  { title: 'VPN access', sourceUrl: 'https://intranet.example/vpn', content: 'To connect to the VPN, install GlobalProtect, open it and sign in at vpn.chu.example with your hospital account. On a phone, install the GlobalProtect app from the store and use the same portal address.' },
  { title: 'Printers', content: 'To add a printer, open Settings, choose Printers and pick the printer named after your ward.' },
];

let t: TestApp;
let browser: Browser;
let hasRatings = false;

beforeAll(async () => {
  ensureWebBuilt();
  [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  const schema = await t.gql(`{ __type(name: "Mutation") { fields { name } } }`);
  hasRatings = schema.body.data.__type.fields.some((f: { name: string }) => f.name === 'rateAnswer');
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function tenantWithDocs(overrides: Record<string, unknown> = {}) {
  const tenant = await t.tenant('BUSINESS');
  if (Object.keys(overrides).length) {
    const updated = await t.gql(`mutation($id: ID!, $input: UpdateTenantInput!) { updateTenant(id: $id, input: $input) { id } }`, { id: tenant.id, input: overrides });
    expect(updated.body.errors).toBeUndefined();
  }
  const added = await t.gql(`mutation($t: ID!, $d: [DocumentInput!]!) { addDocuments(tenantId: $t, documents: $d) { chunkCount } }`, { t: tenant.id, d: DOCS });
  expect(added.body.errors).toBeUndefined();
  return tenant;
}

async function openChat(options: { locale?: string; viewport?: { width: number; height: number } } = {}) {
  const context = await browser.newContext({ locale: options.locale ?? 'en-GB', viewport: options.viewport ?? { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = watchConsole(page);
  const response = await page.goto(`${t.app.server.url}/chat`);
  return { page, problems, response: response!, context };
}

async function signIn(page: Page, key: string) {
  await page.getByTestId('api-key').fill(key);
  await page.getByTestId('save-key').click();
  await page.getByTestId('question').waitFor();
}

async function ask(page: Page, question: string) {
  await page.getByTestId('question').fill(question);
  await page.getByTestId('question').press('Enter');
}

describe('chat page', () => {
  it('signs in, streams an answer with citations, follows up, rates, exports, and counts down a rate limit', async () => {
    const tenant = await tenantWithDocs({ rateOverride: 2 });
    const { page, problems, response } = await openChat();
    expect(response.headers()['content-security-policy']).toContain("script-src 'self'");
    await shot(page, 'chat-01-key');

    // A wrong key stays on the form with a clear message; the real one opens the chat.
    await page.getByTestId('api-key').fill('sk_business_not-a-real-key');
    await page.getByTestId('save-key').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toContain('not valid');
    await signIn(page, tenant.key);
    await expect.poll(() => page.getByTestId('quota').textContent()).toBe('10000');
    expect(await page.evaluate(() => location.href)).not.toContain('sk_'); // the key never goes into the URL
    await shot(page, 'chat-02-empty');

    // Record every length the answer takes while it arrives: streaming shows several, a single reply one.
    await page.evaluate(() => {
      const w = window as unknown as { lengths: number[] };
      w.lengths = [];
      new MutationObserver(() => {
        const answers = document.querySelectorAll('[data-testid="answer"] .ad-msg-body');
        const last = answers[answers.length - 1];
        if (last) w.lengths.push((last.textContent ?? '').length);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await ask(page, 'How do I connect to the VPN?');
    const citation = page.getByTestId('answer').last().getByTestId('citation').first();
    await citation.waitFor();
    expect(await citation.textContent()).toBe('VPN access');
    expect(await citation.getAttribute('href')).toBe('https://intranet.example/vpn');
    const lengths: number[] = await page.evaluate(() => (window as unknown as { lengths: number[] }).lengths);
    expect(new Set(lengths.filter((n) => n > 0)).size).toBeGreaterThan(2);
    expect(await page.getByTestId('answer').last().textContent()).toMatch(/GlobalProtect/);
    await expect.poll(() => page.getByTestId('quota').textContent()).toBe('9999');

    if (hasRatings) {
      await page.getByTestId('rate-up').last().click();
      await expect.poll(() => page.getByTestId('rate-up').last().getAttribute('aria-pressed')).toBe('true');
    }

    await ask(page, 'And on a phone?');
    await expect.poll(() => page.getByTestId('answer').count()).toBe(2);
    await page.getByTestId('answer').nth(1).getByTestId('rate-up').waitFor();
    await expect.poll(() => page.locator('.ad-conversations li').count()).toBe(1);
    await shot(page, 'chat-03-answers');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    const exported = fs.readFileSync((await download.path())!, 'utf8');
    expect(exported).toContain('How do I connect to the VPN?');
    expect(download.suggestedFilename()).toMatch(/\.json$/);

    // Third question in the minute: refused, with a countdown; at zero the button comes back and the question goes.
    await ask(page, 'How do I add a printer?');
    await page.getByTestId('countdown').waitFor();
    const seconds = Number(await page.getByTestId('countdown').textContent());
    expect(seconds).toBeGreaterThan(0);
    // The rolling window counts its oldest one-second bucket whole, so a refusal may ask for up to 61 s.
    expect(seconds).toBeLessThanOrEqual(61);
    expect(await page.getByTestId('send').isDisabled()).toBe(true);
    expect(await page.getByTestId('question').inputValue()).toBe('How do I add a printer?');
    await shot(page, 'chat-04-rate-limited');
    await expect.poll(() => page.getByTestId('countdown').textContent(), { timeout: 70_000, intervals: [1000] }).toBe('0');
    expect(await page.getByTestId('send').isEnabled()).toBe(true);
    await page.getByTestId('send').click();
    await expect.poll(() => page.getByTestId('answer').count(), { timeout: 15_000 }).toBe(3);
    await expect.poll(() => page.getByTestId('answer').last().textContent()).toMatch(/printer/i);
    await shot(page, 'chat-05-after-countdown');

    expect(cspProblems(problems)).toEqual([]);
    await page.context().close();
  }, 150_000);

  it('follows the browser language, switches language, reopens a past conversation and works on a phone', async () => {
    const tenant = await tenantWithDocs();
    const { page, problems } = await openChat({ locale: 'fr-FR', viewport: { width: 390, height: 844 } });
    expect(await page.getByTestId('save-key').textContent()).toBe('Continuer');
    // Keyboard only: Tab reaches the key field (after the language switch), with a visible focus ring; Enter signs in.
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
    for (let i = 0; i < 5 && (await focused()) !== 'api-key'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('api-key');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
    await page.keyboard.type(tenant.key);
    await page.keyboard.press('Enter');
    await page.getByTestId('question').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');

    // Shift+Enter makes a new line; Enter sends.
    await page.getByTestId('question').focus();
    await page.keyboard.type('Comment me connecter au VPN ?');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('Merci');
    expect(await page.getByTestId('question').inputValue()).toBe('Comment me connecter au VPN ?\nMerci');
    expect(await page.getByTestId('answer').count()).toBe(0);
    await page.keyboard.press('Enter');
    await page.getByTestId('answer').getByTestId('rate-up').waitFor();
    await shot(page, 'chat-06-phone-fr');
    // Nothing is wider than the phone's screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await page.getByTestId('language').click();
    await expect.poll(() => page.getByTestId('send').textContent()).toBe('Send');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');

    // A new conversation empties the log; the past one opens again from the list.
    await page.getByRole('button', { name: /Conversations/ }).click();
    await page.getByTestId('new-conversation').click();
    expect(await page.getByTestId('answer').count()).toBe(0);
    await page.getByRole('button', { name: /Conversations/ }).click();
    await page.locator('.ad-conversations button').first().click();
    await expect.poll(() => page.getByTestId('answer').count()).toBe(1);
    expect(await page.getByTestId('answer').getByTestId('citation').first().textContent()).toBe('VPN access');
    await shot(page, 'chat-07-phone-en-reopened');

    // The key is kept for the tab only: a reload does not ask again.
    await page.reload();
    await page.getByTestId('question').waitFor();
    expect(cspProblems(problems)).toEqual([]);
    await page.context().close();
  });

  it('explains every refusal: used-up quota with its reset date, suspended tenant, revoked key, blocked key', async () => {
    const quotaTenant = await tenantWithDocs({ quotaOverride: 1 });
    const { page } = await openChat();
    await signIn(page, quotaTenant.key);
    await ask(page, 'How do I connect to the VPN?');
    await page.getByTestId('answer').getByTestId('citation').first().waitFor();
    await expect.poll(() => page.getByTestId('quota').textContent()).toBe('0');
    await ask(page, 'How do I add a printer?');
    await expect.poll(() => page.getByTestId('error').textContent()).toMatch(/used up.*resets on \d+ \w+ \d{4}/);
    await shot(page, 'chat-08-quota');
    await page.context().close();

    const suspended = await t.tenant('STARTER');
    await t.gql(`mutation($id: ID!) { suspendTenant(id: $id, reason: "unpaid") { status } }`, { id: suspended.id });
    const second = await openChat();
    await signIn(second.page, suspended.key);
    await expect.poll(() => second.page.getByTestId('error').textContent()).toMatch(/suspended/);
    await second.page.context().close();

    const revoked = await t.tenant('STARTER');
    const third = await openChat();
    await signIn(third.page, revoked.key);
    await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { status } }`, { id: revoked.keyId });
    await ask(third.page, 'How do I connect to the VPN?');
    await expect.poll(() => third.page.getByTestId('error').textContent()).toMatch(/not valid/);
    await shot(third.page, 'chat-09-revoked');
    await third.page.context().close();

    // A key blocked for abuse (refused RATE_LIMITED more than 3 × its rate) is told until when.
    const abused = await tenantWithDocs({ rateOverride: 1 });
    const fourth = await openChat();
    await signIn(fourth.page, abused.key);
    for (let i = 0; i < 6; i++) await t.gql(`mutation { ask(input: { question: "VPN?" }) { answer } }`, {}, { key: abused.key });
    await ask(fourth.page, 'How do I connect to the VPN?');
    await expect.poll(() => fourth.page.getByTestId('error').textContent()).toMatch(/blocked for abuse until \d+ \w+ \d{4}.*UTC/);
    await fourth.page.context().close();
  });

  it('says when the server cannot be reached, and the retry button sends the question again', async () => {
    const tenant = await tenantWithDocs();
    const { page } = await openChat();
    await signIn(page, tenant.key);
    let down = true;
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      if (down) ws.close({ code: 1011, reason: 'down for maintenance' });
      else ws.connectToServer();
    });
    await ask(page, 'How do I connect to the VPN?');
    await expect.poll(() => page.getByTestId('error').textContent()).toMatch(/could not be reached/);
    expect(await page.getByTestId('answer').count()).toBe(0);
    await shot(page, 'chat-10-unavailable');
    down = false;
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId('answer').getByTestId('citation').first().waitFor();
    expect(await page.getByTestId('error').count()).toBe(0);
    await page.context().close();
  });
});
