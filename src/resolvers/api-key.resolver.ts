import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { AdminCaller, Caller } from '../caller';
import type { Context } from '../context';
import { actingTenant, actingTenantLimit } from '../context';
import { ACTING_TENANT_ARG, CurrentAdmin, CurrentCaller } from './decorators';
import { ApiKey, keyStatus } from '../entities/api-key.entity';
import { KeyKind, KeyStatus } from '../entities/enums';
import { IssuedApiKey } from './types/issued-api-key';

/**
 * Key workflows: issue, rotate with grace, revoke (the operator for any tenant, a secret key for its own tenant),
 * and lifting an abuse block (the operator only).
 */
@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Mutation(() => IssuedApiKey, {
    description: 'A new key for a tenant: DEMO and STARTER hold one active publishable key; any tenant up to 3 active secret keys.',
  })
  @Directive('@auth(requires: CLIENT)')
  async issueApiKey(
    @Ctx() ctx: Context,
    @CurrentCaller() caller: Caller,
    @Arg('name', () => String, { description: '1 to 100 characters.' }) name: string,
    @Arg('tenantId', () => ID, ACTING_TENANT_ARG) tenantId?: string | null,
    @Arg('expiresAt', () => Date, { nullable: true, description: 'When the key stops working; never when omitted.' }) expiresAt?: Date | null,
    @Arg('kind', () => KeyKind, { nullable: true, defaultValue: KeyKind.SECRET, description: 'SECRET (sk_…) or PUBLISHABLE (pk_…, for pages).' }) kind?: KeyKind | null,
  ): Promise<IssuedApiKey> {
    const tenant = await actingTenant(ctx, tenantId);
    return ctx.services.keys.issueForTenant(caller, tenant.id, name, expiresAt, kind ?? KeyKind.SECRET);
  }

  @Mutation(() => IssuedApiKey, { description: 'Replaces a key; the old one keeps working for graceSeconds, then expires.' })
  @Directive('@auth(requires: CLIENT)')
  rotateApiKey(
    @Ctx() ctx: Context,
    @CurrentCaller() caller: Caller,
    @Arg('id', () => ID) id: string,
    @Arg('graceSeconds', () => Int, { nullable: true, defaultValue: 0, description: '0 (revoke now) to 2592000.' }) graceSeconds: number | null,
  ): Promise<IssuedApiKey> {
    return ctx.services.keys.rotate(caller, id, graceSeconds ?? 0, actingTenantLimit(ctx));
  }

  @Mutation(() => ApiKey, { description: 'Stops a key at once.' })
  @Directive('@auth(requires: CLIENT)')
  revokeApiKey(@Ctx() ctx: Context, @CurrentCaller() caller: Caller, @Arg('id', () => ID) id: string): Promise<ApiKey> {
    return ctx.services.keys.revoke(caller, id, actingTenantLimit(ctx));
  }

  @Mutation(() => ApiKey, { description: 'Lifts an abuse block from a key.' })
  @Directive('@auth(requires: ADMIN)')
  unblockApiKey(@Ctx() ctx: Context, @CurrentAdmin() admin: AdminCaller, @Arg('id', () => ID) id: string): Promise<ApiKey> {
    return ctx.services.keys.unblock(admin, id);
  }

  @FieldResolver(() => KeyStatus, { description: 'Derived: REVOKED, EXPIRED (past expiresAt) or ACTIVE.' })
  status(@Root() key: ApiKey, @Ctx() ctx: Context): KeyStatus {
    return keyStatus(key, new Date(ctx.services.clock.now()));
  }
}
