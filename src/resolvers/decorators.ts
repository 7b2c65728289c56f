import { createParameterDecorator } from 'type-graphql';
import type { AdminCaller, Caller, ClientCaller } from '../caller';
import type { Context } from '../context';
import type { Tenant } from '../entities/tenant.entity';
import { BadInput, Forbidden, NotFound, Unauthenticated } from '../errors';
import type { TenantData } from '../services/data/tenant-data';

/**
 * What a resolver may know of its caller, handed over by parameter decorators instead of read from the context.
 * @auth has already refused anyone without the right key; these only narrow the type, and refuse loudly if a field
 * ever lacks the @auth its decorator assumes.
 */
export function callerOf(ctx: Context): Caller {
  if (!ctx.caller) throw Unauthenticated();
  return ctx.caller;
}

export function clientOf(ctx: Context): ClientCaller {
  const caller = callerOf(ctx);
  if (caller.role !== 'CLIENT') throw Forbidden('This operation acts for a tenant; call it with a client key.');
  return caller;
}

export function adminOf(ctx: Context): AdminCaller {
  const caller = callerOf(ctx);
  if (caller.role !== 'ADMIN') throw Forbidden();
  return caller;
}

/** The calling client key, with its tenant and plan. */
export function CurrentClient() {
  return createParameterDecorator<Context>(({ context }) => clientOf(context));
}

/** The calling admin key: the actor of the operator's mutations, for the audit trail. */
export function CurrentAdmin() {
  return createParameterDecorator<Context>(({ context }) => adminOf(context));
}

/** The calling client's own tenant data: the only data handle client operations get. */
export function TenantScope() {
  return createParameterDecorator<Context>(({ context }) => context.services.data.forTenant(clientOf(context).tenant.id) satisfies TenantData);
}

/**
 * The tenant an operation that names one acts for (`curatedAnswers(tenantId: ID)`…), decided here and nowhere else:
 * the operator must give `tenantId`; a client key acts for its own tenant, and may omit it or give its own id
 * (another tenant's, existing or not: NOT_FOUND, as for every foreign object).
 */
export async function actingTenant(ctx: Context, tenantId: string | null | undefined): Promise<Tenant> {
  const caller = callerOf(ctx);
  if (caller.role === 'ADMIN') {
    if (tenantId === null || tenantId === undefined) throw BadInput('tenantId is required with an admin key.', 'tenantId');
    return ctx.services.tenants.get(tenantId);
  }
  if (tenantId !== null && tenantId !== undefined && tenantId !== caller.tenant.id) throw NotFound('Tenant');
  return caller.tenant;
}

/**
 * The tenant whose objects an operation naming them only by id may touch (`removeCuratedAnswer(id)`): null for the
 * operator (any tenant's), the client key's own tenant otherwise (another's objects: NOT_FOUND).
 */
export function actingTenantLimit(ctx: Context): string | null {
  const caller = callerOf(ctx);
  return caller.role === 'ADMIN' ? null : caller.tenant.id;
}
