import type { Caller } from '../caller';
import type { Role } from '../entities/enums';
import { AppError, Forbidden, Unauthenticated } from '../errors';

/**
 * The one place that decides whether a caller may run a field. Directives only declare the role they need, and
 * roles are ordered CLIENT < ADMIN: a caller may run what its role or a lower one requires. Fields that act for
 * "the caller's own tenant" then take it from a client key (`@CallerScope`, `@CurrentClient`, which refuse the
 * operator), and those that name a tenant resolve it in one helper (`actingTenant`): an admin gives it, a client key
 * omits it or gives its own.
 */
export class AuthorizationService {
  check(caller: Caller | null, refusal: { error: AppError } | null, requires: Role): Caller {
    if (refusal) throw refusal.error;
    if (!caller) throw Unauthenticated();
    if (requires === 'ADMIN' && caller.role !== 'ADMIN') throw Forbidden();
    return caller;
  }
}
