import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = path.resolve(__dirname, '../../..');
export const WEB_OUT = path.join(root, 'dist', 'web');
export const ARTIFACTS = path.join(root, 'tests', 'artifacts');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds the pages when dist/web is missing or older than web/ or src/contract/ (the client and the generated
 * operations the pages bundle). Test files run in parallel processes, so the build runs under a lock directory and
 * the others wait for it rather than racing on the same files.
 */
export function ensureWebBuilt(): void {
  const stamp = path.join(WEB_OUT, 'widget.js');
  const fresh = () => fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= Math.max(newestMtime(path.join(root, 'web')), newestMtime(path.join(root, 'src', 'contract')));
  if (fresh()) return;
  const lock = path.join(root, 'dist', '.web-build.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (let waited = 0; ; waited += 200) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (waited > 60_000) fs.rmSync(lock, { recursive: true, force: true }); // a crashed holder
      execFileSync('sleep', ['0.2']);
    }
  }
  try {
    if (!fresh()) execFileSync(process.execPath, [path.join(root, 'web', 'build.mjs')], { stdio: 'pipe' });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Every console error and failed page script, so a test can assert that the strict CSP never blocked anything. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

/** Only the problems a strict CSP or a broken bundle would cause (expected refusals log 4xx fetches as errors). */
export function cspProblems(problems: string[]): string[] {
  return problems.filter((p) => /Content Security Policy|pageerror|Refused to/i.test(p));
}

export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });
}
