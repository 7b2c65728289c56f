import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/app';
import { cspProblems, ensureWebBuilt, launchBrowser, shot, watchConsole } from './helpers/browser';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };
const ROOMS = 'How do I book a meeting room in building C?';
const BADGE = 'Where do I collect my parking badge?';

let t: TestApp;
let browser: Browser;
let folder: string;

beforeAll(async () => {
  ensureWebBuilt();
  [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-dashboard-curated-'));
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  fs.rmSync(folder, { recursive: true, force: true });
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
    const tenant = await t.tenant('BUSINESS');
    await t.gql(`mutation($t: ID!) { addDocuments(tenantId: $t, documents: [
      { title: "VPN access", content: "To connect to the VPN, install GlobalProtect and sign in at vpn.chu.example with your hospital account." }]) { chunkCount } }`, { t: tenant.id });
    // Two questions the documents can't answer: the unanswered list the IT team answers from.
    for (const question of [BADGE, ROOMS]) expect((await ask(tenant.key, question)).grounded).toBe(false);

    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-GB', acceptDownloads: true });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${t.app.server.url}/dashboard`);
    await page.getByTestId('dashboard-key').fill(tenant.key);
    await page.getByTestId('dashboard-login').click();
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
    const file = path.join(folder, 'printers.csv');
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
    expect(await ask(tenant.key, ROOMS)).toMatchObject({ answer: rooms, grounded: true, curated: true });

    await page.locator('.notice').waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator('#gaps').evaluate((el) => el.scrollIntoView());
    await shot(page, 'dashboard-curated-02-en');

    // French: the panel and the unanswered list speak it.
    await page.getByTestId('language').click();
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
    expect(await ask(tenant.key, BADGE)).toMatchObject({ answer: 'Au poste de sécurité, hall A, avec votre carte professionnelle.', curated: true });

    // A phone, in French: the panel below the unanswered questions, its table scrolling sideways within the card.
    await page.locator('.notice').waitFor({ state: 'detached', timeout: 10_000 });
    await page.setViewportSize(PHONE);
    await page.locator('#curated').evaluate((el) => el.scrollIntoView());
    await shot(page, 'dashboard-curated-04-phone-fr');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.getByTestId('curated-questions').scrollIntoViewIfNeeded();
    await shot(page, 'dashboard-curated-05-phone-form-fr');

    expect(cspProblems(problems)).toEqual([]);
    await context.close();
  });
});
