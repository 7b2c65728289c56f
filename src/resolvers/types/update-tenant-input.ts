import { Field, InputType, Int } from 'type-graphql';

@InputType({ description: 'Fields to change; omitted fields stay as they are, null clears an override.' })
export class UpdateTenantInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  contactEmail?: string | null;

  @Field(() => Int, { nullable: true, description: 'Custom monthly quota (≥ 0); null returns to the plan figure.' })
  quotaOverride?: number | null;

  @Field(() => Int, { nullable: true, description: 'Custom per-minute rate (≥ 1); null returns to the plan figure.' })
  rateOverride?: number | null;

  @Field(() => [String], { nullable: true, description: 'Origins the widget may call from, e.g. https://intranet.example.org; empty: any.' })
  allowedOrigins?: string[] | null;
}
