import { Command } from 'commander';
import { TenantUsageDocument, UsageSummaryDocument, type CountsFragment as Counts } from '../../contract/operations.generated';
import { Column, render } from '../output';
import { currentMonth, formatOf, resolveTenant, sessionOf, usageError, withFormats } from '../session';

const COUNT_COLUMNS: Column<Counts>[] = (['requests', 'succeeded', 'refused', 'failed', 'inputTokens', 'outputTokens'] as const).map((k) => ({
  header: k,
  value: (row: Counts) => row[k],
}));

export function requireMonth(month: string): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) usageError(`month must be YYYY-MM (got "${month}").`);
  return month;
}

/** `askdesk usage`: every tenant's usage in a month, or one tenant's day by day. */
export function usageCommand(): Command {
  return withFormats(
    new Command('usage')
      .description("every tenant's usage in a month (busiest first), or one tenant's day by day with --tenant")
      .option('--month <YYYY-MM>', 'UTC month (default: the current one)')
      .option('--tenant <tenant>', 'one tenant (id or slug): its days'),
  ).action(async (options, command: Command) => {
    const month = requireMonth(options.month ?? currentMonth());
    const format = formatOf(options);
    const { api, print } = sessionOf(command);
    if (!options.tenant) {
      const data = await api.request(UsageSummaryDocument, { month });
      type Row = (typeof data.usageSummary)[number];
      const columns: Column<Row>[] = [{ header: 'tenant', value: (r) => r.tenant.slug }, { header: 'plan', value: (r) => r.tenant.plan.code }, ...COUNT_COLUMNS];
      return print(render<Row>(data.usageSummary, columns, format, { month, tenants: data.usageSummary }));
    }
    const tenant = await resolveTenant(api, options.tenant);
    const [year, m] = month.split('-').map(Number);
    const from = new Date(Date.UTC(year, m - 1, 1));
    const to = new Date(Date.UTC(year, m, 1));
    const data = await api.request(TenantUsageDocument, { tenantId: tenant.id, from: from.toISOString(), to: to.toISOString() });
    type Row = Counts & { start: string };
    const report = data.tenantUsage;
    const rows: Row[] = format === 'table' ? [...report.buckets, { ...report.total, start: 'total' }] : report.buckets;
    const columns: Column<Row>[] = [{ header: 'day', value: (r) => r.start.slice(0, 10) }, ...COUNT_COLUMNS];
    print(render<Row>(rows, columns, format, { tenant: tenant.slug, month, ...report }));
  });
}
