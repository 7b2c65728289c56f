import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { AdminCaller } from '../caller';
import type { Context } from '../context';
import { CurrentAdmin } from './decorators';
import { ApiKey, keyStatus } from '../entities/api-key.entity';
import { KeyStatus } from '../entities/enums';
import { IssuedApiKey } from './types/issued-api-key';

/** The operator's key workflows: issue, rotate with grace, revoke, lift an abuse block. */
@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Mutation(() => IssuedApiKey, { description: 'A new key for a tenant (DEMO and STARTER hold one active key).' })
  @Directive('@auth(requires: ADMIN)')
  issueApiKey(
    @Ctx() ctx: Context,
    @CurrentAdmin() admin: AdminCaller,
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('name', () => String, { description: '1 to 100 characters.' }) name: string,
    @Arg('expiresAt', () => Date, { nullable: true, description: 'When the key stops working; never when omitted.' }) expiresAt?: Date | null,
  ): Promise<IssuedApiKey> {
    return ctx.services.keys.issueForTenant(admin, tenantId, name, expiresAt);
  }

  @Mutation(() => IssuedApiKey, { description: 'Replaces a key; the old one keeps working for graceSeconds, then expires.' })
  @Directive('@auth(requires: ADMIN)')
  rotateApiKey(
    @Ctx() ctx: Context,
    @CurrentAdmin() admin: AdminCaller,
    @Arg('id', () => ID) id: string,
    @Arg('graceSeconds', () => Int, { nullable: true, defaultValue: 0, description: '0 (revoke now) to 2592000.' }) graceSeconds: number | null,
  ): Promise<IssuedApiKey> {
    return ctx.services.keys.rotate(admin, id, graceSeconds ?? 0);
  }

  @Mutation(() => ApiKey, { description: 'Stops a key at once.' })
  @Directive('@auth(requires: ADMIN)')
  revokeApiKey(@Ctx() ctx: Context, @CurrentAdmin() admin: AdminCaller, @Arg('id', () => ID) id: string): Promise<ApiKey> {
    return ctx.services.keys.revoke(admin, id);
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
