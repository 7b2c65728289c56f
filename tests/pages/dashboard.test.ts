import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/app';
import { ARTIFACTS, cspProblems, ensureWebBuilt, launchBrowser, shot, watchConsole } from './helpers/browser';

const DOCS = [{ title: 'VPN access', content: 'To connect to the VPN, install GlobalProtect and sign in at vpn.chu.example with your hospital account.' }];
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };
const ROOMS = 'How do I book a meeting room in building C?';
const BADGE = 'Where do I collect my parking badge?';

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

/** A BUSINESS tenant with the VPN document and the operator's settings given. */
async function tenantWith(settings: Record<string, unknown>) {
  const tenant = await t.tenant('BUSINESS');
  await t.gql(`mutation($t: ID!, $d: [DocumentInput!]!) { addDocuments(tenantId: $t, documents: $d) { chunkCount } }`, { t: tenant.id, d: DOCS });
  const updated = await t.gql(`mutation($id: ID!, $input: UpdateTenantInput!) { updateTenant(id: $id, input: $input) { id } }`, { id: tenant.id, input: settings });
  expect(updated.body.errors).toBeUndefined();
  return tenant;
}

async function publishableKey(tenantId: string): Promise<string> {
  const res = await t.gql(`mutation($t: ID!) { issueApiKey(tenantId: $t, name: "intranet", kind: PUBLISHABLE) { secret } }`, { t: tenantId });
  return res.body.data.issueApiKey.secret;
}

async function signIn(page: Page, key: string) {
  await page.getByTestId('dashboard-key').fill(key);
  await page.getByTestId('dashboard-login').click();
}

async function chatAsk(page: Page, question: string) {
  const answers = await page.getByTestId('answer').count();
  await page.getByTestId('question').fill(question);
  await page.getByTestId('send').click();
  await expect.poll(() => page.getByTestId('answer').count(), { timeout: 15_000 }).toBe(answers + 1);
}

