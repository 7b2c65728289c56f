import type { KeyKind } from './entities/enums';
import type { Plan } from './entities/plan.entity';
import type { Tenant } from './entities/tenant.entity';

/** The operator: an admin key from the database, or ADMIN_API_KEY from the environment (which has no row). */
export interface AdminCaller {
  readonly role: 'ADMIN';
  readonly keyId: string | null;
  readonly keyPrefix: string;
}

/**
 * A tenant's key, resolved once per request with the tenant and plan it acts for. A SECRET key (the client's IT
 * team) reaches everything of its tenant; a PUBLISHABLE key (in pages anyone can read) holds the PUBLIC role and
 * reaches only the conversations of `visitorId`, the browser's id from `X-AskDesk-Visitor` (none without one).
 */
export interface ClientCaller {
  readonly role: 'CLIENT';
  readonly kind: KeyKind;
  readonly keyId: string;
  readonly keyPrefix: string;
  readonly tenant: Tenant;
  readonly plan: Plan;
  /** The visitor id the request carried (validated), or null. */
  readonly visitorId: string | null;
}

/**
 * Who is calling, resolved once from the presented key. Code that acts for a tenant takes a ClientCaller (or its
 * tenant), so the tenant always comes from the key and never from an argument a client controls.
 */
export type Caller = AdminCaller | ClientCaller;

/** Who did something, as audit and usage record it. */
export type Actor = Pick<Caller, 'keyId' | 'keyPrefix'>;
