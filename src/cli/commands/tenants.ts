import { Command, Option } from 'commander';
import { ApiError } from '../../contract/client';
import {
  CreateTenantRowDocument,
  DeleteTenantDocument,
  PlanCode,
  ReactivateTenantStatusDocument,
  SuspendTenantStatusDocument,
  TenantRowsDocument,
  TenantShowDocument,
  TenantStatus,
  type KeyRowFragment,
  type TenantRowsQuery,
  type TenantRowFragment as TenantRow,
} from '../../contract/operations.generated';
import { Column, details, render } from '../output';
import { formatOf, resolveTenant, sessionOf, usageError, withFormats, withTenant } from '../session';

const COLUMNS: Column<TenantRow>[] = [
  { header: 'id', value: (t) => t.id },
  { header: 'slug', value: (t) => t.slug },
  { header: 'name', value: (t) => t.name },
  { header: 'plan', value: (t) => t.plan.code },
  { header: 'status', value: (t) => t.status },
  { header: 'documents', value: (t) => t.documentCount },
  { header: 'contact', value: (t) => t.contactEmail },
];

/** `askdesk tenants create|list|show|suspend|reactivate|delete`. */
export function tenantsCommand(): Command {
  const tenants = new Command('tenants').description('create, list, show, suspend and delete tenants (client organisations)');

  tenants
    .command('create')
    .description('add a tenant; prints its id and its first API key (shown once)')
    .requiredOption('--name <name>', 'organisation name')
    .requiredOption('--email <email>', 'contact email')
    .addOption(new Option('--plan <plan>', 'plan').choices(Object.values(PlanCode)).makeOptionMandatory())
    .option('--slug <slug>', 'URL-safe name (derived from the name when omitted)')
    .option('--origin <origin...>', 'origins the widget may call from (default: any)')
    .option('--json', 'print JSON')
    .action(async (options, command: Command) => {
      const { api, print } = sessionOf(command);
      const input = { name: options.name, contactEmail: options.email, plan: options.plan, slug: options.slug, allowedOrigins: options.origin };
      const data = await api.request(CreateTenantRowDocument, { input });
      const { tenant, apiKey } = data.createTenant;
      if (options.json) return print(JSON.stringify(data.createTenant, null, 2));
      print(details([['id', tenant.id], ['slug', tenant.slug], ['name', tenant.name], ['plan', tenant.plan.code], ['key id', apiKey.key.id], ['key', apiKey.secret]]));
      print('The key is shown once: store it now.');
    });

  withFormats(
    tenants
      .command('list')
      .description('list tenants, oldest first')
      .addOption(new Option('--status <status>', 'only this status').choices(Object.values(TenantStatus)))
      .option('--search <text>', 'part of the name, slug or contact email'),
  ).action(async (options, command: Command) => {
    const { api, print } = sessionOf(command);
    const rows: TenantRow[] = [];
    let after: string | null = null;
    do {
      const data: TenantRowsQuery = await api.request(TenantRowsDocument, { after, status: options.status, search: options.search });
      rows.push(...data.tenants.edges.map((e) => e.node));
      after = data.tenants.pageInfo.hasNextPage ? data.tenants.pageInfo.endCursor : null;
    } while (after);
    print(render(rows, COLUMNS, formatOf(options)));
  });

  tenants
    .command('show')
    .description('one tenant: plan, quota this month, allowed origins and keys')
    .argument('<tenant>', 'tenant id or slug')
    .option('--json', 'print JSON')
    .action(withTenant<{ json?: boolean }>(async ({ id }, options, { api, print }) => {
      const { tenant } = await api.request(TenantShowDocument, { id });
      if (!tenant) throw new ApiError('NOT_FOUND', 'Tenant not found.');
      if (options.json) return print(JSON.stringify(tenant, null, 2));
      print(details([
        ['id', tenant.id], ['slug', tenant.slug], ['name', tenant.name], ['contact', tenant.contactEmail], ['plan', tenant.plan.code],
        ['status', tenant.status], ['created', tenant.createdAt], ['trial ends', tenant.trialEndsAt],
        ['quota', `${tenant.quota.used} used of ${tenant.quota.limit ?? 'unlimited'} (resets ${tenant.quota.resetsAt})`],
        ['rate', `${tenant.quota.ratePerMinute}/min`], ['documents', tenant.documentCount],
        ['origins', tenant.allowedOrigins.length ? tenant.allowedOrigins.join(', ') : 'any'],
      ]));
      print('');
      print(render(tenant.keys, KEY_COLUMNS, 'table'));
    }));

  tenants
    .command('suspend')
    .description('stop serving a tenant (its keys get TENANT_SUSPENDED)')
    .argument('<tenant>', 'tenant id or slug')
    .requiredOption('--reason <reason>', 'why (kept in the audit log)')
    .action(withTenant<{ reason: string }>(async ({ id }, options, { api, print }) => {
      const data = await api.request(SuspendTenantStatusDocument, { id, reason: options.reason });
      print(`${data.suspendTenant.slug}: ${data.suspendTenant.status}`);
    }));

  tenants
    .command('reactivate')
    .description('serve a suspended tenant again')
    .argument('<tenant>', 'tenant id or slug')
    .action(withTenant(async ({ id }, _options, { api, print }) => {
      const data = await api.request(ReactivateTenantStatusDocument, { id });
      print(`${data.reactivateTenant.slug}: ${data.reactivateTenant.status}`);
    }));

  tenants
    .command('delete')
    .description('erase a tenant with its documents, conversations and keys (cannot be undone)')
    .argument('<tenant>', 'tenant id or slug')
    .option('--yes', 'confirm the erasure')
    .action(async (ref: string, options, command: Command) => {
      if (!options.yes) usageError('deleting a tenant erases all its data; add --yes to confirm.');
      const { api, print } = sessionOf(command);
      const tenant = await resolveTenant(api, ref);
      await api.request(DeleteTenantDocument, { id: tenant.id });
      print(`deleted ${tenant.slug} (${tenant.id})`);
    });

  return tenants;
}

export const KEY_COLUMNS: Column<KeyRowFragment>[] = [
  { header: 'id', value: (k) => k.id },
  { header: 'name', value: (k) => k.name },
  { header: 'prefix', value: (k) => k.prefix },
  { header: 'status', value: (k) => k.status },
  { header: 'created', value: (k) => k.createdAt },
  { header: 'last used', value: (k) => k.lastUsedAt },
  { header: 'expires', value: (k) => k.expiresAt },
];
