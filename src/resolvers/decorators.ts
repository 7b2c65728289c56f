import { createParameterDecorator } from 'type-graphql';
import { adminOf, clientOf, Context, scopeOf } from '../context';

/** The calling client key, with its tenant and plan. */
export function CurrentClient() {
  return createParameterDecorator<Context>(({ context }) => clientOf(context));
}

/** The calling admin key: the actor of the operator's mutations, for the audit trail. */
export function CurrentAdmin() {
  return createParameterDecorator<Context>(({ context }) => adminOf(context));
}

/** The calling client's own tenant data, built from the caller: the only data handle client operations get. */
export function CallerScope() {
  return createParameterDecorator<Context>(({ context }) => scopeOf(context));
}
