import { Arg, Ctx, Directive, ID, Int, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { ApiKey } from '../entities/api-key.entity';
import { IssuedApiKey } from './types/issued-api-key';

/** The operator's key workflows: issue, rotate with grace, revoke, lift an abuse block. */
@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Mutation(() => IssuedApiKey, { description: 'A new key for a tenant (DEMO and STARTER hold one active key).' })
  @Directive('@auth(requires: ADMIN)')
  issueApiKey(
    @Ctx() ctx: Context,
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('name', () => String, { description: '1 to 100 characters.' }) name: string,
    @Arg('expiresAt', () => Date, { nullable: true, description: 'When the key stops working; never when omitted.' }) expiresAt?: Date | null,
  ): Promise<IssuedApiKey> {
    return ctx.services.tenants.issueKey(ctx.auth.principal!, tenantId, name, expiresAt);
  }

  @Mutation(() => IssuedApiKey, { description: 'Replaces a key; the old one keeps working for graceSeconds, then expires.' })
  @Directive('@auth(requires: ADMIN)')
  rotateApiKey(
    @Ctx() ctx: Context,
    @Arg('id', () => ID) id: string,
    @Arg('graceSeconds', () => Int, { nullable: true, defaultValue: 0, description: '0 (revoke now) to 2592000.' }) graceSeconds: number | null,
  ): Promise<IssuedApiKey> {
    return ctx.services.tenants.rotateKey(ctx.auth.principal!, id, graceSeconds ?? 0);
  }

  @Mutation(() => ApiKey, { description: 'Stops a key at once.' })
  @Directive('@auth(requires: ADMIN)')
  revokeApiKey(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<ApiKey> {
    return ctx.services.tenants.revokeKey(ctx.auth.principal!, id);
  }

  @Mutation(() => ApiKey, { description: 'Lifts an abuse block from a key.' })
  @Directive('@auth(requires: ADMIN)')
  unblockApiKey(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<ApiKey> {
    return ctx.services.tenants.unblockKey(ctx.auth.principal!, id);
  }
}
