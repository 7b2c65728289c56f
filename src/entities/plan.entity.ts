import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Field, Int, ObjectType } from 'type-graphql';
import { PlanCode } from './enums';

@ObjectType({ description: 'A commercial plan: monthly quota, per-minute rate and price (euro cents, before VAT).' })
@Entity('plan')
export class Plan {
  @Field(() => PlanCode, { description: 'Stable plan code; also the plan segment of a client key.' })
  @PrimaryColumn({ type: 'varchar', length: 16 })
  code: PlanCode;

  @Field(() => String, { description: 'Display name.' })
  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Field(() => Int, { nullable: true, description: 'Successful asks allowed per calendar month (UTC); null is unlimited.' })
  @Column({ name: 'monthly_quota', type: 'integer', nullable: true })
  monthlyQuota: number | null;

  @Field(() => Int, { description: 'Asks allowed per tenant in any rolling 60 seconds.' })
  @Column({ name: 'rate_per_minute', type: 'integer' })
  ratePerMinute: number;

  @Field(() => Int, { description: 'Monthly price in euro cents, before VAT.' })
  @Column({ name: 'price_cents', type: 'integer' })
  priceCents: number;

  @Field(() => Int, { nullable: true, description: 'Monthly price of each active key beyond the first; null when the plan allows one key.' })
  @Column({ name: 'extra_key_price_cents', type: 'integer', nullable: true })
  extraKeyPriceCents: number | null;

  /** Trial length in days (DEMO); tenants on such a plan are refused after it. */
  @Column({ name: 'trial_days', type: 'integer', nullable: true })
  trialDays: number | null;

  /** How many keys may be active at once; null is any number. */
  @Column({ name: 'max_active_keys', type: 'integer', nullable: true })
  maxActiveKeys: number | null;
}
