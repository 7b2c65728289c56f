import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { PlanCode, TenantStatus } from './enums';

/**
 * A publishable key reads only `name`, `plan` and `quota` of its tenant (`me`); every other field needs a secret key
 * or the operator (FORBIDDEN to a publishable key), since a page's key is readable by anyone on the page.
 */
export const PRIVATE_TO_TENANT = '@auth(requires: CLIENT)';

@ObjectType({ description: 'A client organisation: its plan, status, keys and documents.' })
@Entity('tenant')
export class Tenant {
  @Directive(PRIVATE_TO_TENANT)
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Directive(PRIVATE_TO_TENANT)
  @Field(() => String, { description: 'URL-safe unique name, lower-case.' })
  @Column({ type: 'varchar', length: 64, unique: true })
  slug: string;

  @Field(() => String)
  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Directive(PRIVATE_TO_TENANT)
  @Field(() => String)
  @Column({ name: 'contact_email', type: 'varchar', length: 254 })
  contactEmail: string;

  @Column({ name: 'plan_code', type: 'varchar', length: 16 })
  planCode: PlanCode;

  @Directive(PRIVATE_TO_TENANT)
  @Field(() => TenantStatus)
  @Column({ type: 'varchar', length: 16, default: TenantStatus.ACTIVE })
  status: TenantStatus;

  @Column({ name: 'suspended_reason', type: 'text', nullable: true })
  suspendedReason: string | null;

  @Directive(PRIVATE_TO_TENANT)
  @Field(() => Int, { nullable: true, description: 'Custom monthly quota replacing the plan figure when set.' })
  @Column({ name: 'quota_override', type: 'integer', nullable: true })
  quotaOverride: number | null;

  @Directive(PRIVATE_TO_TENANT)
  @Field(() => Int, { nullable: true, description: 'Custom per-minute rate replacing the plan figure when set.' })
  @Column({ name: 'rate_override', type: 'integer', nullable: true })
  rateOverride: number | null;

  @Directive(PRIVATE_TO_TENANT)
  @Field(() => Date, { nullable: true, description: 'End of the DEMO trial; after it the keys are refused.' })
  @Column({ name: 'trial_ends_at', type: 'timestamptz', nullable: true })
  trialEndsAt: Date | null;

  @Directive(PRIVATE_TO_TENANT)
  @Field(() => [String], { description: 'Origins the widget may call from (e.g. https://intranet.example); empty: any origin.' })
  @Column({ name: 'allowed_origins', type: 'text', array: true, default: () => "'{}'" })
  allowedOrigins: string[];

  @Directive(PRIVATE_TO_TENANT)
  @Field(() => Date)
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Directive(PRIVATE_TO_TENANT)
  @Field(() => Boolean, { description: "Whether the tenant's secret keys may add and remove its documents (set by the operator)." })
  @Column({ name: 'document_self_service', type: 'boolean', default: false })
  documentSelfService: boolean;

  @Directive(PRIVATE_TO_TENANT)
  @Field(() => Int, { nullable: true, description: 'Most asks one visitor of a publishable key may make in a UTC day; null: no cap.' })
  @Column({ name: 'visitor_asks_per_day', type: 'integer', nullable: true })
  visitorAsksPerDay: number | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
