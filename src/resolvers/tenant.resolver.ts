import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { AdminCaller, ClientCaller } from '../caller';
import type { Context } from '../context';
import { ApiKey } from '../entities/api-key.entity';
import { PlanCode, TenantStatus } from '../entities/enums';
import { Plan } from '../entities/plan.entity';
import { PRIVATE_TO_TENANT, Tenant } from '../entities/tenant.entity';
import { NotFound } from '../errors';
import { Connection } from './types/connection';
import { CreateTenantInput, CreateTenantPayload } from './types/create-tenant';
import { QuotaStatus } from './types/quota-status';
import { BillingStatus, TenantBilling } from './types/tenant-billing';
import { UpdateTenantInput } from './types/update-tenant-input';
import { CurrentAdmin, CurrentClient } from './decorators';

const TenantConnection = Connection(Tenant, 'Tenant');

/** Tenants: a client reads its own (`me`, `quota`); the operator manages all of them. */
@Resolver(() => Tenant)
export class TenantResolver {
  @Query(() => [Plan], { description: 'The plans on sale, cheapest first. Public.' })
  plans(@Ctx() ctx: Context): Promise<Plan[]> {
    return ctx.services.tenants.plans();
  }

  @Query(() => Tenant, { description: "The calling key's tenant (a publishable key reads only its name, plan and quota)." })
  @Directive('@auth(requires: PUBLIC)')
  me(@CurrentClient() client: ClientCaller): Tenant {
    // The caller already holds its tenant, read with the key (and evicted from the key cache on any change).
    return client.tenant;
  }

  @Query(() => QuotaStatus, { description: "The calling tenant's monthly quota, live." })
  @Directive('@auth(requires: PUBLIC)')
  quota(@Ctx() ctx: Context, @CurrentClient() client: ClientCaller): Promise<QuotaStatus> {
    return ctx.services.quota.status(client.tenant, client.plan);
  }

  @Query(() => TenantConnection, { description: 'All tenants, oldest first, optionally by status and search text.' })
  @Directive('@auth(requires: ADMIN)')
  tenants(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('status', () => TenantStatus, { nullable: true }) status?: TenantStatus | null,
    @Arg('search', () => String, { nullable: true, description: 'Case-insensitive part of the name, slug or contact email.' }) search?: string | null,
  ) {
    return ctx.services.tenants.list(first ?? 20, after, status, search);
  }

  @Query(() => Tenant, { nullable: true, description: 'One tenant by id.' })
  @Directive('@auth(requires: ADMIN)')
  tenant(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Tenant> {
    return ctx.services.tenants.get(id);
  }

  @Mutation(() => CreateTenantPayload, { description: 'Adds a client and issues its first API key (shown once).' })
  @Directive('@auth(requires: ADMIN)')
  async createTenant(@Ctx() ctx: Context, @CurrentAdmin() admin: AdminCaller, @Arg('input', () => CreateTenantInput) input: CreateTenantInput): Promise<CreateTenantPayload> {
    const { tenant, key, secret } = await ctx.services.tenants.create(admin, input);
    return { tenant, apiKey: { key, secret } };
  }

  @Mutation(() => Tenant, { description: 'Changes name, contact or custom limits.' })
  @Directive('@auth(requires: ADMIN)')
  updateTenant(@Ctx() ctx: Context, @CurrentAdmin() admin: AdminCaller, @Arg('id', () => ID) id: string, @Arg('input', () => UpdateTenantInput) input: UpdateTenantInput): Promise<Tenant> {
    return ctx.services.tenants.update(admin, id, input);
  }

  @Mutation(() => Tenant, { description: 'Moves a tenant to another plan; takes effect at once.' })
  @Directive('@auth(requires: ADMIN)')
  changePlan(@Ctx() ctx: Context, @CurrentAdmin() admin: AdminCaller, @Arg('tenantId', () => ID) tenantId: string, @Arg('plan', () => PlanCode) plan: PlanCode): Promise<Tenant> {
    return ctx.services.tenants.changePlan(admin, tenantId, plan);
  }

  @Mutation(() => Tenant, { description: "Stops serving a tenant: its keys get TENANT_SUSPENDED." })
  @Directive('@auth(requires: ADMIN)')
  suspendTenant(@Ctx() ctx: Context, @CurrentAdmin() admin: AdminCaller, @Arg('id', () => ID) id: string, @Arg('reason', () => String) reason: string): Promise<Tenant> {
    return ctx.services.tenants.suspend(admin, id, reason);
  }

  @Mutation(() => Tenant, { description: 'Serves a suspended tenant again.' })
  @Directive('@auth(requires: ADMIN)')
  reactivateTenant(@Ctx() ctx: Context, @CurrentAdmin() admin: AdminCaller, @Arg('id', () => ID) id: string): Promise<Tenant> {
    return ctx.services.tenants.reactivate(admin, id);
  }

  @Mutation(() => Boolean, { description: 'Erases a tenant with its documents, vectors, conversations and keys.' })
  @Directive('@auth(requires: ADMIN)')
  deleteTenant(@Ctx() ctx: Context, @CurrentAdmin() admin: AdminCaller, @Arg('id', () => ID) id: string): Promise<boolean> {
    return ctx.services.tenants.delete(admin, id);
  }

  @FieldResolver(() => Plan)
  async plan(@Root() tenant: Tenant, @Ctx() ctx: Context): Promise<Plan> {
    const plan = await ctx.loaders.plan.load(tenant.planCode);
    if (!plan) throw NotFound('Plan');
    return plan;
  }

  @FieldResolver(() => QuotaStatus, { name: 'quota', description: 'This month: limit, used, remaining, reset and rate.' })
  async quotaOf(@Root() tenant: Tenant, @Ctx() ctx: Context): Promise<QuotaStatus> {
    return ctx.services.quota.status(tenant, await this.plan(tenant, ctx));
  }

  @FieldResolver(() => [ApiKey], { description: 'All keys of the tenant, oldest first, revoked and expired included.' })
  @Directive(PRIVATE_TO_TENANT)
  keys(@Root() tenant: Tenant, @Ctx() ctx: Context): Promise<ApiKey[]> {
    return ctx.loaders.keys.load(tenant.id);
  }

  @FieldResolver(() => TenantBilling, { nullable: true, description: 'Billing with Stripe: customer, subscription, unpaid invoice and suspension date. Null when Stripe billing is off.' })
  @Directive('@auth(requires: ADMIN)')
  async billing(@Root() tenant: Tenant, @Ctx() ctx: Context): Promise<TenantBilling | null> {
    const state = await ctx.loaders.billing.load(tenant.id);
    return state && { ...state, status: state.status as BillingStatus, unpaidInvoiceId: state.failedInvoiceId };
  }

  @FieldResolver(() => Int)
  @Directive(PRIVATE_TO_TENANT)
  documentCount(@Root() tenant: Tenant, @Ctx() ctx: Context): Promise<number> {
    return ctx.loaders.documentCount.load(tenant.id);
  }
}
