import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, openDatabase } from '../../src/database';
import { startTestApp, TestApp } from '../helpers/app';
import { PlansDocument } from '../operations/operations.generated';

/** Inodes of the sockets this process holds open (/proc/self/fd → socket:[inode]). */
function ownSocketInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // the fd closed while listing
    }
  }
  return inodes;
}

/** TCP ports this process listens on, from /proc/net/tcp and tcp6 (state 0A = LISTEN). */
function ownTcpListeners(): number[] {
  const mine = ownSocketInodes();
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && cols[3] === '0A' && mine.has(cols[9])) ports.push(parseInt(cols[1].split(':')[1], 16));
    }
  }
  return ports;
}

/** Paths of the Unix sockets this process listens on (/proc/net/unix, flag 00010000 = listening). */
function ownUnixListeners(): string[] {
  const mine = ownSocketInodes();
  return fs
    .readFileSync('/proc/net/unix', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 8 && cols[3] === '00010000' && mine.has(cols[6]))
    .map((cols) => cols[7]);
}

describe.skipIf(!fs.existsSync('/proc/net/tcp'))('the embedded database socket', () => {
  let app: TestApp;
  let dataDir: string;
  let database: Database;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-sock-'));
    database = await openDatabase({ dataDir });
    app = await startTestApp({}, database);
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens no TCP port: the server listens on PORT only', async () => {
    expect((await app.gql(PlansDocument)).status).toBe(200);
    expect(ownTcpListeners()).toEqual([app.app.server.port]);
  });

  it('listens on a Unix socket of mode 0600 inside a directory of mode 0700 in DATA_DIR', () => {
    const sockets = ownUnixListeners().filter((p) => p.includes('.s.PGSQL.'));
    expect(sockets).toHaveLength(1);
    const [socket] = sockets;
    expect(path.dirname(path.dirname(socket))).toBe(dataDir);
    expect(fs.statSync(socket).isSocket()).toBe(true);
    expect(fs.statSync(socket).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(socket)).mode & 0o777).toBe(0o700);
  });

  it('uses a short private directory when DATA_DIR is too long for a socket path, and removes it on close', async () => {
    const longDir = path.join(dataDir, 'a-very-long-directory-name-'.repeat(4));
    const other = await openDatabase({ dataDir: longDir });
    try {
      const socket = ownUnixListeners().find((p) => p.includes('.s.PGSQL.') && !p.startsWith(dataDir));
      expect(socket).toBeDefined();
      expect(Buffer.byteLength(socket!)).toBeLessThan(108);
      expect(fs.statSync(path.dirname(socket!)).mode & 0o777).toBe(0o700);
      expect(fs.statSync(socket!).mode & 0o777).toBe(0o600);
      expect(await other.dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await other.close();
      expect(fs.existsSync(path.dirname(socket!))).toBe(false);
    } finally {
      if (other.dataSource.isInitialized) await other.close();
    }
  });
});