describe('the client dashboard', () => {
  it('signs in with a secret key, charts usage, issues a publishable key, uploads a document, tests retrieval and lists an unanswered question', async () => {
    const tenant = await tenantWith({ documentSelfService: true, visitorAsksPerDay: 20 });
    // One answered ask and one the documents can't answer: the second is the gap the dashboard must show.
    for (const question of ['How do I connect to the VPN?', 'How do I book a meeting room in building C?']) {
      await t.gql(`mutation($q: String!) { ask(input: { question: $q }) { grounded } }`, { q: question }, { key: tenant.key });
    }
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-GB', acceptDownloads: true });
    const page = await context.newPage();
    const problems = watchConsole(page);
    const response = await page.goto(`${t.app.server.url}/dashboard`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    await shot(page, 'dashboard-01-sign-in');

    // A publishable key is for pages: the dashboard says which key it needs.
    await signIn(page, await publishableKey(tenant.id));
    await expect.poll(() => page.getByTestId('error').textContent()).toContain('needs a secret key');
    await signIn(page, tenant.key);

    await page.getByTestId('usage-chart').waitFor();
    await expect.poll(() => page.getByTestId('usage-chart').locator('[data-total="requests"]').textContent()).toBe('2');
    expect(await page.getByTestId('usage-chart').locator('canvas').count()).toBe(1);
    // Counts tick on whole numbers, from zero (not 0.5, 1.5 for a count of 2).
    const ticks = (await page.getByTestId('usage-chart').locator('.chart').getAttribute('data-y-ticks'))!.split(' ').map(Number);
    expect(ticks.slice(0, 3)).toEqual([0, 1, 2]);
    expect(ticks.every(Number.isInteger)).toBe(true);
    await expect.poll(() => page.getByTestId('gap-row').count()).toBe(1);
    expect(await page.getByTestId('gap-row').textContent()).toContain('book a meeting room');
    await shot(page, 'dashboard-02-overview-en');

    // By month: the same asks, one bucket.
    await page.getByTestId('usage-month').click();
    await expect.poll(() => page.getByTestId('usage-chart').locator('summary').textContent()).toBe('Figures by month');
    expect(await page.getByTestId('usage-chart').locator('[data-total="requests"]').textContent()).toBe('2');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('usage-chart').getByRole('button', { name: 'Download CSV' }).click()]);
    expect(fs.readFileSync((await csv.path())!, 'utf8')).toMatch(/^month,requests,/);

    // A publishable key for the intranet page, its secret shown once.
    await page.getByTestId('key-name').fill('intranet page');
    await page.getByTestId('key-kind').selectOption('PUBLISHABLE');
    await page.getByTestId('issue-key').click();
    await expect.poll(() => page.getByTestId('key-secret').textContent()).toMatch(/^pk_business_[\w-]{43}$/);
    await expect.poll(() => page.getByTestId('key-row').filter({ hasText: 'intranet page' }).textContent()).toContain('publishable');
    await page.locator('#keys').scrollIntoViewIfNeeded();
    await shot(page, 'dashboard-03-key-issued');

    // Self-service is on: the IT team uploads the missing document, and the retrieval test finds it.
    const file = path.join(ARTIFACTS, 'meeting-rooms.md');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(file, '# Meeting rooms\n\nTo book a meeting room in building C, open the Rooms app on the intranet and choose a free slot.\n');
    await page.getByTestId('document-file').setInputFiles(file);
    await page.getByTestId('upload-document').click();
    await expect.poll(() => page.getByTestId('document-row').count(), { timeout: 15_000 }).toBe(2);
    await page.getByTestId('retrieval-query').fill('book a meeting room');
    await page.getByTestId('retrieval-run').click();
    await expect.poll(() => page.getByTestId('retrieval-hit').first().textContent()).toContain('meeting-rooms');
    await page.locator('#documents').scrollIntoViewIfNeeded();
    await shot(page, 'dashboard-04-documents');

    // Every conversation of the tenant, as a file.
    const [exported] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    expect(fs.readFileSync((await exported.path())!, 'utf8')).toContain('book a meeting room');

    // French, then a phone: the same page (once the upload's notice has gone, so the pictures show the page).
    await page.locator('.notice').waitFor({ state: 'detached', timeout: 10_000 });
    await page.getByTestId('language').click();
    await expect.poll(() => page.locator('#gaps h2').textContent()).toBe('Questions sans réponse');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'dashboard-05-overview-fr');
    await page.setViewportSize(PHONE);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'dashboard-06-phone-fr');
    await page.locator('#gaps').scrollIntoViewIfNeeded();
    await shot(page, 'dashboard-07-phone-gaps-fr');
    await page.getByTestId('language').click();
    await page.locator('#troubleshooting').scrollIntoViewIfNeeded();
    await page.locator('#troubleshooting summary').first().click();
    await shot(page, 'dashboard-08-phone-help-en');
    expect(await page.locator('#troubleshooting details').count()).toBe(7);

    expect(cspProblems(problems)).toEqual([]);
    await context.close();
  });

  it('without self-service, lists the documents and says who adds them (in French for a French browser)', async () => {
    const tenant = await tenantWith({ documentSelfService: false });
    const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR' });
    const page = await context.newPage();
    await page.goto(`${t.app.server.url}/dashboard`);
    await signIn(page, tenant.key);
    await expect.poll(() => page.getByTestId('document-row').count()).toBe(1);
    expect(await page.getByTestId('document-file').count()).toBe(0);
    expect(await page.getByTestId('upload-document').count()).toBe(0);
    expect(await page.getByTestId('documents-read-only').textContent()).toContain('contact AskDesk');
    await page.locator('#documents').scrollIntoViewIfNeeded();
    await shot(page, 'dashboard-09-phone-read-only-fr');
    await context.close();
  });

  it('refuses a mistyped key in the page language, with its code, and the sentence follows a language switch', async () => {
    const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR' });
    const page = await context.newPage();
    await page.goto(`${t.app.server.url}/dashboard`);
    await signIn(page, 'sk_nobody_mistyped');
    await expect.poll(() => page.getByTestId('error').textContent()).toContain('Cette clé n’est pas valable');
    expect(await page.getByTestId('error-code').textContent()).toBe('UNAUTHENTICATED');
    await shot(page, 'dashboard-10-phone-refusal-fr');
    await page.getByTestId('language').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toContain('This key is not valid');
    expect(await page.getByTestId('error-code').textContent()).toBe('UNAUTHENTICATED');
    await context.close();
  });
});

