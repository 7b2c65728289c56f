import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';

/** Who did what to which object, for every admin mutation. */
@ObjectType({ description: 'One admin action: who did what to which object.' })
@Entity('audit_entry')
export class AuditEntry {
  @Field(() => ID, { description: 'Increasing with time.' })
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  /** The tenant the action concerned, kept after the tenant is deleted (no foreign key). */
  @Field(() => ID, { nullable: true, description: 'The tenant the action concerned, if any.' })
  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: string | null;

  @Column({ name: 'actor_key_id', type: 'uuid', nullable: true })
  actorKeyId: string | null;

  /** The acting key's display prefix (or "env:ADMIN_API_KEY"), readable without a join. */
  @Field(() => String, { description: 'The acting key’s display prefix, or env:ADMIN_API_KEY.' })
  @Column({ type: 'varchar', length: 64 })
  actor: string;

  @Field(() => String, { description: 'The mutation, e.g. createTenant or revokeApiKey.' })
  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Field(() => String, { description: 'tenant, apiKey or document.' })
  @Column({ name: 'target_type', type: 'varchar', length: 32 })
  targetType: string;

  @Field(() => String, { nullable: true, description: 'The id of the object acted on.' })
  @Column({ name: 'target_id', type: 'varchar', length: 64, nullable: true })
  targetId: string | null;

  @Column({ type: 'jsonb', default: {} })
  detail: Record<string, unknown>;

  @Field(() => Date, { description: 'When the action was taken.' })
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
