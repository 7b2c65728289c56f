import type { Caller } from '../caller';
import type { Role } from '../entities/enums';
import { AppError, Forbidden, Unauthenticated } from '../errors';

/**
 * The one place that decides whether a caller may run a field. Directives only declare the role they need.
 * CLIENT fields act for a tenant, so they need a client key; ADMIN fields need an admin key.
 */
export class AuthorizationService {
  check(caller: Caller | null, refusal: { error: AppError } | null, requires: Role): Caller {
    if (refusal) throw refusal.error;
    if (!caller) throw Unauthenticated();
    if (requires === 'ADMIN' && caller.role !== 'ADMIN') throw Forbidden();
    if (requires === 'CLIENT' && caller.role !== 'CLIENT') {
      throw Forbidden('This operation acts for a tenant; call it with a client key.');
    }
    return caller;
  }
}
