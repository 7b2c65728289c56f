import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { AddressInfo } from 'node:net';
import { unzipSync } from 'fflate';
import type { Browser } from 'playwright-core';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app';
import { cspProblems, ensureWebBuilt, launchBrowser, shot, watchConsole } from './helpers/browser';

const DOCS = [{ title: 'VPN access', sourceUrl: 'https://intranet.example/vpn', content: 'To connect to the VPN, install GlobalProtect and sign in at vpn.chu.example with your hospital account.' }];

let t: TestApp;
let browser: Browser;
let intranet: http.Server;
let intranetOrigin: string;
let widgetKey = '';

beforeAll(async () => {
  ensureWebBuilt();
  [t, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  const api = t.app.server.url;
  // A client's intranet page on another origin, under its own strict CSP that lets in only our script and API.
  intranet = http.createServer((req, res) => {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'self'; script-src 'self' ${api}; style-src 'self' ${api}; connect-src ${api} ${api.replace('http', 'ws')}`,
    });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CHU intranet</title></head>
<body><h1>CHU intranet</h1><p>Welcome to the staff portal.</p>
<script src="${api}/widget.js" data-endpoint="${api}/graphql" data-key="${widgetKey}" data-name="CHU help"></script></body></html>`);
  });
  await new Promise<void>((resolve) => intranet.listen(0, '127.0.0.1', resolve));
  intranetOrigin = `http://localhost:${(intranet.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => intranet?.close(resolve));
  await t?.close();
});

async function tenantWithDocs(allowedOrigins: string[]) {
  const tenant = await t.tenant('BUSINESS', { allowedOrigins });
  await t.gql(`mutation($t: ID!, $d: [DocumentInput!]!) { addDocuments(tenantId: $t, documents: $d) { chunkCount } }`, { t: tenant.id, d: DOCS });
  return tenant;
}

describe('embedding the chat', () => {
  it('the widget answers on a page served from another origin the tenant allows', async () => {
    const tenant = await tenantWithDocs([intranetOrigin]);
    widgetKey = tenant.key;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = watchConsole(page);
    await page.goto(`${intranetOrigin}/`);
    await shot(page, 'widget-01-closed');
    await page.getByTestId('widget-open').click();
    await page.getByTestId('question').fill('How do I connect to the VPN?');
    await page.getByTestId('send').click();
    await expect.poll(() => page.getByTestId('answer').getByTestId('citation').first().textContent(), { timeout: 15_000 }).toBe('VPN access');
    expect(await page.getByTestId('answer').textContent()).toContain('GlobalProtect');
    await expect.poll(() => page.getByTestId('quota').textContent()).toBe('9999');
    await shot(page, 'widget-02-answered');
    expect(cspProblems(problems)).toEqual([]);
    await page.close();
  });

  it('the widget is refused on an origin the tenant does not list', async () => {
    const tenant = await tenantWithDocs(['https://elsewhere.example']);
    widgetKey = tenant.key;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${intranetOrigin}/`);
    await page.getByTestId('widget-open').click();
    // The quota read over HTTP is refused without CORS headers (the page only learns it failed); the question,
    // over WebSocket, gets the refusal itself.
    await page.getByTestId('error').waitFor();
    await page.getByTestId('question').fill('How do I connect to the VPN?');
    await page.getByTestId('send').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toContain('This site is not allowed to use this chat key');
    expect(await page.getByTestId('answer').count()).toBe(0);
    await shot(page, 'widget-03-refused');
    await page.close();
  });

  it("the server's own chat page serves a tenant whose widget is restricted to other origins", async () => {
    const tenant = await tenantWithDocs(['https://intranet.example']);
    const page = await browser.newPage();
    await page.goto(`${t.app.server.url}/chat`);
    await page.getByTestId('api-key').fill(tenant.key);
    await page.getByTestId('save-key').click();
    await page.getByTestId('question').fill('How do I connect to the VPN?');
    await page.getByTestId('send').click();
    await expect.poll(() => page.getByTestId('answer').getByTestId('citation').first().textContent(), { timeout: 15_000 }).toBe('VPN access');
    expect(await page.getByTestId('error').count()).toBe(0);
    await page.close();
  });

  it('the client package downloaded from the console, unzipped and opened from file://, answers', async () => {
    const tenant = await tenantWithDocs([]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true, locale: 'fr-FR' });
    const admin = await context.newPage();
    await admin.goto(`${t.app.server.url}/admin`);
    await admin.getByTestId('admin-key').fill(ADMIN_KEY);
    await admin.getByTestId('login').click();
    const name = (await t.gql(`query($id: ID!) { tenant(id: $id) { name } }`, { id: tenant.id })).body.data.tenant.name;
    await admin.getByPlaceholder('Search name, slug or e-mail').fill(name);
    await expect.poll(() => admin.getByTestId('tenant-row').count()).toBe(1);
    await admin.getByTestId('tenant-row').click();
    const [zip] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('client-package').click()]);
    expect(zip.suggestedFilename()).toMatch(/\.zip$/);
    await admin.locator('#package').scrollIntoViewIfNeeded();
    await shot(admin, 'package-01-console');

    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-package-'));
    for (const [file, bytes] of Object.entries(unzipSync(new Uint8Array(fs.readFileSync((await zip.path())!))))) {
      fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
      fs.writeFileSync(path.join(folder, file), bytes);
    }
    expect(fs.readdirSync(folder)).toEqual(expect.arrayContaining(['chat.html', 'chat.js', 'chat.css', 'config.js']));

    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`file://${path.join(folder, 'chat.html')}`);
    // The key comes from config.js: no key form.
    await page.getByTestId('question').fill('Comment me connecter au VPN ?');
    await page.getByTestId('question').press('Enter');
    await expect.poll(() => page.getByTestId('answer').getByTestId('citation').first().textContent(), { timeout: 15_000 }).toBe('VPN access');
    expect(await page.getByTestId('api-key').count()).toBe(0);
    await shot(page, 'package-02-file-page');
    expect(cspProblems(problems)).toEqual([]);
    fs.rmSync(folder, { recursive: true, force: true });
    await context.close();
  });
});