describe('visitors of a publishable key', () => {
  it('two browsers never see each other’s history, and each has its own daily cap, told with its reset time', async () => {
    const tenant = await tenantWith({ visitorAsksPerDay: 1 });
    const key = await publishableKey(tenant.id);
    const visitors = await Promise.all(
      ['en-GB', 'fr-FR'].map(async (locale) => {
        const context = await browser.newContext({ viewport: DESKTOP, locale });
        const page = await context.newPage();
        await page.goto(`${t.app.server.url}/chat`);
        await page.getByTestId('api-key').fill(key);
        await page.getByTestId('save-key').click();
        return { context, page };
      }),
    );
    const [a, b] = visitors;
    await chatAsk(a.page, 'How do I connect to the VPN?');
    await expect.poll(() => a.page.locator('.ad-conversations li').count()).toBe(1);

    // B holds the same key but is another browser: none of A's conversations, then only its own.
    await b.page.reload();
    await expect.poll(() => b.page.locator('.ad-sidebar').textContent()).toContain('Aucune conversation');
    await chatAsk(b.page, 'Comment me connecter au VPN ?');
    await expect.poll(() => b.page.locator('.ad-conversations li').count()).toBe(1);
    expect(await b.page.locator('.ad-conversations').textContent()).toContain('Comment me connecter');
    await a.page.reload();
    await expect.poll(() => a.page.locator('.ad-conversations li').count()).toBe(1);
    expect(await a.page.locator('.ad-conversations').textContent()).not.toContain('Comment me connecter');
    const ids = await Promise.all(visitors.map(({ page }) => page.evaluate(() => localStorage.getItem('askdesk.visitor'))));
    expect(ids[0]).toMatch(/^[\w-]{22,}$/);
    expect(ids[1]).toMatch(/^[\w-]{22,}$/);
    expect(ids[0]).not.toBe(ids[1]);

    // One ask a day each: A's second is refused with the time it may ask again.
    await a.page.getByTestId('question').fill('And the printer?');
    await a.page.getByTestId('send').click();
    await expect.poll(() => a.page.getByTestId('error').textContent()).toContain('as many questions as one person may today');
    expect(await a.page.getByTestId('error').textContent()).toMatch(/00:00 UTC/);
    expect(await a.page.getByTestId('quota').textContent()).not.toBe('0'); // the organisation's month is not used up
    await shot(a.page, 'visitor-01-cap-en');
    await b.page.getByTestId('question').fill('Et l’imprimante ?');
    await b.page.getByTestId('send').click();
    await expect.poll(() => b.page.getByTestId('error').textContent()).toContain('autant de questions qu’une personne');
    await shot(b.page, 'visitor-02-cap-fr');
    await Promise.all(visitors.map(({ context }) => context.close()));
  });

  it('the widget on a site the tenant does not allow says so, and what to do', async () => {
    const tenant = await tenantWith({ allowedOrigins: ['https://intranet.chu.example'] });
    const key = await publishableKey(tenant.id);
    const api = t.app.server.url;
    const site = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Autre site</title></head><body><h1>Another site</h1>
<script src="${api}/widget.js" data-endpoint="${api}/graphql" data-key="${key}"></script></body></html>`);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    try {
      const context = await browser.newContext({ viewport: PHONE, locale: 'fr-FR' });
      const page = await context.newPage();
      await page.goto(`http://localhost:${(site.address() as AddressInfo).port}/`);
      await page.getByTestId('widget-open').click();
      await page.getByTestId('question').fill('Comment me connecter au VPN ?');
      await page.getByTestId('send').click();
      await expect.poll(() => page.getByTestId('error').textContent()).toContain('Ce site n’est pas autorisé à utiliser cette clé de chat');
      expect(await page.getByTestId('answer').count()).toBe(0);
      await shot(page, 'visitor-03-origin-refused-fr');
      await context.close();
    } finally {
      await new Promise((resolve) => site.close(resolve));
    }
  });
});

/** An ask with the tenant's secret key, as its staff's page would send it. */
async function ask(key: string, question: string): Promise<{ answer: string; grounded: boolean; curated: boolean }> {
  const res = await t.gql(`mutation($q: String!) { ask(input: { question: $q }) { answer grounded curated } }`, { q: question }, { key });
  expect(res.body.errors).toBeUndefined();
  return res.body.data.ask;
}

/** The element that has the keyboard's focus: its test id and the text of the table row it sits in. */
function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { id: el?.dataset.testid ?? el?.tagName ?? '', row: el?.closest('tr')?.textContent ?? '' };
  });
}

/** Presses Tab until the focus is on `testId` (in a row holding `rowText`, if given), as a keyboard user would. */
async function tabTo(page: Page, testId: string, rowText = '') {
  for (let presses = 0; presses < 250; presses++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (now.id === testId && now.row.includes(rowText)) return;
  }
  throw new Error(`Tab never reached ${testId} ${rowText}`);
}

