import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startApp } from '../../src/app';
import { parseConfig } from '../../src/config';
import { ContractClient } from '../../src/contract/client';
import { CreateTenantDocument, MeDetailsDocument, TenantsWithStatusDocument } from '../operations/operations.generated';
import { freshDatabaseUrl } from '../helpers/database';

describe('restart', () => {
  it('keeps tenants and keys across a restart on the same data', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-restart-'));
    const url = await freshDatabaseUrl();
    const env = { PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(url ? { DATABASE_URL: url } : {}) };
    const first = await startApp(parseConfig(env), { host: '127.0.0.1' });
    expect(first.generatedAdminKey).toMatch(/^sk_admin_/);
    const admin = first.generatedAdminKey!;
    // Each process is its own app here (the test helper holds one): they are called as the CLI and pages call a server.
    const client = (app: typeof first, key: string) => new ContractClient(`${app.server.url}/graphql`, key);
    const created = await client(first, admin).request(CreateTenantDocument, { input: { name: 'Persistent', contactEmail: 'a@b.co', plan: 'BUSINESS' } });
    const clientKey = created.createTenant.apiKey.secret;
    await first.close();

    const second = await startApp(parseConfig(env), { host: '127.0.0.1' });
    expect(second.generatedAdminKey).toBeNull();
    const { me } = await client(second, clientKey).request(MeDetailsDocument);
    expect(me.name).toBe('Persistent');
    const { tenants } = await client(second, admin).request(TenantsWithStatusDocument, {});
    expect(tenants.totalCount).toBe(1);
    await second.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    // Two starts, the first initialising a fresh embedded database: 40 s alone here, past 60 s beside other files.
  }, 120_000);
});
