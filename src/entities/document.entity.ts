import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { TenantScoped } from './tenant-scoped';

@ObjectType({ description: "A document of a tenant's knowledge base. Its text never leaves the server." })
@Entity('document')
export class Document extends TenantScoped {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => String)
  @Column({ type: 'varchar', length: 500 })
  title: string;

  @Field(() => String, { nullable: true })
  @Column({ name: 'source_url', type: 'text', nullable: true })
  sourceUrl: string | null;

  @Field(() => String, { description: 'text/plain, text/markdown or text/html.' })
  @Column({ name: 'mime_type', type: 'varchar', length: 32 })
  mimeType: string;

  /** SHA-256 of the normalised content: the same content added again is skipped. */
  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash: string;

  @Field(() => Int)
  @Column({ name: 'chunk_count', type: 'integer', default: 0 })
  chunkCount: number;

  @Field(() => Date)
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
