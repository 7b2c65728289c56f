import type { ClientCaller } from '../caller';
import { KeyKind } from '../entities/enums';

/**
 * Whose conversations a scope reaches: every conversation of the tenant (the operator, a secret key), or those begun
 * by one visitor (a publishable key: `visitorId` from X-AskDesk-Visitor; none at all without one).
 */
export type Audience = { readonly visitorOnly: false } | { readonly visitorOnly: true; readonly visitorId: string | null };

export const WHOLE_TENANT: Audience = { visitorOnly: false };

/** The audience of a tenant's key: its whole tenant for a secret key, its visitor for a publishable key. */
export function audienceOf(caller: ClientCaller): Audience {
  return caller.kind === KeyKind.PUBLISHABLE ? { visitorOnly: true, visitorId: caller.visitorId } : WHOLE_TENANT;
}
