import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Rating } from '../../entities/enums';

@InputType({ description: 'A thumbs up or down on one answer of the caller’s tenant.' })
export class RateAnswerInput {
  @Field(() => ID, { description: 'The assistant message (AskPayload.messageId).' })
  messageId: string;

  @Field(() => Rating, { description: 'UP or DOWN; replaces an earlier rating of the same answer.' })
  rating: Rating;

  @Field(() => String, { nullable: true, description: 'Optional remark, at most 2000 characters.' })
  comment?: string | null;
}

@ObjectType({ description: 'How many answers were rated up and down.' })
export class AnswerRatingStats {
  @Field(() => Int, { description: 'Answers rated UP.' })
  up: number;

  @Field(() => Int, { description: 'Answers rated DOWN.' })
  down: number;
}
