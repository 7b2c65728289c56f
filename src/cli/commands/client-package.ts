import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { CreateClientPackageDocument } from '../../contract/operations.generated';
import { withTenant } from '../session';

/** `askdesk client-package <tenant>`: issues a key and writes the ZIP to hand the client. */
export function clientPackageCommand(): Command {
  return new Command('client-package')
    .description('issue a fresh key for a tenant and write its ready-to-open chat page (ZIP), and beside it the welcome message')
    .argument('<tenant>', 'tenant id or slug')
    .option('--out <file.zip>', 'where to write the ZIP (default: askdesk-<slug>-<date>.zip here)')
    .option('--endpoint <url>', "the GraphQL URL the client's page calls (default: the --url server's /graphql)")
    .option('--key-name <name>', 'name of the issued key')
    .action(withTenant<{ out?: string; endpoint?: string; keyName?: string }>(async (tenant, options, { api, print }) => {
      const { createClientPackage: pkg } = await api.request(CreateClientPackageDocument, {
        tenantId: tenant.id,
        endpoint: options.endpoint ?? api.endpoint,
        keyName: options.keyName,
      });
      const out = path.resolve(options.out ?? pkg.filename);
      fs.writeFileSync(out, Buffer.from(pkg.contentBase64, 'base64'));
      // The message holds the key: it goes beside the ZIP (which is copied onto a web server as it is), readable by
      // the operator's account only.
      const welcomeFile = `${out.replace(/\.zip$/i, '')}-WELCOME.txt`;
      fs.writeFileSync(welcomeFile, pkg.welcomeMessage, { mode: 0o600 });
      print(`wrote ${out} (key ${pkg.apiKey.key.id})`);
      print(`wrote ${welcomeFile} (the message to send the client, with its key)`);
      print('');
      print(pkg.welcomeMessage.trimEnd());
    }));
}
