import { Arg, Ctx, Directive, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { AuditEntry } from '../entities/audit-entry.entity';
import { BadInput } from '../errors';
import { isUuid } from '../services/pagination';
import { Connection } from './types/connection';

const AuditEntryConnection = Connection(AuditEntry, 'AuditEntry');

/** The operator reads the trail of admin actions. */
@Resolver(() => AuditEntry)
export class AuditResolver {
  @Query(() => AuditEntryConnection, { description: 'Admin actions, newest first, optionally of one tenant (deleted ones included).' })
  @Directive('@auth(requires: ADMIN)')
  auditLog(
    @Ctx() ctx: Context,
    @Arg('tenantId', () => ID, { nullable: true, description: 'Only the actions concerning this tenant.' }) tenantId: string | null | undefined,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after?: string | null,
  ) {
    // Not looked up as a tenant: the trail of a deleted tenant stays readable.
    if (tenantId && !isUuid(tenantId)) throw BadInput('tenantId is not a valid id.', 'tenantId');
    return ctx.services.audit.list(tenantId, first ?? 20, after);
  }

  @FieldResolver(() => String, { description: 'Details of the action, as JSON text.' })
  detail(@Root() entry: AuditEntry): string {
    return JSON.stringify(entry.detail ?? {});
  }
}
