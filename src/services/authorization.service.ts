import type { Caller } from '../caller';
import { KeyKind, Role } from '../entities/enums';
import { AppError, Forbidden, Unauthenticated } from '../errors';

const RANK: Record<Role, number> = { PUBLIC: 0, CLIENT: 1, ADMIN: 2 };

/** The role a caller holds: the operator ADMIN, a tenant's secret key CLIENT, its publishable key PUBLIC. */
export function roleOf(caller: Caller): Role {
  if (caller.role === 'ADMIN') return 'ADMIN';
  return caller.kind === KeyKind.PUBLISHABLE ? 'PUBLIC' : 'CLIENT';
}

/**
 * The one place that decides whether a caller may run a field. Directives only declare the role they need, and
 * roles are ordered PUBLIC < CLIENT < ADMIN: a caller may run what its role or a lower one requires. Fields that act
 * for "the caller's own tenant" then take it from a tenant key (`@TenantScope`, `@CurrentClient`), and those that
 * name a tenant resolve it in one helper (`@ActingTenant`): an admin gives it, a secret key omits it or gives its own.
 */
export class AuthorizationService {
  check(caller: Caller | null, refusal: { error: AppError } | null, requires: Role): Caller {
    if (refusal) throw refusal.error;
    if (!caller) throw Unauthenticated();
    const role = roleOf(caller);
    if (RANK[role] >= RANK[requires]) return caller;
    if (requires === 'ADMIN') throw Forbidden();
    throw Forbidden('A publishable key may only ask, rate answers and read its own conversations; use a secret key.');
  }
}
