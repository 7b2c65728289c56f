import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** ERROR: the ask started but its process died before it ended; its lease was reclaimed by another process. */
export type UsageOutcome = 'SUCCEEDED' | 'REFUSED' | 'FAILED' | 'ERROR';

/** One metered call as it happened. Reports read the daily roll-up (`usage_daily`) instead of scanning these. */
@Entity('usage_record')
export class UsageRecord {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: string | null;

  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId: string | null;

  @Column({ type: 'varchar', length: 32 })
  operation: string;

  @Column({ type: 'varchar', length: 16 })
  outcome: UsageOutcome;

  /** The refusal or failure code, null on success. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  code: string | null;

  @Column({ name: 'latency_ms', type: 'integer' })
  latencyMs: number;

  @Column({ name: 'input_tokens', type: 'integer' })
  inputTokens: number;

  @Column({ name: 'output_tokens', type: 'integer' })
  outputTokens: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
