import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
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

/** Signs in to the console (unless the tab still holds the key) and opens the tenant named `name`. */
async function openTenant(page: Page, name: string) {
  await page.goto(`${t.app.server.url}/admin`);
  const search = page.getByPlaceholder('Search name, slug or e-mail');
  await page.getByTestId('admin-key').or(search).first().waitFor();
  if (await page.getByTestId('admin-key').isVisible()) {
    await page.getByTestId('admin-key').fill(ADMIN_KEY);
    await page.getByTestId('login').click();
  }
  await search.fill(name);
  await expect.poll(() => page.getByTestId('tenant-row').count()).toBe(1);
  await page.getByTestId('tenant-row').click();
}

async function tenantName(id: string): Promise<string> {
  return (await t.gql(`query($id: ID!) { tenant(id: $id) { name } }`, { id })).body.data.tenant.name;
}

describe('the console\'s curated answers panel', () => {
  it('writes an answer citing a document, shows its hits, edits it, exports and imports CSV, and removes it', async () => {
    const tenant = await t.tenant('BUSINESS');
    const name = await tenantName(tenant.id);
    await t.gql(`mutation($t: ID!) { addDocuments(tenantId: $t, documents: [
      { title: "VPN GlobalProtect", content: "Install GlobalProtect to connect to the VPN." },
      { title: "Imprimantes", content: "Les imprimantes du 2e étage se nomment PRN-2A et PRN-2B." }]) { chunkCount } }`, { t: tenant.id });

    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    // A step waiting longer than this has failed: let it say which, before the test's own timeout hides it.
    page.setDefaultTimeout(15_000);
    const problems = watchConsole(page);
    await openTenant(page, name);

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
    await openTenant(page, name);
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

    // The document the answer cites is removed on the same page: the answer no longer cites it, and Edit shows that.
    page.once('dialog', (dialog) => void dialog.accept());
    // The page reads the answers again once the tenant's document count changes; Edit before that would still offer
    // the removed document (whose save the next step shows refused and recovered).
    const reread = page.waitForResponse((r) => (r.request().postData() ?? '').includes('query CuratedAnswers'));
    await page.getByTestId('document-row').filter({ hasText: 'VPN GlobalProtect' }).getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.getByTestId('document-row').count()).toBe(1);
    await reread;
    await page.getByTestId('curated-row').getByRole('button', { name: 'Edit' }).click();
    await expect.poll(() => page.getByTestId('curated-answer').inputValue()).toBe('Ouvrez le centre logiciel et installez GlobalProtect.');
    expect(await page.getByTestId('curated-documents').evaluate((s: HTMLSelectElement) => Array.from(s.options, (o) => [o.text, o.selected]))).toEqual([['Imprimantes', false]]);
    const cited = await t.gql(`query($t: ID) { curatedAnswers(tenantId: $t) { edges { node { citations { title } } } } }`, { t: tenant.id });
    expect(cited.body.data.curatedAnswers.edges[0].node.citations).toEqual([]);
    // Saved as it stands, it is not refused for citing a document that is gone.
    await page.getByTestId('curated-save').click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Curated answer updated.');
    expect(await page.getByTestId('error').count()).toBe(0);

    // A form open while someone else removes the document it cites: the save is refused, says why, and the form drops
    // the document, so the next save goes through.
    await page.locator('.notice').waitFor({ state: 'detached', timeout: 10_000 });
    await page.getByTestId('curated-row').getByRole('button', { name: 'Edit' }).click();
    await page.getByTestId('curated-documents').selectOption({ label: 'Imprimantes' });
    const printers = (await t.gql(`query($t: ID) { documents(tenantId: $t) { edges { node { id title } } } }`, { t: tenant.id })).body.data.documents.edges[0].node;
    expect(printers.title).toBe('Imprimantes');
    expect((await t.gql(`mutation($id: ID!) { removeDocument(id: $id) }`, { id: printers.id })).body.errors).toBeUndefined();
    await page.getByTestId('curated-save').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toContain('A cited document is not there any more');
    expect(await page.getByTestId('error-code').textContent()).toBe('NOT_FOUND · documentIds');
    await expect.poll(() => page.getByTestId('curated-documents').evaluate((s: HTMLSelectElement) => s.options.length)).toBe(0);
    await page.getByTestId('curated-save').click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Curated answer updated.');

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

  it('answers an unanswered question from its row: the form opens with the question, and the next ask gets the answer', async () => {
    const tenant = await t.tenant('BUSINESS');
    const question = 'Où se trouve la salle de repos du 3e étage ?';
    const first = await t.gql(`mutation($q: String!) { ask(input: { question: $q }) { grounded curated } }`, { q: question }, { key: tenant.key });
    expect(first.body.data.ask).toEqual({ grounded: false, curated: false });

    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await openTenant(page, await tenantName(tenant.id));
    await expect.poll(() => page.getByTestId('gap-row').count()).toBe(1);
    await page.getByTestId('gap-row').getByTestId('gap-answer').click();
    await expect.poll(() => page.getByTestId('curated-questions').inputValue()).toBe(question);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)).toBe('curated-answer');
    await shot(page, 'curated-04-answer-this');
    const approved = 'Salle 312, à côté des ascenseurs.';
    await page.getByTestId('curated-answer').fill(approved);
    await page.getByTestId('curated-save').click();
    await expect.poll(() => page.getByTestId('curated-row').count()).toBe(1);
    expect(await page.getByTestId('curated-hits').textContent()).toBe('0');
    // Answered: the question leaves the unanswered list at once.
    await expect.poll(() => page.getByTestId('gap-row').count()).toBe(0);
    expect(await page.locator('#gaps').textContent()).toContain('No unanswered questions');

    const again = await t.gql(`mutation($q: String!) { ask(input: { question: $q }) { answer grounded curated } }`, { q: question }, { key: tenant.key });
    expect(again.body.data.ask).toEqual({ answer: approved, grounded: true, curated: true });
    expect(cspProblems(problems)).toEqual([]);
    await context.close();
  });
});
