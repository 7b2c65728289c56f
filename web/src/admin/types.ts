import type { ConsoleTenantFragment, PlansQuery, TenantUsageQuery } from '../../../src/contract/operations.generated';
import type { PanelProps } from '../shared/panel';

// Names for the generated answer types the panels pass around; nothing here is written by hand.
export type Plan = PlansQuery['plans'][number];
export type Tenant = ConsoleTenantFragment;
export type UsageReport = TenantUsageQuery['tenantUsage'];

/** What every console panel gets: the API with the admin key, where to report, and the (English) words of shared panels. */
export type ConsoleProps = PanelProps;
