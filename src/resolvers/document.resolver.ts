import { Arg, Ctx, Directive, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Caller } from '../caller';
import type { Tenant } from '../entities/tenant.entity';
import { Forbidden } from '../errors';
import { actingTenant, actingTenantLimit, type Context } from '../context';
import { ACTING_TENANT_ARG, CurrentCaller } from './decorators';
import { Document } from '../entities/document.entity';
import { Connection } from './types/connection';
import { DocumentInput, IngestResult, RetrievalHit } from './types/documents';

const DocumentConnection = Connection(Document, 'Document');

/**
 * Adding or removing documents with a secret key needs the operator's consent (`documentSelfService`): documents are
 * billed by the lot, and a tenant's IT team changing them changes what every answer says.
 */
function requireSelfService(caller: Caller, tenant: Tenant): void {
  if (caller.role !== 'ADMIN' && !tenant.documentSelfService) {
    throw Forbidden('Adding and removing documents with a secret key needs documentSelfService; ask your account manager.');
  }
}

/**
 * Each tenant's knowledge base, managed by the operator and, with its secret keys, by the tenant's IT team; document
 * text is accepted here and never returned.
 */
@Resolver(() => Document)
export class DocumentResolver {
  @Query(() => DocumentConnection, { description: "A tenant's documents, oldest first, optionally by title." })
  @Directive('@auth(requires: CLIENT)')
  async documents(
    @Ctx() ctx: Context,
    @Arg('tenantId', () => ID, ACTING_TENANT_ARG) tenantId: string | null | undefined,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('search', () => String, { nullable: true, description: 'Case-insensitive part of the title.' }) search?: string | null,
  ) {
    return ctx.services.documents.list(ctx.services.tenants.scopeOf(await actingTenant(ctx, tenantId)), first ?? 20, after, search);
  }

  @Mutation(() => IngestResult, { description: 'Adds documents to a tenant (same content again: skipped). At most 1000 per call.' })
  @Directive('@auth(requires: CLIENT)')
  async addDocuments(
    @Ctx() ctx: Context,
    @CurrentCaller() caller: Caller,
    @Arg('documents', () => [DocumentInput]) documents: DocumentInput[],
    @Arg('tenantId', () => ID, ACTING_TENANT_ARG) tenantId?: string | null,
  ): Promise<IngestResult> {
    const tenant = await actingTenant(ctx, tenantId);
    requireSelfService(caller, tenant);
    return ctx.services.documents.add(caller, ctx.services.tenants.scopeOf(tenant), documents);
  }

  @Mutation(() => Boolean, { description: 'Removes a document and its indexed passages.' })
  @Directive('@auth(requires: CLIENT)')
  removeDocument(@Ctx() ctx: Context, @CurrentCaller() caller: Caller, @Arg('id', () => ID) id: string): Promise<boolean> {
    // Another tenant's document is NOT_FOUND before consent is asked, as it is for addDocuments.
    return ctx.services.documents.remove(caller, id, actingTenantLimit(ctx), () => {
      if (caller.role !== 'ADMIN') requireSelfService(caller, caller.tenant);
    });
  }

  @Query(() => [RetrievalHit], { description: 'What ask would retrieve for a query: best first, one hit per document.' })
  @Directive('@auth(requires: CLIENT)')
  async retrievalTest(
    @Ctx() ctx: Context,
    @Arg('query', () => String) query: string,
    @Arg('tenantId', () => ID, ACTING_TENANT_ARG) tenantId: string | null | undefined,
    @Arg('first', () => Int, { nullable: true, defaultValue: 10 }) first: number | null,
  ): Promise<RetrievalHit[]> {
    return ctx.services.chat.retrievalTest(ctx.services.tenants.scopeOf(await actingTenant(ctx, tenantId)), query, first ?? 10);
  }
}
