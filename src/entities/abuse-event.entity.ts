import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType({ description: 'An abuse rule that fired: failed-auth bursts, rate hammering, key sharing.' })
@Entity('abuse_event')
export class AbuseEvent {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => String, { description: 'AUTH_FAILURES_IP_BLOCKED, RATE_HAMMERING_KEY_BLOCKED, KEY_SHARING or QUOTA_ALERT.' })
  @Column({ type: 'varchar', length: 32 })
  kind: string;

  @Field(() => ID, { nullable: true })
  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: string | null;

  @Field(() => ID, { nullable: true })
  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Field(() => String)
  @Column({ type: 'text' })
  detail: string;

  @Field(() => Date)
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
