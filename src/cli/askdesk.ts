#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { ApiError } from '../contract/client';
import { clientPackageCommand } from './commands/client-package';
import { docsCommand } from './commands/docs';
import { invoiceCommand } from './commands/invoice';
import { keysCommand } from './commands/keys';
import { tenantsCommand } from './commands/tenants';
import { usageCommand } from './commands/usage';

/**
 * `askdesk`, the operator's command line. It speaks GraphQL to a server (local or remote) and nothing else.
 * Exit codes: 0 done, 1 refused (any GraphQL or HTTP refusal, or an unreachable server), 2 usage error.
 */
export function buildProgram(): Command {
  const program = new Command('askdesk')
    .description('Administer an AskDesk service: tenants, keys, documents, usage, invoices, client packages.')
    .addOption(new Option('--url <url>', 'the AskDesk server').env('ASKDESK_URL').default('http://localhost:4000'))
    .addOption(new Option('--key <key>', 'an admin API key (visible to ps: prefer ADMIN_API_KEY or --key-stdin)').env('ADMIN_API_KEY'))
    .addOption(new Option('--key-stdin', 'read the admin API key from the first line of standard input'))
    .showHelpAfterError('(add --help for usage)')
    // Commander would exit by itself; thrown instead, its errors get our exit code 2 below.
    .exitOverride();
  for (const command of [tenantsCommand(), keysCommand(), docsCommand(), usageCommand(), invoiceCommand(), clientPackageCommand()]) {
    program.addCommand(inheritSettings(command));
  }
  return program;
}

/** addCommand (unlike .command()) copies nothing from the parent: give every level the same error handling. */
function inheritSettings(command: Command): Command {
  command.exitOverride().showHelpAfterError('(add --help for usage)');
  for (const sub of command.commands) inheritSettings(sub);
  return command;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "errors" are successes; our own usage errors carry their message, commander's are printed.
      if (error.exitCode === 0) return 0;
      if (error.code === 'askdesk.usage') process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof ApiError) {
      process.stderr.write(`error: ${error.code}: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`error: ${(error as Error).message ?? error}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