describe('curated answers on the client dashboard', () => {
  it('adds, counts, edits, exports, imports and removes them, answers an unanswered question, in English, French and by keyboard', async () => {
    const tenant = await tenantWith({});
    // Two questions the documents can't answer: the unanswered list the IT team answers from.
    for (const question of [BADGE, ROOMS]) expect((await ask(tenant.key, question)).grounded).toBe(false);

    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-GB', acceptDownloads: true });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${t.app.server.url}/dashboard`);
    await signIn(page, tenant.key);
    await expect.poll(() => page.locator('#curated h2').first().textContent()).toBe('Curated answers');
    await expect.poll(() => page.locator('#curated').textContent()).toContain('No curated answers yet.');

    // Add one with two phrasings, citing the VPN document: listed with no hits yet.
    const approved = 'Install GlobalProtect from the software centre, then sign in with your hospital account.';
    await page.getByTestId('curated-questions').fill('How do I install the VPN?\nInstall GlobalProtect');
    await page.getByTestId('curated-answer').fill(approved);
    await page.getByTestId('curated-documents').selectOption({ label: 'VPN access' });
    await page.getByTestId('curated-save').click();
    await expect.poll(() => page.getByTestId('curated-row').count()).toBe(1);
    expect(await page.getByTestId('curated-row').textContent()).toContain('+1 more');
    expect(await page.getByTestId('curated-hits').textContent()).toBe('0');

    // One phrasing asked through the API gets the approved text word for word; after a reload the list counts it.
    expect(await ask(tenant.key, 'Install GlobalProtect')).toMatchObject({ answer: approved, grounded: true, curated: true });
    await page.reload();
    await expect.poll(() => page.getByTestId('curated-hits').first().textContent()).toBe('1');

    // Edit: the form fills with the answer and its documents, and saving replaces the text.
    await page.getByTestId('curated-row').getByRole('button', { name: 'Edit' }).click();
    await expect.poll(() => page.getByTestId('curated-questions').inputValue()).toBe('How do I install the VPN?\nInstall GlobalProtect');
    expect(await page.getByTestId('curated-documents').evaluate((s: HTMLSelectElement) => Array.from(s.selectedOptions, (o) => o.text))).toEqual(['VPN access']);
    await page.getByTestId('curated-answer').fill('Open the software centre and install GlobalProtect.');
    await page.getByTestId('curated-save').click();
    await expect.poll(() => page.getByTestId('curated-row').textContent()).toContain('Open the software centre');

    // Export, then import a file holding one new answer.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('curated-export').click()]);
    expect(csv.suggestedFilename()).toMatch(/-curated-answers\.csv$/);
    const exported = fs.readFileSync((await csv.path())!, 'utf8');
    expect(exported).toMatch(/^id,questions,answer,document_ids,hits\r\n/);
    expect(exported).toContain('Open the software centre and install GlobalProtect.');
    expect(exported).toContain('"How do I install the VPN?\nInstall GlobalProtect"');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'printers.csv');
    fs.writeFileSync(file, 'questions,answer\n"Printer names\nprinters on the second floor",PRN-2A and PRN-2B.\n');
    await page.getByTestId('curated-import-file').setInputFiles(file);
    await expect.poll(() => page.getByTestId('curated-row').count()).toBe(2);
    expect(await ask(tenant.key, 'Printer names')).toMatchObject({ answer: 'PRN-2A and PRN-2B.', curated: true });

    // Remove the imported one, after the confirmation.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('curated-row').filter({ hasText: 'PRN-2A' }).getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.getByTestId('curated-row').count()).toBe(1);
    expect((await ask(tenant.key, 'Printer names')).curated).toBe(false);

    // "Answer this" on an unanswered question: the form opens with it as the first phrasing, the answer to write focused.
    await page.getByTestId('gap-row').filter({ hasText: ROOMS }).getByTestId('gap-answer').click();
    await expect.poll(() => page.getByTestId('curated-questions').inputValue()).toBe(ROOMS);
    expect((await focused(page)).id).toBe('curated-answer');
    const rooms = 'Open the Rooms app on the intranet and choose a free slot in building C.';
    await page.getByTestId('curated-answer').fill(rooms);
    await page.locator('.notice').waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator('#gaps thead').evaluate((el) => {
      el.scrollIntoView();
      window.scrollBy(0, -(document.querySelector('.topbar')?.getBoundingClientRect().height ?? 0) - 8);
    });
    await shot(page, 'dashboard-curated-01-answer-this-en');
    await page.getByTestId('curated-save').click();
    await expect.poll(() => page.getByTestId('curated-row').count()).toBe(2);
    // Answered: the question leaves the unanswered list at once, and the next ask of it gets the approved text.
    await expect.poll(() => page.getByTestId('gap-row').filter({ hasText: ROOMS }).count()).toBe(0);
    expect(await page.getByTestId('gap-row').filter({ hasText: BADGE }).count()).toBe(1);
    expect(await ask(tenant.key, ROOMS)).toMatchObject({ answer: rooms, grounded: true, curated: true });

    // The same phrasing for a second answer would tie the two on it, so that neither matched: refused, with its code.
    await page.getByTestId('curated-questions').fill(ROOMS);
    await page.getByTestId('curated-answer').fill('Ask the front desk.');
    await page.getByTestId('curated-save').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toContain('already a phrasing of another curated answer');
    expect(await page.getByTestId('error-code').textContent()).toBe('BAD_USER_INPUT · questions');
    expect(await page.getByTestId('curated-row').count()).toBe(2);

    // French: the refusal shown follows the switch, and says the same in French; the code stays as it is.
    await page.getByTestId('language').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toContain(`« ${ROOMS} » est déjà une formulation d’une autre réponse validée`);
    expect(await page.getByTestId('error-code').textContent()).toBe('BAD_USER_INPUT · questions');
    await page.locator('.notice').waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator('#curated').evaluate((el) => {
      el.scrollIntoView();
      window.scrollBy(0, -(document.querySelector('.topbar')?.getBoundingClientRect().height ?? 0) - 8);
    });
    await shot(page, 'dashboard-curated-02-refusal-fr');
    // Saved again, in French: refused in French (not a translation of a message kept from before).
    await page.getByTestId('error').getByRole('button').click();
    await page.getByTestId('curated-save').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toContain('est déjà une formulation d’une autre réponse validée : complétez ou modifiez plutôt celle-ci.');
    await page.locator('.curated-form').getByRole('button', { name: 'Annuler' }).click();
    expect(await page.getByTestId('curated-questions').inputValue()).toBe('');
    await page.getByTestId('error').getByRole('button').click();

    // The panel and the unanswered list speak French.
    await expect.poll(() => page.locator('#curated h2').first().textContent()).toBe('Réponses validées');
    expect(await page.getByTestId('gap-answer').first().textContent()).toBe('Y répondre');
    expect(await page.getByTestId('curated-save').textContent()).toBe('Enregistrer');
    expect(await page.getByTestId('curated-export').textContent()).toBe('Exporter en CSV');
    expect(await page.locator('#curated thead').textContent()).toContain('Utilisations');
    expect(await page.getByTestId('curated-row').first().getByRole('button').allTextContents()).toEqual(['Modifier', 'Retirer']);
    await page.locator('#gaps').evaluate((el) => el.scrollIntoView());
    await shot(page, 'dashboard-curated-03-fr');

    // Keyboard only: Tab to the other question's "Answer this", Enter, write the answer, Tab to Save, Enter.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, 'gap-answer', BADGE);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page)).id).toBe('curated-answer');
    expect(await page.getByTestId('curated-questions').inputValue()).toBe(BADGE);
    await page.keyboard.type('Au poste de sécurité, hall A, avec votre carte professionnelle.');
    await tabTo(page, 'curated-save');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('curated-row').count()).toBe(3);
    // Gone from the list at once, in French too; the question asked after its answer was removed stays.
    await expect.poll(() => page.getByTestId('gap-row').filter({ hasText: BADGE }).count()).toBe(0);
    expect(await page.getByTestId('gap-row').allTextContents()).toEqual([expect.stringContaining('Printer names')]);
    await page.locator('.notice').waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator('#gaps').evaluate((el) => {
      el.scrollIntoView();
      window.scrollBy(0, -(document.querySelector('.topbar')?.getBoundingClientRect().height ?? 0) - 8);
    });
    await shot(page, 'dashboard-curated-04-answered-fr');
    expect(await ask(tenant.key, BADGE)).toMatchObject({ answer: 'Au poste de sécurité, hall A, avec votre carte professionnelle.', curated: true });

    // A phone, in French: the panel below the unanswered questions, its table scrolling sideways within the card.
    await page.locator('.notice').waitFor({ state: 'detached', timeout: 10_000 });
    await page.setViewportSize(PHONE);
    await page.locator('#curated').evaluate((el) => el.scrollIntoView());
    await shot(page, 'dashboard-curated-05-phone-fr');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.getByTestId('curated-questions').scrollIntoViewIfNeeded();
    await shot(page, 'dashboard-curated-06-phone-form-fr');

    expect(cspProblems(problems)).toEqual([]);
    await context.close();
  });
});
