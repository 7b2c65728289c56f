import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { TenantScoped } from './tenant-scoped';

@ObjectType({ description: 'A thread of questions and answers of one tenant.' })
@Entity('conversation')
export class Conversation extends TenantScoped {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId: string | null;

  /**
   * The visitor id of the page that began it with a publishable key; null for a secret key's conversations. A
   * publishable key's scope reads only its own visitor's conversations (see TenantData).
   */
  @Column({ name: 'visitor_id', type: 'varchar', length: 128, nullable: true })
  visitorId: string | null;

  @Field(() => String, { description: 'The first question, shortened.' })
  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Field(() => Date)
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Field(() => Date)
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
