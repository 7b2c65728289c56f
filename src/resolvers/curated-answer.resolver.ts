import { Arg, Ctx, Directive, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { CuratedAnswer } from '../entities/curated-answer.entity';
import { actingTenant, actingTenantLimit } from './decorators';
import { Connection } from './types/connection';
import { CuratedAnswerImport, CuratedAnswerInput } from './types/curated-answers';

const CuratedAnswerConnection = Connection(CuratedAnswer, 'CuratedAnswer');

const TENANT_ARG = { nullable: true, description: 'The tenant: required with an admin key; a secret key omits it or gives its own.' };

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
    @Arg('tenantId', () => ID, TENANT_ARG) tenantId: string | null | undefined,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ) {
    const tenant = await actingTenant(ctx, tenantId);
    return ctx.services.curated.list(ctx.services.curated.forTenant(tenant.id), first ?? 20, after);
  }

  @Mutation(() => CuratedAnswer, { description: 'Creates a curated answer, or updates one by id. Asks matching one of its questions get its answer verbatim.' })
  @Directive('@auth')
  async saveCuratedAnswer(@Ctx() ctx: Context, @Arg('input', () => CuratedAnswerInput) input: CuratedAnswerInput): Promise<CuratedAnswer> {
    const { curated } = ctx.services;
    // An update names its answer, which names its tenant; a new answer needs the tenant.
    const store = input.id && !input.tenantId
      ? await curated.storeOf(input.id, actingTenantLimit(ctx))
      : curated.forTenant((await actingTenant(ctx, input.tenantId)).id);
    return curated.save(store, input);
  }

  @Mutation(() => Boolean, { description: 'Removes a curated answer; its questions are then answered from the documents again.' })
  @Directive('@auth')
  async removeCuratedAnswer(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<boolean> {
    const { curated } = ctx.services;
    return curated.remove(await curated.storeOf(id, actingTenantLimit(ctx)), id);
  }

  @Query(() => String, { description: 'Every curated answer of a tenant as CSV: id, questions and document_ids (one per line in their cell), answer, hits.' })
  @Directive('@auth')
  async exportCuratedAnswers(@Ctx() ctx: Context, @Arg('tenantId', () => ID, TENANT_ARG) tenantId: string | null | undefined): Promise<string> {
    const tenant = await actingTenant(ctx, tenantId);
    return ctx.services.curated.exportCsv(ctx.services.curated.forTenant(tenant.id));
  }

  @Mutation(() => CuratedAnswerImport, {
    description: 'Saves curated answers from CSV in the form exportCuratedAnswers writes (a row with an id updates it, one without creates one; hits is ignored), all or none.',
  })
  @Directive('@auth')
  async importCuratedAnswers(
    @Ctx() ctx: Context,
    @Arg('csv', () => String, { description: 'The CSV text, with its header row; at most 1000 rows.' }) csv: string,
    @Arg('tenantId', () => ID, TENANT_ARG) tenantId?: string | null,
  ): Promise<CuratedAnswerImport> {
    const tenant = await actingTenant(ctx, tenantId);
    return ctx.services.curated.importCsv(ctx.services.curated.forTenant(tenant.id), csv);
  }
}
