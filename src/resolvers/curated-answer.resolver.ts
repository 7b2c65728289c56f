import { Arg, Ctx, Directive, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Caller } from '../caller';
import { actingTenant, actingTenantLimit, scopeOf, type Context } from '../context';
import { CuratedAnswer } from '../entities/curated-answer.entity';
import type { TenantScope } from '../services/tenant-scope';
import { ACTING_TENANT_ARG, CurrentCaller } from './decorators';
import { Connection } from './types/connection';
import { CuratedAnswerImport, CuratedAnswerInput } from './types/curated-answers';

const CuratedAnswerConnection = Connection(CuratedAnswer, 'CuratedAnswer');


/**
 * Curated answers, managed by the operator for any tenant and by a tenant's secret keys for their own. The tenant
 * is resolved from the caller (actingTenant), never taken from a client's argument as given.
 */
@Resolver(() => CuratedAnswer)
export class CuratedAnswerResolver {
  @Query(() => CuratedAnswerConnection, { description: "A tenant's curated answers, most recently changed first, with their hits." })
  @Directive('@auth')
  async curatedAnswers(
    @Ctx() ctx: Context,
    @Arg('tenantId', () => ID, ACTING_TENANT_ARG) tenantId: string | null | undefined,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ) {
    return ctx.services.curated.list(await actingScope(ctx, tenantId), first ?? 20, after);
  }

  @Mutation(() => CuratedAnswer, { description: 'Creates a curated answer, or updates one by id. Asks matching one of its questions get its answer verbatim.' })
  @Directive('@auth')
  async saveCuratedAnswer(@Ctx() ctx: Context, @CurrentCaller() caller: Caller, @Arg('input', () => CuratedAnswerInput) input: CuratedAnswerInput): Promise<CuratedAnswer> {
    // An update names its answer, which names its tenant; a new answer needs the tenant.
    const scope = input.id && !input.tenantId ? await holderScope(ctx, input.id) : await actingScope(ctx, input.tenantId);
    return ctx.services.curated.save(caller, scope, input);
  }

  @Mutation(() => Boolean, { description: 'Removes a curated answer; its questions are then answered from the documents again.' })
  @Directive('@auth')
  async removeCuratedAnswer(@Ctx() ctx: Context, @CurrentCaller() caller: Caller, @Arg('id', () => ID) id: string): Promise<boolean> {
    return ctx.services.curated.remove(caller, await holderScope(ctx, id), id);
  }

  @Query(() => String, { description: 'Every curated answer of a tenant as CSV: id, questions and document_ids (one per line in their cell), answer, hits.' })
  @Directive('@auth')
  async exportCuratedAnswers(@Ctx() ctx: Context, @Arg('tenantId', () => ID, ACTING_TENANT_ARG) tenantId: string | null | undefined): Promise<string> {
    return ctx.services.curated.exportCsv(await actingScope(ctx, tenantId));
  }

  @Mutation(() => CuratedAnswerImport, {
    description: 'Saves curated answers from CSV in the form exportCuratedAnswers writes (a row with an id updates it, one without creates one; hits is ignored), all or none.',
  })
  @Directive('@auth')
  async importCuratedAnswers(
    @Ctx() ctx: Context,
    @CurrentCaller() caller: Caller,
    @Arg('csv', () => String, { description: 'The CSV text, with its header row; at most 1000 rows.' }) csv: string,
    @Arg('tenantId', () => ID, ACTING_TENANT_ARG) tenantId?: string | null,
  ): Promise<CuratedAnswerImport> {
    return ctx.services.curated.importCsv(caller, await actingScope(ctx, tenantId), csv);
  }
}

/** The data of the tenant an operation names (actingTenant): the caller's own scope for a client key. */
async function actingScope(ctx: Context, tenantId: string | null | undefined): Promise<TenantScope> {
  const tenant = await actingTenant(ctx, tenantId);
  return actingTenantLimit(ctx) === null ? ctx.services.tenants.scopeOf(tenant) : scopeOf(ctx);
}

/** The data of the tenant holding curated answer `id`: the client's own, or for the operator whichever holds it. */
async function holderScope(ctx: Context, id: string): Promise<TenantScope> {
  if (actingTenantLimit(ctx) !== null) return scopeOf(ctx);
  return ctx.services.tenants.scope(await ctx.services.curated.holderOf(id));
}
