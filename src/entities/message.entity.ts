import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { TenantScoped } from './tenant-scoped';
import { Citation } from './citation';

@ObjectType({ description: 'One turn of a conversation: the user question or the assistant answer.' })
@Entity('message')
export class Message extends TenantScoped {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'conversation_id', type: 'uuid' })
  conversationId: string;

  @Field(() => String, { description: 'user or assistant.' })
  @Column({ type: 'varchar', length: 16 })
  role: 'user' | 'assistant';

  @Field(() => String)
  @Column({ type: 'text' })
  content: string;

  @Field(() => [Citation])
  @Column({ type: 'jsonb', default: [] })
  citations: Citation[];

  /** Of an answer: whether the retrieved passages supported it (unansweredQuestions reads the ones that did not). */
  @Column({ type: 'boolean', nullable: true })
  grounded: boolean | null;

  @Field(() => Date)
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
