import fs from 'node:fs';
import path from 'node:path';
import type { Zippable } from 'fflate';
import type { Clock } from '../clock';
import type { ApiKey } from '../entities/api-key.entity';
import { KeyKind } from '../entities/enums';
import { AppError, BadInput } from '../errors';
import type { Actor } from '../caller';
import type { ApiKeyService } from './keys/api-key.service';
import type { AuditService } from './audit/audit.service';
import { PackageFacts } from './client-package/facts';
import { licence } from './client-package/licence';
import { readme } from './client-package/readme';
import { welcome } from './client-package/welcome';
import type { TenantService } from './tenants/tenant.service';

export interface ClientPackage {
  filename: string;
  content: Uint8Array;
  apiKey: { key: ApiKey; secret: string };
  welcomeMessage: string;
}

/** The page files built by `npm run build:web` that the package ships as they are. */
const PAGE_FILES = ['chat.html', 'chat.js', 'chat.css'];

/**
 * Builds the ZIP a client unzips and opens: the standalone chat page, a config.js holding the endpoint and a freshly
 * issued publishable key, and the README and LICENSE texts. The welcome message is returned beside the ZIP, never
 * in it: the ZIP is meant to be copied onto a web server as it is, and the key should be there once, in config.js,
 * not again in a text file anyone browsing the folder can read. The page assets come from a directory given at
 * construction (the built `dist/web` by default), so tests can build packages from assets of their own.
 */
export class ClientPackageService {
  constructor(
    private readonly tenants: TenantService,
    private readonly keys: ApiKeyService,
    private readonly audit: AuditService,
    private readonly supportEmail: string,
    private readonly clock: Clock,
    private readonly assetsDir: string = defaultAssetsDir(),
  ) {}

  async create(actor: Actor, tenantId: string, endpoint: string, keyName?: string | null): Promise<ClientPackage> {
    const url = requireEndpoint(endpoint);
    const tenant = await this.tenants.get(tenantId);
    // Read before issuing, so a server without the built page refuses without leaving an unused key behind.
    const page = this.readPage();
    const plan = await this.tenants.plan(tenant.planCode);
    const issuedOn = new Date(this.clock.now()).toISOString().slice(0, 10);
    // A page's key is readable by anyone who opens the page: a publishable key, which reaches only its visitor's
    // conversations, never the tenant's whole history.
    const apiKey = await this.keys.issueForTenant(actor, tenant.id, keyName?.trim() || `client package ${issuedOn}`, null, KeyKind.PUBLISHABLE);

    const facts: PackageFacts = {
      tenantName: tenant.name,
      endpoint: url,
      apiKey: apiKey.secret,
      planName: plan.name,
      monthlyQuota: tenant.quotaOverride ?? plan.monthlyQuota,
      ratePerMinute: tenant.rateOverride ?? plan.ratePerMinute,
      priceCents: plan.priceCents,
      supportEmail: this.supportEmail,
      issuedOn,
    };
    const welcomeMessage = welcome(facts);
    // Loaded on first use: packages are rare, and every module loaded at boot delays the first /healthz.
    const { strToU8, zipSync } = await import('fflate');
    const files: Zippable = {
      ...page,
      'config.js': strToU8(configJs(facts)),
      'README.md': strToU8(readme(facts)),
      'LICENSE.txt': strToU8(licence(facts)),
    };
    const content = zipSync(files, { level: 9, mtime: new Date(this.clock.now()) });
    const filename = `askdesk-${tenant.slug}-${issuedOn}.zip`;
    await this.audit.record(null, actor, 'createClientPackage', { type: 'tenant', id: tenant.id }, { keyId: apiKey.key.id, endpoint: url, filename });
    return { filename, content, apiKey, welcomeMessage };
  }

  private readPage(): Record<string, Uint8Array> {
    const missing = PAGE_FILES.filter((f) => !fs.existsSync(path.join(this.assetsDir, f)));
    if (missing.length > 0) {
      throw new AppError('NOT_FOUND', `The chat page is not built on this server (missing ${missing.join(', ')}; run npm run build:web).`);
    }
    return Object.fromEntries(PAGE_FILES.map((f) => [f, new Uint8Array(fs.readFileSync(path.join(this.assetsDir, f)))]));
  }
}

/** The page reads window.ASKDESK_CONFIG; values are JSON so no name or URL can break out of the script. */
function configJs(f: PackageFacts): string {
  const config = { endpoint: f.endpoint, apiKey: f.apiKey, name: f.tenantName, language: 'fr' };
  return `// AskDesk — ${f.issuedOn}. The key below is confidential: see LICENSE.txt.\n` +
    `// name, logoUrl and language may be changed; see README.md.\n` +
    `window.ASKDESK_CONFIG = ${JSON.stringify(config, null, 2).replace(/</g, '\\u003c')};\n`;
}

function requireEndpoint(endpoint: string): string {
  let url: URL | null = null;
  try {
    url = new URL(endpoint.trim());
  } catch {
    url = null;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    throw BadInput('endpoint must be the http(s) URL of the GraphQL API, e.g. https://askdesk.example/graphql.', 'endpoint');
  }
  return url.toString();
}

/** `dist/web` of the project, found from this file whether it runs from src (tests) or from dist (npm start). */
function defaultAssetsDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'web');
}
