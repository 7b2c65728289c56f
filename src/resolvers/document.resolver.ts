import { Arg, Ctx, Directive, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { AdminCaller } from '../caller';
import type { Context } from '../context';
import { CurrentAdmin } from './decorators';
import { Document } from '../entities/document.entity';
import { Connection } from './types/connection';
import { DocumentInput, IngestResult, RetrievalHit } from './types/documents';

const DocumentConnection = Connection(Document, 'Document');

/** The operator manages each tenant's knowledge base; document text is accepted here and never returned. */
@Resolver(() => Document)
export class DocumentResolver {
  @Query(() => DocumentConnection, { description: "A tenant's documents, oldest first, optionally by title." })
  @Directive('@auth(requires: ADMIN)')
  async documents(
    @Ctx() ctx: Context,
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('search', () => String, { nullable: true, description: 'Case-insensitive part of the title.' }) search?: string | null,
  ) {
    return ctx.services.documents.list(await ctx.services.tenants.scope(tenantId), first ?? 20, after, search);
  }

  @Mutation(() => IngestResult, { description: 'Adds documents to a tenant (same content again: skipped). At most 1000 per call.' })
  @Directive('@auth(requires: ADMIN)')
  async addDocuments(
    @Ctx() ctx: Context,
    @CurrentAdmin() admin: AdminCaller,
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('documents', () => [DocumentInput]) documents: DocumentInput[],
  ): Promise<IngestResult> {
    return ctx.services.documents.add(admin, await ctx.services.tenants.scope(tenantId), documents);
  }

  @Mutation(() => Boolean, { description: 'Removes a document and its indexed passages.' })
  @Directive('@auth(requires: ADMIN)')
  removeDocument(@Ctx() ctx: Context, @CurrentAdmin() admin: AdminCaller, @Arg('id', () => ID) id: string): Promise<boolean> {
    return ctx.services.documents.remove(admin, id);
  }

  @Query(() => [RetrievalHit], { description: 'What ask would retrieve for a query: best first, one hit per document.' })
  @Directive('@auth(requires: ADMIN)')
  async retrievalTest(
    @Ctx() ctx: Context,
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('query', () => String) query: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: 10 }) first: number | null,
  ): Promise<RetrievalHit[]> {
    return ctx.services.chat.retrievalTest(await ctx.services.tenants.scope(tenantId), query, first ?? 10);
  }
}
