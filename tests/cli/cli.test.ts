import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPackageService } from '../../src/services/client-package.service';
import { ADMIN_KEY, startTestApp, TestApp } from '../helpers/app';
import { MeDetailsDocument, MeDocument } from '../operations/operations.generated';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Compiles the CLI alone (tsc follows its imports) into a private folder under .tmp, so the processes run the real
 * entry point as `node …/askdesk.js` without racing other test files that build dist/.
 */
function buildCli(): { dir: string; entry: string } {
  fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, '.tmp', 'cli-'));
  const tsconfig = path.join(dir, 'tsconfig.json');
  fs.writeFileSync(tsconfig, JSON.stringify({
    extends: path.join(ROOT, 'tsconfig.json'),
    compilerOptions: { outDir: dir, rootDir: ROOT, sourceMap: false },
    files: [path.join(ROOT, 'src/cli/askdesk.ts')],
    include: [],
  }));
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { cwd: ROOT, stdio: 'inherit' });
  return { dir, entry: path.join(dir, 'src/cli/askdesk.js') };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('askdesk CLI', () => {
  let t: TestApp;
  let cli: { dir: string; entry: string };
  let work: string;
  let baseUrl: string;

  // Asynchronous on purpose: the server answering the CLI runs in this very process.
  const askdesk = (args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cli.entry, ...args], {
        cwd: work,
        env: { ...process.env, ASKDESK_URL: baseUrl, ADMIN_API_KEY: ADMIN_KEY, ...env },
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
      child.stdin?.end(input);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const ok = async (args: string[], env?: Record<string, string | undefined>) => {
    const run = await askdesk(args, env);
    expect(run.stderr, args.join(' ')).toBe('');
    expect(run.code, args.join(' ')).toBe(0);
    return run.stdout;
  };
  const field = (text: string, label: string) => new RegExp(`^${label}:\\s+(\\S+)$`, 'm').exec(text)?.[1];

  beforeAll(async () => {
    cli = buildCli();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-cli-'));
    t = await startTestApp();
    baseUrl = t.app.server.url;
    // The web branch builds the real chat page; placeholders stand in for it.
    const assets = path.join(work, 'assets');
    fs.mkdirSync(assets);
    for (const f of ['chat.html', 'chat.js', 'chat.css']) fs.writeFileSync(path.join(assets, f), `/* ${f} */`);
    const s = t.app.services;
    s.clientPackages = new ClientPackageService(s.tenants, s.keys, s.audit, s.config.supportEmail, { now: () => Date.now() }, assets);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
    if (cli) fs.rmSync(cli.dir, { recursive: true, force: true });
  });

  it('has --help on every command', async () => {
    const commands = [[], ['tenants'], ['tenants', 'create'], ['tenants', 'list'], ['tenants', 'show'], ['tenants', 'suspend'], ['tenants', 'reactivate'],
      ['tenants', 'delete'], ['keys'], ['keys', 'issue'], ['keys', 'list'], ['keys', 'rotate'], ['keys', 'revoke'], ['docs'], ['docs', 'ingest'],
      ['usage'], ['invoice'], ['client-package']];
    const runs = await Promise.all(commands.map((c) => askdesk([...c, '--help'])));
    runs.forEach((run, i) => {
      expect(run.code, commands[i].join(' ')).toBe(0);
      expect(run.stdout).toContain(`Usage: askdesk${commands[i].length ? ' ' + commands[i].join(' ') : ''}`);
    });
  });

  it('creates, lists, shows, suspends, reactivates and deletes tenants, by id or slug', async () => {
    const created = await ok(['tenants', 'create', '--name', 'CHU Nord', '--email', 'dsi@chu-nord.example', '--plan', 'BUSINESS', '--slug', 'chu-nord', '--origin', 'https://intranet.chu-nord.example']);
    const id = field(created, 'id')!;
    const key = field(created, 'key')!;
    expect(key).toMatch(/^sk_business_/);
    expect((await t.gql(`{ me { id allowedOrigins } }`, {}, { key })).body.data.me).toEqual({ id, allowedOrigins: ['https://intranet.chu-nord.example'] });
    const json = JSON.parse(await ok(['tenants', 'create', '--name', 'Clinique Sud', '--email', 'it@sud.example', '--plan', 'STARTER', '--json']));
    expect(json.tenant.slug).toBe('clinique-sud');

    const table = await ok(['tenants', 'list']);
    expect(table.split('\n')[0]).toMatch(/^id\s+slug\s+name\s+plan\s+status/);
    expect(table).toContain('chu-nord');
    expect(JSON.parse(await ok(['tenants', 'list', '--json', '--search', 'SUD'])).map((r: any) => r.slug)).toEqual(['clinique-sud']);
    const csv = (await ok(['tenants', 'list', '--csv'])).trim().split('\n');
    expect(csv[0]).toBe('id,slug,name,plan,status,documents,contact');
    expect(csv).toHaveLength(3);
    // A name a spreadsheet would run as a formula is written as text.
    await ok(['tenants', 'create', '--name', '@SUM(1+1) Formula', '--email', 'f@formula.example', '--plan', 'STARTER', '--slug', 'formula']);
    expect(await ok(['tenants', 'list', '--csv', '--search', 'formula'])).toContain(",'@SUM(1+1) Formula,");
    await ok(['tenants', 'delete', 'formula', '--yes']);

    const shown = await ok(['tenants', 'show', 'chu-nord']);
    expect(field(shown, 'id')).toBe(id);
    expect(shown).toContain('https://intranet.chu-nord.example');
    expect(shown).toMatch(/default\s+sk_business_/);

    expect(await ok(['tenants', 'suspend', 'chu-nord', '--reason', 'unpaid invoice'])).toBe('chu-nord: SUSPENDED\n');
    expect((await t.gql(MeDocument, {}, { key })).body.errors![0].extensions.code).toBe('TENANT_SUSPENDED');
    expect(await ok(['tenants', 'reactivate', id])).toBe('chu-nord: ACTIVE\n');

    expect((await askdesk(['tenants', 'delete', 'clinique-sud'])).code).toBe(2);
    expect(await ok(['tenants', 'delete', 'clinique-sud', '--yes'])).toMatch(/^deleted clinique-sud/);
    const gone = await askdesk(['tenants', 'show', 'clinique-sud']);
    expect(gone).toMatchObject({ code: 1, stdout: '', stderr: 'error: NOT_FOUND: Tenant not found.\n' });
  });

  it('issues, lists, rotates and revokes keys', async () => {
    await ok(['tenants', 'create', '--name', 'Keys Hospital', '--email', 'k@keys.example', '--plan', 'BUSINESS', '--slug', 'keys-hospital']);
    const issued = await ok(['keys', 'issue', 'keys-hospital', '--name', 'kiosk']);
    const keyId = field(issued, 'key id')!;
    const secret = field(issued, 'key')!;
    expect((await t.gql(MeDetailsDocument, {}, { key: secret })).body.data.me.slug).toBe('keys-hospital');

    const listed = JSON.parse(await ok(['keys', 'list', 'keys-hospital', '--json']));
    expect(listed.map((k: any) => k.name)).toEqual(['default', 'kiosk']);

    const rotated = await ok(['keys', 'rotate', keyId, '--grace', '60']);
    const newSecret = field(rotated, 'key')!;
    expect(newSecret).not.toBe(secret);
    expect((await t.gql(MeDetailsDocument, {}, { key: secret })).status).toBe(200); // still in its grace period
    expect(await ok(['keys', 'revoke', field(rotated, 'key id')!])).toMatch(/REVOKED/);
    expect((await t.gql(MeDetailsDocument, {}, { key: newSecret })).body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await askdesk(['keys', 'rotate', keyId, '--grace', 'soon'])).code).toBe(2);
    const publishable = await ok(['keys', 'issue', 'keys-hospital', '--name', 'widget', '--publishable']);
    expect(field(publishable, 'kind')).toBe('PUBLISHABLE');
    expect(field(publishable, 'key')).toMatch(/^pk_business_[A-Za-z0-9_-]{43}$/);
  });

  it('ingests a folder in batches, with plain progress lines when not on a terminal', async () => {
    await ok(['tenants', 'create', '--name', 'Docs Hospital', '--email', 'd@docs.example', '--plan', 'BUSINESS', '--slug', 'docs-hospital']);
    const folder = path.join(work, 'kb');
    fs.mkdirSync(path.join(folder, 'network'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'vpn.md'), '# VPN access\n\nInstall GlobalProtect and sign in with your badge.');
    fs.writeFileSync(path.join(folder, 'printers.txt'), 'Printers use the PaperCut queue on floor 2.');
    fs.writeFileSync(path.join(folder, 'network', 'wifi.html'), '<html><title>Wi-Fi</title><body>Join the STAFF network.</body></html>');
    fs.writeFileSync(path.join(folder, 'scan.pdf'), '%PDF-1.4 not read');

    const out = await ok(['docs', 'ingest', 'docs-hospital', folder, '--batch', '2']);
    expect(out.trim().split('\n')).toEqual([
      '2/3 files: 2 added, 0 duplicates skipped, 2 chunks',
      '3/3 files: 3 added, 0 duplicates skipped, 3 chunks',
      'docs-hospital: 3 documents added, 0 duplicates skipped, 3 chunks indexed',
    ]);
    const { id } = JSON.parse(await ok(['tenants', 'show', 'docs-hospital', '--json']));
    const docs = await t.gql(`query($t: ID!) { documents(tenantId: $t) { edges { node { title mimeType } } } }`, { t: id });
    expect(docs.body.data.documents.edges.map((e: any) => e.node.title).sort()).toEqual(['VPN access', 'Wi-Fi', 'printers']);
    expect(await ok(['docs', 'ingest', 'docs-hospital', folder])).toContain('0 documents added, 3 duplicates skipped');
    expect((await askdesk(['docs', 'ingest', 'docs-hospital', path.join(work, 'nope')])).code).toBe(2);
  });

  it('skips symbolic links to files and folders, and says so', async () => {
    await ok(['tenants', 'create', '--name', 'Links Hospital', '--email', 'l@links.example', '--plan', 'BUSINESS', '--slug', 'links-hospital']);
    // A server's data folder next to the knowledge base: its key pepper must never become a tenant's answers.
    const dataDir = path.join(work, 'links-data');
    fs.mkdirSync(path.join(dataDir, 'notes'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'key-pepper'), 'pepper-secret-0123456789');
    fs.writeFileSync(path.join(dataDir, 'notes', 'admin.md'), '# Admin notes\n\nThe root password is hunter2.');
    const folder = path.join(work, 'kb-links');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'handbook.md'), '# Handbook\n\nCall the help desk on 4242.');
    fs.symlinkSync(path.join(dataDir, 'key-pepper'), path.join(folder, 'faq.md'));
    fs.symlinkSync(path.join(dataDir, 'notes'), path.join(folder, 'notes'));

    const out = await ok(['docs', 'ingest', 'links-hospital', folder]);
    expect(out).toContain('skipped 2 symbolic links');
    expect(out).toContain('links-hospital: 1 documents added');
    const { id } = JSON.parse(await ok(['tenants', 'show', 'links-hospital', '--json']));
    const docs = await t.gql(`query($t: ID!) { documents(tenantId: $t) { edges { node { title } } } }`, { t: id });
    expect(docs.body.data.documents.edges.map((e: any) => e.node.title)).toEqual(['Handbook']);
    const hits = await t.gql(`query($t: ID!) { retrievalTest(tenantId: $t, query: "pepper secret root password hunter2") { title } }`, { t: id });
    expect(hits.body.data.retrievalTest).toEqual([]);
  });

  it('takes the admin key from standard input, and warns when --key puts it in the process list', async () => {
    const fromStdin = await askdesk(['tenants', 'list', '--key-stdin'], { ADMIN_API_KEY: undefined }, `${ADMIN_KEY}\n`);
    expect(fromStdin).toMatchObject({ code: 0, stderr: '' });
    expect(fromStdin.stdout).toMatch(/^id\s+slug/);
    const fromArgs = await askdesk(['tenants', 'list', '--key', ADMIN_KEY], { ADMIN_API_KEY: undefined });
    expect(fromArgs.code).toBe(0);
    expect(fromArgs.stdout).toMatch(/^id\s+slug/);
    expect(fromArgs.stderr).toMatch(/^warning: --key shows the admin key .* set ADMIN_API_KEY or use --key-stdin\.\n$/);
    expect(fromArgs.stderr).not.toContain(ADMIN_KEY);
    // Standard input wins over ADMIN_API_KEY when asked for, so an empty one is an error, not a fallback.
    expect(await askdesk(['tenants', 'list', '--key-stdin'], {}, '\n')).toMatchObject({ code: 2, stderr: 'error: no admin key on standard input.\n' });
    expect((await askdesk(['tenants', 'list', '--key-stdin', '--key', ADMIN_KEY], {}, `${ADMIN_KEY}\n`)).code).toBe(2);
  });

  it('shows a progress bar on a terminal', async () => {
    await ok(['tenants', 'create', '--name', 'TTY Hospital', '--email', 't@tty.example', '--plan', 'BUSINESS', '--slug', 'tty-hospital']);
    const folder = path.join(work, 'kb-tty');
    fs.mkdirSync(folder);
    for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(folder, `note-${i}.txt`), `Note ${i}: the badge office is in building ${i}.`);
    // util-linux `script` runs the CLI on a pseudo-terminal, as an operator's shell would.
    const command = [process.execPath, cli.entry, 'docs', 'ingest', 'tty-hospital', folder, '--batch', '2'].map((a) => `'${a}'`).join(' ');
    const run = await new Promise<Run>((resolve, reject) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: work, env: { ...process.env, ASKDESK_URL: baseUrl, ADMIN_API_KEY: ADMIN_KEY } });
      let stdout = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr: '' }));
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ingesting .* 4\/4 files \| 4 added, 0 skipped/);
    expect(run.stdout).not.toContain('files: ');
    expect(run.stdout).toContain('tty-hospital: 4 documents added');
  });

  it('reports usage for all tenants or one, as a table, JSON or CSV, and prints invoices', async () => {
    const created = await ok(['tenants', 'create', '--name', 'Usage Hospital', '--email', 'u@usage.example', '--plan', 'BUSINESS', '--slug', 'usage-hospital']);
    const key = field(created, 'key')!;
    await t.gql(`mutation { ask(input: { question: "How do I reset my password?" }) { answer } }`, {}, { key });
    const month = new Date().toISOString().slice(0, 7);

    const summary = JSON.parse(await ok(['usage', '--json']));
    expect(summary.month).toBe(month);
    expect(summary.tenants.find((r: any) => r.tenant.slug === 'usage-hospital')).toMatchObject({ requests: 1, succeeded: 1 });
    expect(await ok(['usage', '--month', month])).toMatch(/usage-hospital\s+BUSINESS\s+1\s+1\s+0\s+0/);

    const csv = (await ok(['usage', '--tenant', 'usage-hospital', '--csv'])).trim().split('\n');
    expect(csv[0]).toBe('day,requests,succeeded,refused,failed,inputTokens,outputTokens');
    expect(csv.filter((l) => /^\d{4}-\d{2}-\d{2},1,1,/.test(l))).toHaveLength(1);
    expect(await ok(['usage', '--tenant', 'usage-hospital'])).toMatch(/^total\s+1\s+1/m);
    expect((await askdesk(['usage', '--month', '2026-13'])).code).toBe(2);
    expect((await askdesk(['usage', '--json', '--csv'])).code).toBe(2);

    const invoice = await ok(['invoice', 'usage-hospital', month]);
    expect(invoice).toContain('Invoice Usage Hospital (usage-hospital)');
    expect(invoice).toMatch(/^total:\s+\d+\.\d{2}$/m);
    expect(JSON.parse(await ok(['invoice', 'usage-hospital', month, '--json'])).totalCents).toBeGreaterThan(0);
  });

  it('writes a client package whose key works', async () => {
    await ok(['tenants', 'create', '--name', 'Package Hospital', '--email', 'p@pkg.example', '--plan', 'BUSINESS', '--slug', 'pkg-hospital']);
    const out = await ok(['client-package', 'pkg-hospital', '--out', 'pkg.zip', '--endpoint', 'https://askdesk.example/graphql']);
    expect(out).toMatch(/^wrote .*pkg\.zip/);
    expect(out).toContain('Votre clé');
    const files = unzipSync(fs.readFileSync(path.join(work, 'pkg.zip')));
    // The welcome message, which repeats the key, is written beside the ZIP for the operator, not into it.
    expect(Object.keys(files)).not.toContain('WELCOME.txt');
    const welcomeFile = path.join(work, 'pkg-WELCOME.txt');
    expect(out).toContain(`wrote ${welcomeFile}`);
    expect(fs.readFileSync(welcomeFile, 'utf8')).toContain('Votre clé');
    expect(fs.statSync(welcomeFile).mode & 0o077).toBe(0);
    const window: Record<string, any> = {};
    vm.runInNewContext(strFromU8(files['config.js']), { window });
    expect(window.ASKDESK_CONFIG.endpoint).toBe('https://askdesk.example/graphql');
    // A publishable key: it reads its tenant's name (and plan and quota), nothing more of it.
    expect(window.ASKDESK_CONFIG.apiKey).toMatch(/^pk_business_/);
    expect((await t.gql(`{ me { name } }`, {}, { key: window.ASKDESK_CONFIG.apiKey })).body.data.me.name).toBe('Package Hospital');

    // Without --endpoint the page calls the server the CLI spoke to; without --out the file takes the server's name.
    const named = await ok(['client-package', 'pkg-hospital']);
    const written = /^wrote (\S+)/.exec(named)![1];
    expect(path.basename(written)).toMatch(/^askdesk-pkg-hospital-\d{4}-\d{2}-\d{2}\.zip$/);
    vm.runInNewContext(strFromU8(unzipSync(fs.readFileSync(written))['config.js']), { window });
    expect(window.ASKDESK_CONFIG.endpoint).toBe(`${baseUrl}/graphql`);
  });

  it('reports refusals in one line with exit code 1, and usage errors with exit code 2', async () => {
    const client = field(await ok(['tenants', 'create', '--name', 'Client Key', '--email', 'c@c.example', '--plan', 'BUSINESS']), 'key')!;
    const [forbidden, badKey, unreachable, unknownOption, missingArg, badPlan, noKey] = await Promise.all([
      askdesk(['tenants', 'list'], { ADMIN_API_KEY: client }),
      askdesk(['tenants', 'list', '--key', `sk_admin_${'B'.repeat(43)}`]),
      askdesk(['tenants', 'list', '--url', 'http://127.0.0.1:9']),
      askdesk(['tenants', 'list', '--colour']),
      askdesk(['invoice', 'x']),
      askdesk(['tenants', 'create', '--name', 'x', '--email', 'x@x.example', '--plan', 'GOLD']),
      askdesk(['tenants', 'list'], { ADMIN_API_KEY: '' }),
    ]);
    expect(forbidden).toMatchObject({ code: 1, stderr: 'error: FORBIDDEN: This operation needs an admin key.\n' });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr.split('\n').slice(1)).toEqual(['error: UNAUTHENTICATED: The API key is not valid.', '']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^error: UNREACHABLE: cannot reach http:\/\/127\.0\.0\.1:9\/graphql/);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    for (const run of [unknownOption, missingArg, badPlan, noKey]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^error: /);
    }
    const invalid = await askdesk(['tenants', 'create', '--name', 'x', '--email', 'not-an-email', '--plan', 'DEMO']);
    expect(invalid).toMatchObject({ code: 1, stderr: 'error: BAD_USER_INPUT: contactEmail is not an email address.\n' });
  });
});
