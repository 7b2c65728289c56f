import type { ConsoleTenantFragment, PlansQuery, TenantUsageQuery } from '../../../src/contract/operations.generated';
import type { Api } from '../shared/api';

// Names for the generated answer types the panels pass around; nothing here is written by hand.
export type Plan = PlansQuery['plans'][number];
export type Tenant = ConsoleTenantFragment;
export type UsageReport = TenantUsageQuery['tenantUsage'];

/** What every console panel gets: the API with the admin key, and where to report a failure or a success. */
export interface ConsoleProps {
  api: Api;
  fail(error: unknown): void;
  notify(message: string): void;
}
