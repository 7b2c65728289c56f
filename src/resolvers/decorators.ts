import { createParameterDecorator } from 'type-graphql';
import type { AdminCaller, Caller, ClientCaller } from '../caller';
import type { Context } from '../context';
import { Forbidden, Unauthenticated } from '../errors';
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
