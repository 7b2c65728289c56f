import { Command } from 'commander';
import { ApiError } from '../../contract/client';
import { IssueApiKeyDocument, KeyKind, RevokeApiKeyDocument, RotateApiKeyDocument, TenantKeysDocument, type IssuedKeyFragment } from '../../contract/operations.generated';
import { details, render } from '../output';
import { formatOf, intOption, sessionOf, withFormats, withTenant } from '../session';
import { KEY_COLUMNS } from './tenants';

function printIssued(print: (text: string) => void, issued: IssuedKeyFragment): void {
  print(details([['key id', issued.key.id], ['name', issued.key.name], ['kind', issued.key.kind], ['expires', issued.key.expiresAt], ['key', issued.secret]]));
  print('The key is shown once: store it now.');
}

/** `askdesk keys issue|list|rotate|revoke`. */
export function keysCommand(): Command {
  const keys = new Command('keys').description("issue, list, rotate and revoke a tenant's API keys");

  keys
    .command('issue')
    .description('a new key for a tenant (up to 3 active secret keys; DEMO and STARTER hold one active publishable key)')
    .argument('<tenant>', 'tenant id or slug')
    .requiredOption('--name <name>', 'what the key is for, e.g. "intranet page"')
    .option('--expires <date-time>', 'when the key stops working (ISO 8601); never when omitted')
    .option('--publishable', 'a publishable key (pk_…) for a page, instead of a secret key for the IT team')
    .action(withTenant<{ name: string; expires?: string; publishable?: boolean }>(async ({ id }, options, { api, print }) => {
      const kind = options.publishable ? KeyKind.Publishable : KeyKind.Secret;
      const data = await api.request(IssueApiKeyDocument, { tenantId: id, name: options.name, expiresAt: options.expires, kind });
      printIssued(print, data.issueApiKey);
    }));

  withFormats(keys.command('list').description("a tenant's keys, oldest first").argument('<tenant>', 'tenant id or slug')).action(
    withTenant<{ json?: boolean; csv?: boolean }>(async ({ id }, options, { api, print }) => {
      const data = await api.request(TenantKeysDocument, { id });
      if (!data.tenant) throw new ApiError('NOT_FOUND', 'Tenant not found.');
      print(render(data.tenant.keys, KEY_COLUMNS, formatOf(options)));
    }),
  );

  keys
    .command('rotate')
    .description('replace a key by a new secret; the old one keeps working for the grace period')
    .argument('<key-id>', 'the key to replace')
    .option('--grace <seconds>', 'how long the old key keeps working (0 to 2592000)', intOption(0, 2_592_000), 0)
    .action(async (keyId: string, options, command: Command) => {
      const { api, print } = sessionOf(command);
      const data = await api.request(RotateApiKeyDocument, { id: keyId, graceSeconds: options.grace });
      printIssued(print, data.rotateApiKey);
    });

  keys
    .command('revoke')
    .description('stop a key at once')
    .argument('<key-id>', 'the key to revoke')
    .action(async (keyId: string, _options, command: Command) => {
      const { api, print } = sessionOf(command);
      const data = await api.request(RevokeApiKeyDocument, { id: keyId });
      print(`${data.revokeApiKey.id}: ${data.revokeApiKey.status}`);
    });

  return keys;
}
