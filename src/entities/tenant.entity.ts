import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { PlanCode, TenantStatus } from './enums';

@ObjectType({ description: 'A client organisation: its plan, status, keys and documents.' })
@Entity('tenant')
export class Tenant {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => String, { description: 'URL-safe unique name, lower-case.' })
  @Column({ type: 'varchar', length: 64, unique: true })
  slug: string;

  @Field(() => String)
  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Field(() => String)
  @Column({ name: 'contact_email', type: 'varchar', length: 254 })
  contactEmail: string;

  @Column({ name: 'plan_code', type: 'varchar', length: 16 })
  planCode: PlanCode;

  @Field(() => TenantStatus)
  @Column({ type: 'varchar', length: 16, default: TenantStatus.ACTIVE })
  status: TenantStatus;

  @Column({ name: 'suspended_reason', type: 'text', nullable: true })
  suspendedReason: string | null;

  @Field(() => Int, { nullable: true, description: 'Custom monthly quota replacing the plan figure when set.' })
  @Column({ name: 'quota_override', type: 'integer', nullable: true })
  quotaOverride: number | null;

  @Field(() => Int, { nullable: true, description: 'Custom per-minute rate replacing the plan figure when set.' })
  @Column({ name: 'rate_override', type: 'integer', nullable: true })
  rateOverride: number | null;

  @Field(() => Date, { nullable: true, description: 'End of the DEMO trial; after it the keys are refused.' })
  @Column({ name: 'trial_ends_at', type: 'timestamptz', nullable: true })
  trialEndsAt: Date | null;

  @Field(() => [String], { description: 'Origins the widget may call from (e.g. https://intranet.example); empty: any origin.' })
  @Column({ name: 'allowed_origins', type: 'text', array: true, default: () => "'{}'" })
  allowedOrigins: string[];

  @Field(() => String, { nullable: true, description: "The tenant's own instructions to the assistant (tone, contacts), followed after the fixed rules when Claude writes answers." })
  @Column({ name: 'assistant_instructions', type: 'text', nullable: true })
  assistantInstructions: string | null;

  /** Bumped by every change to the tenant's curated answers: tells a process its copy of them is stale. */
  @Column({ name: 'curated_version', type: 'integer', default: 0 })
  curatedVersion: number;

  @Field(() => Date)
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
