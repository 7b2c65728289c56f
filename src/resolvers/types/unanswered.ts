import { Field, ID, Int, ObjectType } from 'type-graphql';
import { UnansweredReason } from '../../entities/enums';

@ObjectType({ description: "A question the tenant's documents did not answer well: asked, answered ungrounded or rated down." })
export class UnansweredQuestion {
  @Field(() => String, { description: 'The question as last asked (asks are grouped by their normalised text).' })
  question: string;

  @Field(() => Int, { description: 'How many asks of this question were answered ungrounded or rated down.' })
  count: number;

  @Field(() => Date, { description: 'When it was last asked.' })
  lastAskedAt: Date;

  @Field(() => UnansweredReason, { description: 'RATED_DOWN when any of these answers was rated down, UNGROUNDED otherwise.' })
  reason: UnansweredReason;

  @Field(() => ID, { nullable: true, description: 'The conversation of the latest such ask.' })
  conversationId: string | null;
}
