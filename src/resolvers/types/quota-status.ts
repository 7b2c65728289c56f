import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: "A tenant's monthly quota as it stands now (UTC calendar month)." })
export class QuotaStatus {
  @Field(() => Int, { nullable: true, description: 'Successful asks allowed this month; null is unlimited.' })
  limit: number | null;

  @Field(() => Int, { description: 'Successful asks so far this month.' })
  used: number;

  @Field(() => Int, { nullable: true, description: 'limit − used; null when unlimited.' })
  remaining: number | null;

  @Field(() => Date, { description: '00:00 UTC on the first of next month.' })
  resetsAt: Date;

  @Field(() => Int, { description: 'Asks allowed per rolling 60 seconds (all keys of the tenant together).' })
  ratePerMinute: number;
}
