import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The pages (chat, console, the client's dashboard, widget) as static files built once by `npm run build:web` into dist/web. Every page is
 * served under a strict Content-Security-Policy: scripts and styles only from files of this server, so an
 * injected <script> or style attribute never runs.
 */
const FILES: Record<string, string> = {
  '/chat': 'chat.html',
  '/admin': 'admin.html',
  '/dashboard': 'dashboard.html',
  '/chat.js': 'chat.js',
  '/chat.css': 'chat.css',
  '/admin.js': 'admin.js',
  '/admin.css': 'admin.css',
  '/dashboard.js': 'dashboard.js',
  '/dashboard.css': 'dashboard.css',
  '/widget.js': 'widget.js',
  '/config.js': 'config.js',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

// connect-src 'self' covers ws:/wss: to this host too (CSP Level 3), which askStream needs.
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// dist/src/http → dist/web when built; src/http → dist/web when run from sources (tests).
const WEB_DIR = [path.resolve(__dirname, '../../web'), path.resolve(__dirname, '../../dist/web')].find((dir) =>
  fs.existsSync(path.join(dir, 'chat.js')),
) ?? path.resolve(__dirname, '../../dist/web');

/** Serves the request if it names a page file; returns false otherwise so the caller goes on. */
export async function servePage(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
  const file = FILES[pathname];
  if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  let body: Buffer;
  let stat: fs.Stats;
  try {
    [body, stat] = await Promise.all([fs.promises.readFile(path.join(WEB_DIR, file)), fs.promises.stat(path.join(WEB_DIR, file))]);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('The pages are not built: run `npm run build:web`.');
    return true;
  }
  const extension = path.extname(file);
  const etag = `"${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`;
  const headers: Record<string, string> = {
    'content-type': TYPES[extension],
    // File names carry no content hash, so browsers revalidate (cheap 304s) instead of keeping a stale build.
    'cache-control': 'no-cache',
    etag,
    'x-content-type-options': 'nosniff',
  };
  if (extension === '.html') {
    Object.assign(headers, { 'content-security-policy': PAGE_CSP, 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
  } else {
    // widget.js and chat.css are loaded by clients' intranet pages, from another origin.
    headers['cross-origin-resource-policy'] = 'cross-origin';
  }
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return true;
  }
  headers['content-length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
