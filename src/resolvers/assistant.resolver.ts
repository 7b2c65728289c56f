import { Arg, Ctx, Directive, ID, Mutation, Resolver } from 'type-graphql';
import type { Caller } from '../caller';
import { actingTenant, type Context } from '../context';
import { Tenant } from '../entities/tenant.entity';
import { ACTING_TENANT_ARG, CurrentCaller } from './decorators';

/** How the assistant speaks for a tenant, set by the operator or by the tenant's own secret key. */
@Resolver(() => Tenant)
export class AssistantResolver {
  @Mutation(() => Tenant, { description: "Sets the tenant's instructions to the assistant (null or blank: none), followed after the fixed rules when Claude writes answers." })
  @Directive('@auth')
  async setAssistantInstructions(
    @Ctx() ctx: Context,
    @CurrentCaller() caller: Caller,
    @Arg('instructions', () => String, { nullable: true, description: 'At most 2000 characters: tone, contacts, what to add to every answer.' }) instructions: string | null,
    @Arg('tenantId', () => ID, ACTING_TENANT_ARG) tenantId?: string | null,
  ): Promise<Tenant> {
    const tenant = await actingTenant(ctx, tenantId);
    return ctx.services.tenants.setInstructions(caller, tenant.id, instructions);
  }
}
