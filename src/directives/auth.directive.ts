import { DirectiveLocation, GraphQLDirective, GraphQLEnumType, GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import type { Context } from '../context';
import { AppError } from '../errors';
import type { Role } from '../entities/enums';
import { isMetered } from './metered.directive';

export const RoleEnum = new GraphQLEnumType({
  name: 'Role',
  description: 'Who may call a field, lowest first: PUBLIC (publishable keys, in pages), CLIENT (a tenant\'s secret keys), ADMIN (the operator). A higher role may call what a lower one may.',
  values: { PUBLIC: { value: 'PUBLIC' }, CLIENT: { value: 'CLIENT' }, ADMIN: { value: 'ADMIN' } },
});

export const authDirective = new GraphQLDirective({
  name: 'auth',
  description: 'The field needs a valid API key of this role.',
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: { requires: { type: RoleEnum, defaultValue: 'CLIENT' } },
});

/**
 * Makes @auth real: before the field runs, AuthorizationService decides. On a metered field a refusal is also
 * recorded in usage (the contract counts refused asks), since @metered never gets to run.
 */
export function applyAuthDirective(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName) => {
      const auth = getDirective(schema, field, 'auth')?.[0];
      if (!auth) return field;
      const requires = auth.requires as Role;
      const metered = isMetered(schema, field);
      const guard = (next: GraphQLFieldResolver<unknown, Context> | undefined): GraphQLFieldResolver<unknown, Context> =>
        async (source, args, ctx, info) => {
          try {
            ctx.services.authorization.check(ctx.caller, ctx.refusal, requires);
          } catch (error) {
            if (metered && error instanceof AppError) {
              await ctx.services.metering.refused(fieldName, {
                tenantId: ctx.caller?.role === 'CLIENT' ? ctx.caller.tenant.id : ctx.refusal?.tenantId ?? null,
                keyId: ctx.caller?.keyId ?? ctx.refusal?.keyId ?? null,
                ip: ctx.ip,
              }, error.code);
            }
            throw error;
          }
          return next ? next(source, args, ctx, info) : (source as Record<string, unknown>)?.[fieldName];
        };
      if (field.subscribe) return { ...field, subscribe: guard(field.subscribe) };
      return { ...field, resolve: guard(field.resolve) };
    },
  });
}
