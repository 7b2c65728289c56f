import type { TenantFieldsFragment } from '../../../src/contract/operations.generated';

// The dashboard reads its own tenant with the fields the console shows too (not billing, which is the operator's), for the same panels.
export type Tenant = TenantFieldsFragment;
