import { Arg, Ctx, Directive, ID, Mutation, Resolver } from 'type-graphql';
import type { AdminCaller } from '../caller';
import type { Context } from '../context';
import { CurrentAdmin } from './decorators';
import { ClientPackage } from './types/client-package';

/** The operator hands a client its chat page, ready to open. */
@Resolver()
export class ClientPackageResolver {
  @Mutation(() => ClientPackage, { description: 'Issues a fresh publishable key for the tenant and returns the client package (ZIP) built around it.' })
  @Directive('@auth(requires: ADMIN)')
  async createClientPackage(
    @Ctx() ctx: Context,
    @CurrentAdmin() admin: AdminCaller,
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('endpoint', () => String, { description: 'The GraphQL URL the page will call, as the client reaches it.' }) endpoint: string,
    @Arg('keyName', () => String, { nullable: true, description: 'Name of the issued key; "client package <date>" when omitted.' }) keyName?: string | null,
  ): Promise<ClientPackage> {
    const built = await ctx.services.clientPackages.create(admin, tenantId, endpoint, keyName);
    return { filename: built.filename, contentBase64: Buffer.from(built.content).toString('base64'), apiKey: built.apiKey, welcomeMessage: built.welcomeMessage };
  }
}
