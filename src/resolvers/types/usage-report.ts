import { Field, ID, Int, InterfaceType, ObjectType } from 'type-graphql';
import { Tenant } from '../../entities/tenant.entity';

@InterfaceType({ description: 'Counters of metered calls, shared by usage buckets and summary rows.' })
export abstract class UsageCounts {
  @Field(() => Int, { description: 'All metered calls: succeeded + refused + failed.' })
  requests: number;

  @Field(() => Int, { description: 'Answered asks; each used one request of the quota.' })
  succeeded: number;

  @Field(() => Int, { description: 'Refused before answering (auth, rate, quota, block, validation); no quota used.' })
  refused: number;

  @Field(() => Int, { description: 'Failed upstream (retriever or generator); no quota used.' })
  failed: number;

  @Field(() => Int)
  inputTokens: number;

  @Field(() => Int)
  outputTokens: number;
}

@ObjectType({ description: 'Metered calls in one UTC day or month.', implements: UsageCounts })
export class UsageBucket extends UsageCounts {
  @Field(() => Date)
  start: Date;
}

@ObjectType({ description: 'Usage of all tenants together over [from, to), bucketed.' })
export class ServiceUsageReport {
  @Field(() => Date, { description: 'Start of the period (inclusive).' })
  from: Date;

  @Field(() => Date, { description: 'End of the period (exclusive).' })
  to: Date;

  @Field(() => [UsageBucket], { description: 'Every UTC day or month of the period, empty ones at zero.' })
  buckets: UsageBucket[];

  @Field(() => UsageBucket, { description: 'Sum of the buckets; its start is the first bucket start.' })
  total: UsageBucket;
}

@ObjectType({ description: "A tenant's usage over [from, to), bucketed." })
export class UsageReport extends ServiceUsageReport {
  @Field(() => ID)
  tenantId: string;
}

@ObjectType({ description: "One tenant's usage in a month.", implements: UsageCounts })
export class UsageSummaryRow extends UsageCounts {
  @Field(() => Tenant)
  tenant: Tenant;
}
