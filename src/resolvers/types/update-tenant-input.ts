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

  @Field(() => [String], { nullable: true, description: 'Origins pages may call from with a tenant key, e.g. https://intranet.example.org, and `null` for pages opened from disk (the client package); empty: any.' })
  allowedOrigins?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: "Whether the tenant's secret keys may add and remove its documents (false when never set)." })
  documentSelfService?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Most asks one visitor of a publishable key may make in a UTC day (≥ 1); null: no cap.' })
  visitorAsksPerDay?: number | null;
}
