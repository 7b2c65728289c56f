import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { Rating } from './enums';
import { TenantScoped } from './tenant-scoped';

@ObjectType({ description: "A staff member's thumbs up or down on one answer of their tenant." })
@Entity('answer_rating')
export class AnswerRating extends TenantScoped {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { description: 'The rated assistant message.' })
  @Column({ name: 'message_id', type: 'uuid' })
  messageId: string;

  @Field(() => Rating, { description: 'UP or DOWN.' })
  @Column({ type: 'varchar', length: 8 })
  rating: Rating;

  @Field(() => String, { nullable: true, description: 'What was wrong or right, in the rater’s words.' })
  @Column({ type: 'text', nullable: true })
  comment: string | null;

  @Field(() => Date, { description: 'When the rating was last given (rating again replaces it).' })
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
