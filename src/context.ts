import type { IncomingHttpHeaders } from 'node:http';
import DataLoader from 'dataloader';
import type { Logger } from 'pino';
import type { AdminCaller, Caller, ClientCaller } from './caller';
import type { ApiKey } from './entities/api-key.entity';
import type { Rating } from './entities/enums';
import type { Message } from './entities/message.entity';
import type { Plan } from './entities/plan.entity';
import type { Tenant } from './entities/tenant.entity';
import { AppError, BadInput, Blocked, Forbidden, NotFound, Unauthenticated, UpstreamUnavailable } from './errors';
import { isDatabaseUnavailable } from './services/data/unavailable';
import { isOriginAllowed } from './services/allowed-origins';
import type { BillingState } from './services/billing/stripe-billing.service';
import { roleOf } from './services/authorization.service';
import type { Delivery } from './services/chat.service';
import type { LeaseIo } from './services/metering/metering.service';
import type { RequestServices } from './services/registry';
import { audienceOf } from './services/audience';
import type { TenantScope } from './services/tenant-scope';

/** Per-request batching of the lookups that lists of tenants would otherwise repeat (N+1). */
export interface Loaders {
  tenant: DataLoader<string, Tenant | null>;
  plan: DataLoader<string, Plan | null>;
  keys: DataLoader<string, ApiKey[]>;
  documentCount: DataLoader<string, number>;
  /** Each tenant's billing with Stripe; null for all when Stripe billing is off. */
  billing: DataLoader<string, BillingState | null>;
  /** The rating of each listed answer, through the caller's scope (only a client reaches messages). */
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
  services: RequestServices;
  /** Who is calling; null when no key was presented or it was refused. */
  caller: Caller | null;
  /** A client caller's own tenant data, built from the caller; null for the operator and the anonymous. */
  scope: TenantScope | null;
  refusal: Refusal | null;
  loaders: Loaders;
  log: Logger;
  /** Response headers gathered during execution (RateLimit-*, Retry-After). */
  responseHeaders: Map<string, string>;
}

/** The context a metered field runs with: what its lease statement read for it, where to leave what is to be written. */
export interface MeteredContext extends Context {
  io: LeaseIo;
}

/** The context a streamed metered field runs with: also where to deliver its deltas. */
export interface StreamContext extends MeteredContext {
  delivery: Delivery;
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
  services: RequestServices,
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
  // A publishable key's scope reaches only its visitor's conversations (see TenantScope).
  const scope = caller?.role === 'CLIENT' ? services.tenants.scopeOf(caller.tenant, audienceOf(caller)) : null;
  return {
    requestId: request.requestId,
    ip: request.ip,
    services,
    caller,
    scope,
    refusal,
    loaders: createLoaders(services, scope),
    log: request.log,
    responseHeaders: new Map(),
  };
}

function createLoaders({ tenants, keys, documents, ratings, stripeBilling }: RequestServices, scope: TenantScope | null): Loaders {
  return {
    tenant: new DataLoader(async (ids) => {
      const byId = new Map((await tenants.byIds(ids)).map((t) => [t.id, t]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    plan: new DataLoader(async (codes) => {
      const plans = await tenants.plans();
      return codes.map((c) => plans.find((p) => p.code === c) ?? null);
    }),
    keys: new DataLoader(async (tenantIds) => {
      const found = await keys.ofTenants(tenantIds);
      return tenantIds.map((id) => found.filter((k) => k.tenantId === id));
    }),
    documentCount: new DataLoader(async (tenantIds) => {
      const counts = await documents.counts(tenantIds);
      return tenantIds.map((id) => counts.get(id) ?? 0);
    }),
    billing: new DataLoader(async (tenantIds) => {
      if (!stripeBilling) return tenantIds.map(() => null);
      const states = await stripeBilling.states(tenantIds);
      return tenantIds.map((id) => states.get(id) ?? null);
    }),
    rating: new DataLoader(
      async (messages: readonly Message[]) => {
        const found = scope ? await ratings.ratingsOf(scope, messages.map((m) => m.id)) : new Map<string, Rating>();
        return messages.map((m) => found.get(m.id) ?? null);
      },
      { cacheKeyFn: (m) => m.id },
    ),
  };
}

/*
 * What a resolver or directive may know of its caller. @auth has already refused anyone without the right key;
 * these only narrow the type, and refuse loudly if a field ever lacks the @auth they assume.
 */
export function callerOf(ctx: Context): Caller {
  if (!ctx.caller) throw Unauthenticated();
  return ctx.caller;
}

const ClientOnly = () => Forbidden('This operation acts for a tenant; call it with a client key.');

export function clientOf(ctx: Context): ClientCaller {
  const caller = callerOf(ctx);
  if (caller.role !== 'CLIENT') throw ClientOnly();
  return caller;
}

export function adminOf(ctx: Context): AdminCaller {
  const caller = callerOf(ctx);
  if (caller.role !== 'ADMIN') throw Forbidden();
  return caller;
}

/** The calling client's own tenant data (see Context.scope): refused, as clientOf refuses, to anyone else. */
export function scopeOf(ctx: Context): TenantScope {
  const { tenant } = clientOf(ctx);
  if (ctx.scope?.tenantId !== tenant.id) throw ClientOnly();
  return ctx.scope;
}

/**
 * The tenant an operation that names one acts for (`documents(tenantId: ID)`, `issueApiKey`, `invoice`…), decided
 * here and nowhere else: the operator must give `tenantId`; a secret key acts for its own tenant, and may omit it or
 * give its own id (another tenant's, existing or not: NOT_FOUND, as for every foreign object). Publishable keys never
 * get this far (@auth requires CLIENT on these fields); refused here too, should a field lack that directive.
 */
export async function actingTenant(ctx: Context, tenantId: string | null | undefined): Promise<Tenant> {
  const caller = callerOf(ctx);
  if (caller.role === 'ADMIN') {
    if (tenantId === null || tenantId === undefined) throw BadInput('tenantId is required with an admin key.', 'tenantId');
    return ctx.services.tenants.get(tenantId);
  }
  if (roleOf(caller) !== 'CLIENT') throw SecretOnly();
  if (tenantId !== null && tenantId !== undefined && tenantId !== caller.tenant.id) throw NotFound('Tenant');
  return caller.tenant;
}

/**
 * The tenant whose objects an operation naming them only by id may touch (`rotateApiKey(id)`, `removeDocument(id)`):
 * null for the operator (any tenant's), the secret key's own tenant otherwise (another's objects: NOT_FOUND).
 */
export function actingTenantLimit(ctx: Context): string | null {
  const caller = callerOf(ctx);
  if (caller.role === 'ADMIN') return null;
  if (roleOf(caller) !== 'CLIENT') throw SecretOnly();
  return caller.tenant.id;
}

const SecretOnly = () => Forbidden('This operation needs a secret key.');
