import type { Plan } from './entities/plan.entity';
import type { Tenant } from './entities/tenant.entity';

/** The operator: an admin key from the database, or ADMIN_API_KEY from the environment (which has no row). */
export interface AdminCaller {
  readonly role: 'ADMIN';
  readonly keyId: string | null;
  readonly keyPrefix: string;
}

/** A client key, resolved once per request with the tenant and plan it acts for. */
export interface ClientCaller {
  readonly role: 'CLIENT';
  readonly keyId: string;
  readonly keyPrefix: string;
  readonly tenant: Tenant;
  readonly plan: Plan;
}

/**
 * Who is calling, resolved once from the presented key. Code that acts for a tenant takes a ClientCaller (or its
 * tenant), so the tenant always comes from the key and never from an argument a client controls.
 */
export type Caller = AdminCaller | ClientCaller;

/** Who did something, as audit and usage record it. */
export type Actor = Pick<Caller, 'keyId' | 'keyPrefix'>;
