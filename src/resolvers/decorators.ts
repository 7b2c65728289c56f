import { createParameterDecorator } from 'type-graphql';
import { adminOf, callerOf, clientOf, Context, scopeOf } from '../context';

/** The calling client key, with its tenant and plan. */
export function CurrentClient() {
  return createParameterDecorator<Context>(({ context }) => clientOf(context));
}

/** Whoever calls (an admin or a tenant's secret key): the actor of a mutation both may run, for the audit trail. */
export function CurrentCaller() {
  return createParameterDecorator<Context>(({ context }) => callerOf(context));
}

/** The calling admin key: the actor of the operator's mutations, for the audit trail. */
export function CurrentAdmin() {
  return createParameterDecorator<Context>(({ context }) => adminOf(context));
}

/**
 * The calling client's own tenant data, built from the caller: the only data handle client operations get (the whole
 * tenant for a secret key, its visitor's conversations for a publishable key).
 */
export function CallerScope() {
  return createParameterDecorator<Context>(({ context }) => scopeOf(context));
}

/** The `tenantId` argument of the operations that name a tenant, resolved by `actingTenant` (context.ts). */
export const ACTING_TENANT_ARG = { nullable: true, description: 'The tenant: required with an admin key; a secret key omits it or gives its own.' };
