import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app';
import { cspProblems, ensureWebBuilt, launchBrowser, shot, watchConsole } from './helpers/browser';

let t: TestApp;
let browser: Browser;
let folder: string;

beforeAll(async () => {
  ensureWebBuilt();
  [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-curated-'));
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

describe('the console\'s curated answers panel', () => {
  it('writes an answer citing a document, shows its hits, edits it, exports and imports CSV, and removes it', async () => {
    const tenant = await t.tenant('BUSINESS');
    const name = (await t.gql(`query($id: ID!) { tenant(id: $id) { name } }`, { id: tenant.id })).body.data.tenant.name;
    await t.gql(`mutation($t: ID!) { addDocuments(tenantId: $t, documents: [
      { title: "VPN GlobalProtect", content: "Install GlobalProtect to connect to the VPN." },
      { title: "Imprimantes", content: "Les imprimantes du 2e étage se nomment PRN-2A et PRN-2B." }]) { chunkCount } }`, { t: tenant.id });

    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${t.app.server.url}/admin`);
    await page.getByTestId('admin-key').fill(ADMIN_KEY);
    await page.getByTestId('login').click();
    await page.getByPlaceholder('Search name, slug or e-mail').fill(name);
    await expect.poll(() => page.getByTestId('tenant-row').count()).toBe(1);
    await page.getByTestId('tenant-row').click();

    const panel = page.locator('#curated');
    await panel.scrollIntoViewIfNeeded();
    await page.getByTestId('curated-questions').fill('Comment installer le VPN ?\nInstaller GlobalProtect');
    await page.getByTestId('curated-answer').fill('Installez GlobalProtect depuis le centre logiciel, puis connectez-vous avec votre compte.');
    await page.getByTestId('curated-documents').selectOption({ label: 'VPN GlobalProtect' });
    await page.getByTestId('curated-save').click();
    await expect.poll(() => page.getByTestId('curated-row').count()).toBe(1);
    expect(await page.getByTestId('curated-row').textContent()).toContain('+1 more');

    // Two asks that match, one that does not: the list counts the two.
    for (const question of ['Comment installer le VPN ?', 'installer globalprotect', 'Comment nommer une imprimante ?']) {
      const res = await t.gql(`mutation($q: String!) { ask(input: { question: $q }) { curated } }`, { q: question }, { key: tenant.key });
      expect(res.body.errors).toBeUndefined();
    }
    await page.reload();
    await page.getByTestId('admin-key').isVisible().then(async (visible) => {
      if (!visible) return;
      await page.getByTestId('admin-key').fill(ADMIN_KEY);
      await page.getByTestId('login').click();
    });
    await page.getByPlaceholder('Search name, slug or e-mail').fill(name);
    await expect.poll(() => page.getByTestId('tenant-row').count()).toBe(1);
    await page.getByTestId('tenant-row').click();
    await expect.poll(() => page.getByTestId('curated-hits').first().textContent()).toBe('2');
    await page.locator('#curated').scrollIntoViewIfNeeded();
    await shot(page, 'curated-01-list');

    // Edit: the form fills with the answer, and saving replaces it.
    await page.getByTestId('curated-row').getByRole('button', { name: 'Edit' }).click();
    await expect.poll(() => page.getByTestId('curated-questions').inputValue()).toBe('Comment installer le VPN ?\nInstaller GlobalProtect');
    await page.getByTestId('curated-answer').fill('Ouvrez le centre logiciel et installez GlobalProtect.');
    await page.getByTestId('curated-save').click();
    await expect.poll(() => page.getByTestId('curated-row').textContent()).toContain('Ouvrez le centre logiciel');

    // Export, then import a file with one new answer.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('curated-export').click()]);
    const exported = fs.readFileSync((await csv.path())!, 'utf8');
    expect(exported).toMatch(/^id,questions,answer,document_ids,hits\r\n/);
    expect(exported).toContain('Ouvrez le centre logiciel');
    const file = path.join(folder, 'more.csv');
    fs.writeFileSync(file, 'questions,answer\n"Nom des imprimantes\nimprimantes du 2e étage",PRN-2A et PRN-2B.\n');
    await page.getByTestId('curated-import-file').setInputFiles(file);
    await expect.poll(() => page.getByTestId('curated-row').count()).toBe(2);
    await shot(page, 'curated-02-imported');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('curated-row').filter({ hasText: 'PRN-2A' }).getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.getByTestId('curated-row').count()).toBe(1);

    // The tenant's instructions to the assistant, beside its curated answers.
    await page.getByTestId('assistant-instructions').fill('Signez « Service desk, poste 4444 ».');
    await page.getByTestId('assistant-instructions-save').click();
    await expect
      .poll(async () => (await t.gql(`query($id: ID!) { tenant(id: $id) { assistantInstructions } }`, { id: tenant.id })).body.data.tenant.assistantInstructions)
      .toBe('Signez « Service desk, poste 4444 ».');
    await page.getByTestId('assistant-instructions').scrollIntoViewIfNeeded();
    await shot(page, 'curated-03-instructions');

    expect(cspProblems(problems)).toEqual([]);
    await context.close();
  });
});
