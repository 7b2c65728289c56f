import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startTestApp, type TestApp } from '../helpers/app';
import { ensureWebBuilt, WEB_OUT } from './helpers/browser';

let t: TestApp;

beforeAll(async () => {
  ensureWebBuilt();
  t = await startTestApp();
});
afterAll(() => t?.close());

const get = (p: string, headers: Record<string, string> = {}) => fetch(`${t.app.server.url}${p}`, { headers });

describe('serving the pages', () => {
  it('serves the pages under a strict CSP, and the scripts and styles with their types', async () => {
    for (const page of ['/chat', '/admin']) {
      const res = await get(page);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      // No inline script or style in the HTML: everything comes from files the CSP allows.
      const html = await res.text();
      expect(html).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*src)[^>]*>|<style|style=/);
    }
    expect((await get('/chat.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get('/admin.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const widget = await get('/widget.js');
    expect(widget.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    // Served by the server itself, config.js configures nothing: the page talks to the server it came from.
    expect(await (await get('/config.js')).text()).not.toMatch(/^\s*window\.ASKDESK_CONFIG/m);
  });

  it('answers 304 to a revalidation and leaves other paths to the API', async () => {
    const first = await get('/chat.js');
    const etag = first.headers.get('etag')!;
    expect(first.headers.get('cache-control')).toBe('no-cache');
    expect((await get('/chat.js', { 'if-none-match': etag })).status).toBe(304);
    expect((await get('/nothing-here')).status).toBe(404);
    expect((await get('/healthz')).status).toBe(200);
  });

  it('keeps the chat page (JS + CSS) within 100 kB gzipped', () => {
    const size = ['chat.js', 'chat.css'].reduce((n, f) => n + gzipSync(fs.readFileSync(path.join(WEB_OUT, f)), { level: 9 }).length, 0);
    expect(size).toBeLessThanOrEqual(100 * 1024);
  });
});
