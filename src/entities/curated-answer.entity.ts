import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Citation } from './citation';
import { TenantScoped } from './tenant-scoped';

@ObjectType({ description: 'Approved wording for a frequent or sensitive question: asks that match one of its questions get its answer verbatim.' })
@Entity('curated_answer')
export class CuratedAnswer extends TenantScoped {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => [String], { description: 'The phrasings this answer is for; an ask matching one closely enough gets it.' })
  @Column({ type: 'text', array: true })
  questions: string[];

  @Field(() => String, { description: 'The approved answer, returned verbatim.' })
  @Column({ type: 'text' })
  answer: string;

  @Column({ name: 'document_ids', type: 'uuid', array: true, default: () => "'{}'" })
  documentIds: string[];

  /** Filled from the cited documents when read (a removed document drops out); not a column. */
  @Field(() => [Citation], { description: 'The documents the answer cites: titles and links only.' })
  citations: Citation[];

  @Field(() => Int, { description: 'How many asks it has answered.' })
  @Column({ type: 'integer', default: 0 })
  hits: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Field(() => Date)
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
