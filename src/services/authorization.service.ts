import type { Role } from '../entities/enums';
import { AppError, Forbidden, Unauthenticated } from '../errors';
import type { Principal } from './api-key.service';

/** The outcome of reading the request's credentials, as the context holds it. */
export interface Authentication {
  principal: Principal | null;
  /** Why the presented credentials were refused (bad key, suspended tenant, blocked key); null when accepted or absent. */
  refusal: AppError | null;
  /** What a refusal could be attributed to, for the usage record. */
  refusedTenantId: string | null;
  refusedKeyId: string | null;
}

/**
 * The one place that decides whether a caller may run a field. Directives only declare the role they need.
 * An ADMIN key may do what a CLIENT key may only where it has a tenant; client-only fields need a tenant.
 */
export class AuthorizationService {
  check(auth: Authentication, requires: Role): Principal {
    if (auth.refusal) throw auth.refusal;
    const principal = auth.principal;
    if (!principal) throw Unauthenticated();
    if (requires === 'ADMIN' && principal.role !== 'ADMIN') throw Forbidden();
    if (requires === 'CLIENT' && !principal.tenantId) {
      throw Forbidden('This operation acts for a tenant; call it with a client key.');
    }
    return principal;
  }
}
