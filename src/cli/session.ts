import fs from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ApiError, ContractClient } from '../contract/client';
import { TenantRefByIdDocument, TenantRefsBySearchDocument, type TenantRefFragment, type TenantRefsBySearchQuery } from '../contract/operations.generated';
import type { Format } from './output';

/** What every command needs: the API client built from the global options, and where to print. */
export interface Session {
  api: ContractClient;
  print(text: string): void;
}

/**
 * The session for a command, from --url and the admin key: ADMIN_API_KEY (which commander reads for --key), the first
 * line of standard input with --key-stdin, or --key. A key given as --key is in every process listing (`ps`) and in
 * the shell's history, so it still works but earns a warning.
 */
export function sessionOf(command: Command): Session {
  const { url, key, keyStdin } = command.optsWithGlobals<{ url: string; key?: string; keyStdin?: boolean }>();
  const onCommandLine = command.getOptionValueSourceWithGlobals('key') === 'cli';
  if (keyStdin && onCommandLine) usageError('choose one of --key and --key-stdin.');
  const secret = keyStdin ? fs.readFileSync(0, 'utf8').split(/\r?\n/)[0].trim() : key;
  if (!secret) usageError(keyStdin ? 'no admin key on standard input.' : 'no admin key: set ADMIN_API_KEY, or pass --key-stdin.');
  if (onCommandLine) {
    process.stderr.write('warning: --key shows the admin key to anyone who can list processes; set ADMIN_API_KEY or use --key-stdin.\n');
  }
  return { api: new ContractClient(endpointOf(url), secret!), print: (text) => process.stdout.write(`${text}\n`) };
}

/** A mistake in how the command was called: exit code 2, like commander's own. */
export function usageError(message: string): never {
  throw new CommanderError(2, 'askdesk.usage', `error: ${message}`);
}

/** A parser for an integer option in [min, max], for commander's option(…, parser, default). */
export function intOption(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`a whole number from ${min} to ${max} is expected.`);
    return n;
  };
}

/** An action on one tenant named by the command's first argument (id or slug). */
export function withTenant<O>(fn: (tenant: TenantRef, options: O, session: Session) => Promise<void>) {
  return async (ref: string, options: O, command: Command): Promise<void> => {
    const session = sessionOf(command);
    await fn(await resolveTenant(session.api, ref), options, session);
  };
}

export function formatOf(options: { json?: boolean; csv?: boolean }): Format {
  if (options.json && options.csv) usageError('choose one of --json and --csv.');
  return options.json ? 'json' : options.csv ? 'csv' : 'table';
}

/** Adds --json and --csv to a command whose output is a table. */
export function withFormats(command: Command): Command {
  return command.option('--json', 'print JSON').option('--csv', 'print CSV');
}

/** The GraphQL endpoint of a server given by its base URL, with or without the /graphql path. */
function endpointOf(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '').replace(/\/graphql$/, '')}/graphql`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type TenantRef = TenantRefFragment;

/** A tenant named by id or by slug. Slugs are found through the server-side search, then matched exactly. */
export async function resolveTenant(api: ContractClient, ref: string): Promise<TenantRef> {
  if (UUID.test(ref)) {
    const data = await api.request(TenantRefByIdDocument, { id: ref });
    if (data.tenant) return data.tenant;
  } else {
    // The search also matches names and emails, so the exact slug may sit on a later page.
    let after: string | null = null;
    do {
      const data: TenantRefsBySearchQuery = await api.request(TenantRefsBySearchDocument, { search: ref, after });
      const found = data.tenants.edges.find((e) => e.node.slug === ref.toLowerCase());
      if (found) return found.node;
      after = data.tenants.pageInfo.hasNextPage ? data.tenants.pageInfo.endCursor : null;
    } while (after);
  }
  throw new ApiError('NOT_FOUND', 'Tenant not found.');
}

/** The UTC month "YYYY-MM" of now. */
export function currentMonth(): string {
  return new Date().toISOString().slice(0, 7);
}
