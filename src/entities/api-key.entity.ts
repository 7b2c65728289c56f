import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { KeyKind, KeyRole, KeyStatus } from './enums';

@ObjectType({ description: 'An API key. The secret is shown once at issue; only its keyed hash is stored.' })
@Entity('api_key')
export class ApiKey {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Null for admin keys, which belong to the operator rather than a tenant. */
  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: string | null;

  @Column({ type: 'varchar', length: 8 })
  role: KeyRole;

  @Field(() => KeyKind, { description: 'SECRET (sk_…, the IT team) or PUBLISHABLE (pk_…, for pages; its visitor’s conversations only).' })
  @Column({ type: 'varchar', length: 16, default: KeyKind.SECRET })
  kind: KeyKind;

  @Field(() => String)
  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Field(() => String, { description: 'The first 16 characters of the key, to recognise it in lists.' })
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  /** Hex HMAC-SHA-256 of the full key under the server pepper. */
  @Column({ type: 'char', length: 64, unique: true, select: true })
  hash: string;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'After this instant the key is refused (EXPIRED).' })
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'Blocked for abuse until this instant; unblockApiKey lifts it.' })
  @Column({ name: 'blocked_until', type: 'timestamptz', nullable: true })
  blockedUntil: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  /** The key that replaced this one by rotation, if any. */
  @Column({ name: 'replaced_by', type: 'uuid', nullable: true })
  replacedBy: string | null;

  @Field(() => Date)
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

export function keyStatus(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now: Date): KeyStatus {
  if (key.revokedAt) return KeyStatus.REVOKED;
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return KeyStatus.EXPIRED;
  return KeyStatus.ACTIVE;
}
