import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { App, startApp } from '../../src/app';
import { parseConfig } from '../../src/config';
import type { Clock } from '../../src/clock';
import type { Database } from '../../src/database';
import { CreateTenantDocument, type PlanCode } from '../operations/operations.generated';
import { openTestDatabase } from './database';

export const ADMIN_KEY = `sk_admin_${'A'.repeat(43)}`;

export interface GqlResponse<T = any> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: { message: string; extensions: Record<string, any>; path?: string[] }[] };
}

export interface GqlOptions {
  /** The caller's key; the admin key when omitted, none when null. */
  key?: string | null;
  ip?: string;
  headers?: Record<string, string>;
}

export interface TestApp {
  app: App;
  url: string;
  database: Database;
  /**
   * Sends one operation as a client would: a generated typed document (tests/operations/*.graphql), or a string
   * for what no client would send (malformed, hostile, or probing one field's behaviour).
   */
  gql<TResult, TVars>(document: TypedDocumentNode<TResult, TVars>, variables?: TVars, options?: GqlOptions): Promise<GqlResponse<TResult>>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, options?: GqlOptions): Promise<GqlResponse<T>>;
  /** Creates a tenant and returns its id and first key. */
  tenant(plan?: PlanCode, extra?: Record<string, unknown>): Promise<{ id: string; key: string; keyId: string }>;
  close(): Promise<void>;
}

/**
 * The real server on a random loopback port, over a fresh database (PGlite, or TEST_DATABASE_URL in CI) and,
 * when TEST_REDIS_URL is set, a real Redis under a key prefix of its own. TRUST_PROXY is on so tests can speak
 * from several client IPs through X-Forwarded-For.
 */
export async function startTestApp(env: Record<string, string | undefined> = {}, database?: Database, options: { clock?: Clock } = {}): Promise<TestApp> {
  const db = database ?? (await openTestDatabase());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-test-'));
  const config = parseConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    ADMIN_API_KEY: ADMIN_KEY,
    KEY_PEPPER: 'test-pepper-0123456789abcdef',
    LOG_LEVEL: 'silent',
    TRUST_PROXY: 'true',
    REDIS_URL: process.env.TEST_REDIS_URL,
    REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}:`,
    ...env,
  });
  const app = await startApp(config, { database: db, host: '127.0.0.1', clock: options.clock });
  const url = `${app.server.url}/graphql`;
  const send = async (document: string | TypedDocumentNode<unknown, unknown>, variables?: unknown, options: GqlOptions = {}) => {
    const query = typeof document === 'string' ? document : print(document);
    const key = options.key === undefined ? ADMIN_KEY : options.key;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': options.ip ?? '10.0.0.1',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
  const gql = send as TestApp['gql'];
  let counter = 0;
  return {
    app,
    url,
    database: db,
    gql,
    async tenant(plan = 'BUSINESS', extra = {}) {
      const input = { name: `Hospital ${++counter} ${randomBytes(3).toString('hex')}`, contactEmail: 'it@example.org', plan, ...extra };
      const res = await gql(CreateTenantDocument, { input });
      if (res.body.errors || !res.body.data) throw new Error(JSON.stringify(res.body.errors));
      const p = res.body.data.createTenant;
      return { id: p.tenant.id, key: p.apiKey.secret, keyId: p.apiKey.key.id };
    },
    async close() {
      await app.close();
      if (!database) await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
