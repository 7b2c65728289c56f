import { Command } from 'commander';
import { details, render } from '../output';
import { formatOf, intOption, sessionOf, withFormats, withTenant } from '../session';
import { KEY_COLUMNS, KeyRow } from './tenants';

const ISSUED = 'secret key { id name kind prefix status expiresAt }';

function printIssued(print: (text: string) => void, issued: { secret: string; key: KeyRow & { kind: string } }): void {
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
      const data = await api.request(
        `mutation($t: ID!, $n: String!, $e: DateTime, $k: KeyKind) { issueApiKey(tenantId: $t, name: $n, expiresAt: $e, kind: $k) { ${ISSUED} } }`,
        { t: id, n: options.name, e: options.expires, k: options.publishable ? 'PUBLISHABLE' : 'SECRET' },
      );
      printIssued(print, data.issueApiKey);
    }));

  withFormats(keys.command('list').description("a tenant's keys, oldest first").argument('<tenant>', 'tenant id or slug')).action(
    withTenant<{ json?: boolean; csv?: boolean }>(async ({ id }, options, { api, print }) => {
      const data = await api.request(`query($id: ID!) { tenant(id: $id) { keys { id name prefix status createdAt lastUsedAt expiresAt } } }`, { id });
      print(render(data.tenant.keys as KeyRow[], KEY_COLUMNS, formatOf(options)));
    }),
  );

  keys
    .command('rotate')
    .description('replace a key by a new secret; the old one keeps working for the grace period')
    .argument('<key-id>', 'the key to replace')
    .option('--grace <seconds>', 'how long the old key keeps working (0 to 2592000)', intOption(0, 2_592_000), 0)
    .action(async (keyId: string, options, command: Command) => {
      const { api, print } = sessionOf(command);
      const data = await api.request(`mutation($id: ID!, $g: Int) { rotateApiKey(id: $id, graceSeconds: $g) { ${ISSUED} } }`, { id: keyId, g: options.grace });
      printIssued(print, data.rotateApiKey);
    });

  keys
    .command('revoke')
    .description('stop a key at once')
    .argument('<key-id>', 'the key to revoke')
    .action(async (keyId: string, _options, command: Command) => {
      const { api, print } = sessionOf(command);
      const data = await api.request(`mutation($id: ID!) { revokeApiKey(id: $id) { id status } }`, { id: keyId });
      print(`${data.revokeApiKey.id}: ${data.revokeApiKey.status}`);
    });

  return keys;
}
