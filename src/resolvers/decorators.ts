import { createParameterDecorator } from 'type-graphql';
import { adminOf, callerOf, clientOf, Context, scopeOf } from '../context';
import type { Tenant } from '../entities/tenant.entity';
import { BadInput, NotFound } from '../errors';

/** The calling client key, with its tenant and plan. */
export function CurrentClient() {
  return createParameterDecorator<Context>(({ context }) => clientOf(context));
}

/** Whoever calls (an admin or a tenant's key): the actor of a mutation both may run, for the audit trail. */
export function CurrentCaller() {
  return createParameterDecorator<Context>(({ context }) => callerOf(context));
}

/** The calling admin key: the actor of the operator's mutations, for the audit trail. */
export function CurrentAdmin() {
  return createParameterDecorator<Context>(({ context }) => adminOf(context));
}

/** The calling client's own tenant data, built from the caller: the only data handle client operations get. */
export function CallerScope() {
  return createParameterDecorator<Context>(({ context }) => scopeOf(context));
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
