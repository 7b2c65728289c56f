import type { IncomingHttpHeaders } from 'node:http';
import DataLoader from 'dataloader';
import type { Logger } from 'pino';
import type { Caller } from './caller';
import type { ApiKey } from './entities/api-key.entity';
import type { Plan } from './entities/plan.entity';
import type { Tenant } from './entities/tenant.entity';
import { AppError, Blocked } from './errors';
import type { Services } from './services/registry';

/** Per-request batching of the lookups that lists of tenants would otherwise repeat (N+1). */
export interface Loaders {
  tenant: DataLoader<string, Tenant | null>;
  plan: DataLoader<string, Plan | null>;
  keys: DataLoader<string, ApiKey[]>;
  documentCount: DataLoader<string, number>;
}

/** Why the presented key was refused, and what the refusal can be attributed to (for the usage record). */
export interface Refusal {
  error: AppError;
  tenantId: string | null;
  keyId: string | null;
}

export interface Context {
  requestId: string;
  ip: string;
  services: Services;
  /** Who is calling; null when no key was presented or it was refused. */
  caller: Caller | null;
  refusal: Refusal | null;
  loaders: Loaders;
  log: Logger;
  /** Response headers gathered during execution (RateLimit-*, Retry-After). */
  responseHeaders: Map<string, string>;
}

/** The key from `Authorization: Bearer <key>` or `x-api-key`, if any. */
export function presentedKey(headers: IncomingHttpHeaders | Record<string, unknown>): string | null {
  const authorization = headers['authorization'];
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[1] : authorization.trim() || null;
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.trim() ? apiKey.trim() : null;
}

/**
 * Resolves the request's key to a Caller once. Refusals are kept, not thrown: operations without @auth (plans)
 * still work, and @auth throws the refusal on the fields that need a key. A bad credential counts towards the
 * client IP's failed-authentication limit here, where it is first seen.
 */
export async function createContext(
  services: Services,
  request: { requestId: string; ip: string; key: string | null; log: Logger },
): Promise<Context> {
  let caller: Caller | null = null;
  let refusal: Refusal | null = null;
  if (request.key) {
    const result = await services.keys.authenticate(request.key);
    if (result.ok) {
      const tenantId = result.caller.role === 'CLIENT' ? result.caller.tenant.id : null;
      const { keyId } = result.caller;
      const blockedUntil = keyId ? (await services.abuse.keyBlockedUntil(keyId)) ?? result.blockedUntil : null;
      if (blockedUntil) {
        refusal = { error: Blocked('key', blockedUntil), tenantId, keyId };
      } else {
        caller = result.caller;
        if (keyId && tenantId) {
          void services.abuse.keySeen(keyId, tenantId, request.ip).catch((e) => request.log.warn(e, 'key-sharing check failed'));
        }
      }
    } else {
      refusal = { error: result.error, tenantId: result.tenantId, keyId: result.keyId };
      if (result.badCredential) await services.abuse.authFailed(request.ip);
    }
  }
  return {
    requestId: request.requestId,
    ip: request.ip,
    services,
    caller,
    refusal,
    loaders: createLoaders(services),
    log: request.log,
    responseHeaders: new Map(),
  };
}

function createLoaders({ data, tenants }: Services): Loaders {
  return {
    tenant: new DataLoader(async (ids) => {
      const byId = new Map((await data.operator.tenantsByIds(ids)).map((t) => [t.id, t]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    plan: new DataLoader(async (codes) => {
      const plans = await tenants.plans();
      return codes.map((c) => plans.find((p) => p.code === c) ?? null);
    }),
    keys: new DataLoader(async (tenantIds) => {
      const keys = await data.operator.keysOfTenants(tenantIds);
      return tenantIds.map((id) => keys.filter((k) => k.tenantId === id));
    }),
    documentCount: new DataLoader(async (tenantIds) => {
      const counts = await data.operator.documentCounts(tenantIds);
      return tenantIds.map((id) => counts.get(id) ?? 0);
    }),
  };
}
