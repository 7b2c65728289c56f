import { Arg, Ctx, Directive, ID, Int, Query, Resolver } from 'type-graphql';
import { actingTenant, type Context } from '../context';
import { ACTING_TENANT_ARG } from './decorators';
import { Connection } from './types/connection';
import { UnansweredQuestion } from './types/unanswered';

const UnansweredQuestionConnection = Connection(UnansweredQuestion, 'UnansweredQuestion');

/** What the client's IT team should document next: the questions its documents answered badly. */
@Resolver()
export class UnansweredResolver {
  @Query(() => UnansweredQuestionConnection, {
    description: 'Questions answered with grounded: false or rated down, grouped by their normalised text, most recently asked first.',
  })
  @Directive('@auth(requires: CLIENT)')
  async unansweredQuestions(
    @Ctx() ctx: Context,
    @Arg('tenantId', () => ID, ACTING_TENANT_ARG) tenantId: string | null | undefined,
    @Arg('from', () => Date, { nullable: true, description: 'Only asks at or after this instant.' }) from: Date | null | undefined,
    @Arg('to', () => Date, { nullable: true, description: 'Only asks before this instant.' }) to: Date | null | undefined,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after?: string | null,
  ) {
    const tenant = await actingTenant(ctx, tenantId);
    return ctx.services.conversations.unanswered(ctx.services.tenants.scopeOf(tenant), { from: from ?? null, to: to ?? null }, first ?? 20, after);
  }
}
