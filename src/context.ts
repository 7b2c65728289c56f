import type { IncomingHttpHeaders } from 'node:http';
import DataLoader from 'dataloader';
import type { Logger } from 'pino';
import type { Caller } from './caller';
import type { ApiKey } from './entities/api-key.entity';
import type { Rating } from './entities/enums';
import type { Message } from './entities/message.entity';
import type { Plan } from './entities/plan.entity';
import type { Tenant } from './entities/tenant.entity';
import { AppError, BadInput, Blocked, Forbidden, UpstreamUnavailable } from './errors';
import { isDatabaseUnavailable } from './services/data/unavailable';
import { isOriginAllowed } from './services/allowed-origins';
import type { Services } from './services/registry';

/** Per-request batching of the lookups that lists of tenants would otherwise repeat (N+1). */
export interface Loaders {
  tenant: DataLoader<string, Tenant | null>;
  plan: DataLoader<string, Plan | null>;
  keys: DataLoader<string, ApiKey[]>;
  documentCount: DataLoader<string, number>;
  /** The rating of each listed answer, one query per tenant (messages are reached through their tenant's scope). */
  rating: DataLoader<Message, Rating | null, string>;
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

/** A browser page calling from an origin its tenant has not allowed (the widget on someone else's site). */
export const OriginRefused = () => Forbidden('This origin is not allowed for this tenant.');

/** The header a page sends its visitor id in (over graphql-ws: `visitor` in the connection_init payload). */
export const VISITOR_HEADER = 'x-askdesk-visitor';
const VISITOR_ID = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The visitor id a request carries: absent (undefined), or valid, or a refusal. A page creates one per browser and
 * keeps it; publishable keys then reach only that visitor's conversations.
 */
export function parseVisitor(raw: unknown): string | null | AppError {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string' && VISITOR_ID.test(raw)) return raw;
  return BadInput('The visitor id (X-AskDesk-Visitor) must be 16 to 128 characters of A-Z, a-z, 0-9, _ and -.', 'visitor');
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
  request: { requestId: string; ip: string; key: string | null; log: Logger; origin?: string; visitor?: unknown },
): Promise<Context> {
  let caller: Caller | null = null;
  let refusal: Refusal | null = null;
  if (request.key) {
    let result;
    try {
      result = await services.keys.authenticate(request.key);
    } catch (error) {
      // The key can't be checked while the database is down: every keyed field answers 503, and the request is
      // no failed authentication (nothing counts towards an IP block).
      if (!isDatabaseUnavailable(error)) throw error;
      result = { ok: false as const, error: UpstreamUnavailable('database'), tenantId: null, keyId: null, badCredential: false };
    }
    if (result.ok) {
      const tenantId = result.caller.role === 'CLIENT' ? result.caller.tenant.id : null;
      const { keyId } = result.caller;
      const blockedUntil = keyId ? (await services.abuse.keyBlockedUntil(keyId)) ?? result.blockedUntil : null;
      const visitor = parseVisitor(request.visitor);
      if (blockedUntil) {
        refusal = { error: Blocked('key', blockedUntil), tenantId, keyId };
      } else if (result.caller.role === 'CLIENT' && request.origin !== undefined && !isOriginAllowed(result.caller.tenant.allowedOrigins ?? [], request.origin)) {
        // Publishable and secret keys alike: a tenant that lists its origins wants no page elsewhere using its keys.
        refusal = { error: OriginRefused(), tenantId, keyId };
      } else if (visitor instanceof AppError) {
        refusal = { error: visitor, tenantId, keyId };
      } else {
        caller = result.caller.role === 'CLIENT' ? { ...result.caller, visitorId: visitor } : result.caller;
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

function createLoaders({ data, tenants, ratings }: Services): Loaders {
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
    rating: new DataLoader(
      async (messages: readonly Message[]) => {
        const found = new Map<string, Rating>();
        for (const tenantId of new Set(messages.map((m) => m.tenantId))) {
          const ids = messages.filter((m) => m.tenantId === tenantId).map((m) => m.id);
          for (const [id, rating] of await ratings.ratingsOf(data.forTenant(tenantId), ids)) found.set(id, rating);
        }
        return messages.map((m) => found.get(m.id) ?? null);
      },
      { cacheKeyFn: (m) => m.id },
    ),
  };
}
