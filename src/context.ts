import type { IncomingHttpHeaders } from 'node:http';
import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { Logger } from 'pino';
import { ApiKey } from './entities/api-key.entity';
import { Plan } from './entities/plan.entity';
import { Tenant } from './entities/tenant.entity';
import { Blocked } from './errors';
import type { Authentication } from './services/authorization.service';
import type { RateDecision } from './services/rate-limit.service';
import type { Services } from './services/registry';

/** Per-request batching of the lookups that lists of tenants would otherwise repeat (N+1). */
export interface Loaders {
  tenant: DataLoader<string, Tenant | null>;
  plan: DataLoader<string, Plan | null>;
  keys: DataLoader<string, ApiKey[]>;
  documentCount: DataLoader<string, number>;
}

export interface Context {
  requestId: string;
  ip: string;
  services: Services;
  auth: Authentication;
  loaders: Loaders;
  log: Logger;
  /** Response headers gathered during execution (RateLimit-*, Retry-After). */
  responseHeaders: Map<string, string>;
  rate(decision: RateDecision): void;
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
 * Resolves the request's key to a principal once. Refusals are kept, not thrown: operations without @auth (plans)
 * still work, and @auth throws the refusal on the fields that need a key. A bad credential counts towards the
 * client IP's failed-authentication limit here, where it is first seen.
 */
export async function createContext(
  services: Services,
  request: { requestId: string; ip: string; key: string | null; log: Logger },
): Promise<Context> {
  const auth: Authentication = { principal: null, refusal: null, refusedTenantId: null, refusedKeyId: null };
  if (request.key) {
    const result = await services.keys.authenticate(request.key);
    if (result.ok) {
      const { principal } = result;
      const blockedUntil = principal.keyId
        ? (await services.abuse.keyBlockedUntil(principal.keyId)) ?? result.blockedUntil
        : null;
      if (blockedUntil) {
        Object.assign(auth, { refusal: Blocked('key', blockedUntil), refusedTenantId: principal.tenantId, refusedKeyId: principal.keyId });
      } else {
        auth.principal = principal;
        if (principal.keyId && principal.tenantId) {
          void services.abuse.keySeen(principal.keyId, principal.tenantId, request.ip).catch((e) => request.log.warn(e, 'key-sharing check failed'));
        }
      }
    } else {
      Object.assign(auth, { refusal: result.error, refusedTenantId: result.tenantId, refusedKeyId: result.keyId });
      if (result.badCredential) await services.abuse.authFailed(request.ip);
    }
  }
  const responseHeaders = new Map<string, string>();
  return {
    requestId: request.requestId,
    ip: request.ip,
    services,
    auth,
    loaders: createLoaders(services),
    log: request.log,
    responseHeaders,
    rate(decision) {
      responseHeaders.set('RateLimit-Limit', String(decision.limit));
      responseHeaders.set('RateLimit-Remaining', String(decision.remaining));
      responseHeaders.set('RateLimit-Reset', String(decision.resetSeconds));
      if (!decision.allowed) responseHeaders.set('Retry-After', String(decision.resetSeconds));
    },
  };
}

function createLoaders({ dataSource }: Services): Loaders {
  const byId = <T extends { id: string }>(rows: T[], ids: readonly string[]) => {
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  };
  return {
    tenant: new DataLoader(async (ids) => byId(await dataSource.getRepository(Tenant).findBy({ id: In([...ids]) }), ids)),
    plan: new DataLoader(async (codes) => {
      const plans = await dataSource.getRepository(Plan).find();
      return codes.map((c) => plans.find((p) => p.code === c) ?? null);
    }),
    keys: new DataLoader(async (tenantIds) => {
      const keys = await dataSource.getRepository(ApiKey).find({ where: { tenantId: In([...tenantIds]) }, order: { createdAt: 'ASC' } });
      return tenantIds.map((id) => keys.filter((k) => k.tenantId === id));
    }),
    documentCount: new DataLoader(async (tenantIds) => {
      const rows: { tenant_id: string; n: number }[] = await dataSource.query(
        'SELECT tenant_id, count(*)::int AS n FROM document WHERE tenant_id = ANY($1) GROUP BY tenant_id',
        [[...tenantIds]],
      );
      return tenantIds.map((id) => rows.find((r) => r.tenant_id === id)?.n ?? 0);
    }),
  };
}
