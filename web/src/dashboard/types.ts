import type { ConsoleTenantFragment } from '../../../src/contract/operations.generated';

// The dashboard reads its own tenant with the console's fragment: the same fields, for the same panels.
export type Tenant = ConsoleTenantFragment;
