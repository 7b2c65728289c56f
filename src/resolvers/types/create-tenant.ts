import { Field, InputType, ObjectType } from 'type-graphql';
import { PlanCode } from '../../entities/enums';
import { Tenant } from '../../entities/tenant.entity';
import { IssuedApiKey } from './issued-api-key';

@InputType({ description: 'A new client organisation.' })
export class CreateTenantInput {
  @Field(() => String, { description: '1 to 200 characters.' })
  name: string;

  @Field(() => String)
  contactEmail: string;

  @Field(() => PlanCode)
  plan: PlanCode;

  @Field(() => String, { nullable: true, description: 'Lower-case letters, digits, hyphens; derived from the name when omitted.' })
  slug?: string | null;

  @Field(() => [String], { nullable: true, description: 'Origins the widget may call from, e.g. https://intranet.example.org; empty: any.' })
  allowedOrigins?: string[] | null;
}

@ObjectType({ description: 'The created tenant and its first API key.' })
export class CreateTenantPayload {
  @Field(() => Tenant)
  tenant: Tenant;

  @Field(() => IssuedApiKey)
  apiKey: IssuedApiKey;
}
