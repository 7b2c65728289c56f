// Builds the pages once into dist/web (npm run build:web; also part of npm run build). The server only serves
// these files; nothing is bundled at start-up.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, '..', 'dist', 'web');
/** The chat is what a hospital's staff load on every visit, often on a phone: its budget is enforced here. */
export const CHAT_BUDGET_GZIP_BYTES = 100 * 1024;

const common = {
  bundle: true,
  minify: true,
  sourcemap: false,
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
};

fs.mkdirSync(outdir, { recursive: true });
await Promise.all([
  // Classic IIFE scripts, not ES modules: modules do not load from file://, where the client package opens.
  build({ ...common, format: 'iife', entryPoints: { chat: path.join(here, 'src/chat/main.tsx') }, outdir }),
  build({ ...common, format: 'iife', entryPoints: { widget: path.join(here, 'src/widget/main.tsx') }, outdir }),
  build({ ...common, format: 'iife', entryPoints: { admin: path.join(here, 'src/admin/main.tsx') }, outdir }),
  build({ ...common, format: 'iife', entryPoints: { dashboard: path.join(here, 'src/dashboard/main.tsx') }, outdir }),
  build({ ...common, entryPoints: { chat: path.join(here, 'src/chat/chat.css') }, outdir }),
  build({ ...common, entryPoints: { admin: path.join(here, 'src/admin/admin.css') }, outdir, loader: { '.css': 'css' } }),
  build({ ...common, entryPoints: { dashboard: path.join(here, 'src/dashboard/dashboard.css') }, outdir, loader: { '.css': 'css' } }),
]);
for (const page of ['chat.html', 'admin.html', 'dashboard.html']) fs.copyFileSync(path.join(here, page), path.join(outdir, page));
fs.writeFileSync(
  path.join(outdir, 'config.js'),
  '/* Served by AskDesk: nothing to configure; the page talks to the server it came from.\n' +
    '   A copy of chat.html elsewhere may set: window.ASKDESK_CONFIG = { endpoint, apiKey, name, logoUrl, language }; */\n',
);

const gzipped = (name) => gzipSync(fs.readFileSync(path.join(outdir, name)), { level: 9 }).length;
const chatBytes = gzipped('chat.js') + gzipped('chat.css');
console.log(`web: built ${outdir} — chat page ${(chatBytes / 1024).toFixed(1)} kB gzip (budget ${CHAT_BUDGET_GZIP_BYTES / 1024} kB)`);
if (chatBytes > CHAT_BUDGET_GZIP_BYTES) {
  console.error('web: the chat page is over its size budget');
  process.exit(1);
}
