import { Arg, Ctx, Directive, ID, Int, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import type { TenantScope } from '../services/tenant-scope';
import { ACTING_TENANT_ARG, CallerScope } from './decorators';
import { actingTenant } from '../context';
import { AbuseEvent } from '../entities/abuse-event.entity';
import { Granularity } from '../entities/enums';
import { BadInput } from '../errors';
import { isUuid } from '../services/pagination';
import { Connection } from './types/connection';
import { Invoice } from './types/invoice';
import { ServiceUsageReport, UsageReport, UsageSummaryRow } from './types/usage-report';

const AbuseEventConnection = Connection(AbuseEvent, 'AbuseEvent');

/** Reporting: usage for clients and the operator, invoices, abuse events. */
@Resolver()
export class UsageResolver {
  @Query(() => UsageReport, { description: "The calling tenant's usage over [from, to)." })
  @Directive('@auth')
  async usage(
    @Ctx() ctx: Context,
    @CallerScope() scope: TenantScope,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('granularity', () => Granularity, { nullable: true, defaultValue: Granularity.DAY }) granularity: Granularity | null,
  ): Promise<UsageReport> {
    return { tenantId: scope.tenantId, ...(await this.report(ctx, scope, from, to, granularity ?? Granularity.DAY)) };
  }

  @Query(() => UsageReport, { description: "A tenant's usage over [from, to)." })
  @Directive('@auth(requires: ADMIN)')
  async tenantUsage(
    @Ctx() ctx: Context,
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('granularity', () => Granularity, { nullable: true, defaultValue: Granularity.DAY }) granularity: Granularity | null,
  ): Promise<UsageReport> {
    const scope = await ctx.services.tenants.scope(tenantId);
    return { tenantId: scope.tenantId, ...(await this.report(ctx, scope, from, to, granularity ?? Granularity.DAY)) };
  }

  @Query(() => ServiceUsageReport, { description: 'Usage of all tenants together over [from, to): the console’s overall chart.' })
  @Directive('@auth(requires: ADMIN)')
  async serviceUsage(
    @Ctx() ctx: Context,
    @Arg('from', () => Date, { description: 'Start (inclusive).' }) from: Date,
    @Arg('to', () => Date, { description: 'End (exclusive).' }) to: Date,
    @Arg('granularity', () => Granularity, { nullable: true, defaultValue: Granularity.DAY, description: 'Bucket size: DAY or MONTH.' }) granularity: Granularity | null,
  ): Promise<ServiceUsageReport> {
    return this.report(ctx, null, from, to, granularity ?? Granularity.DAY);
  }

  @Query(() => [UsageSummaryRow], { description: 'Every tenant in a month (YYYY-MM), busiest first.' })
  @Directive('@auth(requires: ADMIN)')
  async usageSummary(@Ctx() ctx: Context, @Arg('month', () => String) month: string): Promise<UsageSummaryRow[]> {
    const rows = await ctx.services.usage.summary(month);
    const tenants = await ctx.loaders.tenant.loadMany(rows.map((r) => r.tenantId));
    return rows.map((r, i) => ({ ...r, tenant: tenants[i] as UsageSummaryRow['tenant'] }));
  }

  @Query(() => Invoice, { description: "A tenant's invoice for a month (YYYY-MM)." })
  @Directive('@auth(requires: CLIENT)')
  async invoice(
    @Ctx() ctx: Context,
    @Arg('month', () => String) month: string,
    @Arg('tenantId', () => ID, ACTING_TENANT_ARG) tenantId?: string | null,
  ): Promise<Invoice> {
    const tenant = await actingTenant(ctx, tenantId);
    return ctx.services.billing.invoice(tenant.id, month);
  }

  @Query(() => AbuseEventConnection, { description: 'Abuse rules that fired, newest first.' })
  @Directive('@auth(requires: ADMIN)')
  abuseEvents(
    @Ctx() ctx: Context,
    @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ) {
    if (tenantId && !isUuid(tenantId)) throw BadInput('tenantId is not a valid id.', 'tenantId');
    return ctx.services.abuse.list(tenantId, first ?? 20, after);
  }

  /** One tenant's usage (its scope), or every tenant's together (null). */
  private async report(ctx: Context, scope: TenantScope | null, from: Date, to: Date, granularity: Granularity): Promise<ServiceUsageReport> {
    const { buckets, total } = await ctx.services.usage.report(scope, from, to, granularity);
    return { from, to, buckets, total: { start: buckets[0]?.start ?? from, ...total } };
  }
}
