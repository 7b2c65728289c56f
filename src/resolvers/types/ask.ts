import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Citation } from '../../entities/citation';
import { QuotaStatus } from './quota-status';

@InputType({ description: 'A question for the IT-support assistant.' })
export class AskInput {
  @Field(() => String, { description: '1 to 4000 characters after trimming.' })
  question: string;

  @Field(() => ID, { nullable: true, description: 'Continue this conversation; its recent turns inform the answer.' })
  conversationId?: string | null;
}

@ObjectType({ description: 'Tokens the generator read and wrote for one answer.' })
export class TokenUsage {
  @Field(() => Int)
  inputTokens: number;

  @Field(() => Int)
  outputTokens: number;
}

@ObjectType({ description: "An answer from the tenant's own documents, with its sources." })
export class AskPayload {
  @Field(() => String)
  answer: string;

  @Field(() => ID)
  conversationId: string;

  @Field(() => ID, { description: 'The id of the assistant message holding this answer.' })
  messageId: string;

  @Field(() => [Citation], { description: 'Documents the answer draws on, best first: titles and links only.' })
  citations: Citation[];

  @Field(() => Boolean, {
    description: 'True when the retrieved passages support the answer; false when they do not, in which case the answer says so and points to human support.',
  })
  grounded: boolean;

  @Field(() => Boolean, { description: "True when the answer is one of the tenant's curated answers, returned verbatim (model is then \"curated\")." })
  curated: boolean;

  @Field(() => String, { description: 'The generator that wrote the answer.' })
  model: string;

  @Field(() => TokenUsage)
  usage: TokenUsage;

  @Field(() => QuotaStatus, { description: 'The quota after this ask.' })
  quota: QuotaStatus;
}

@ObjectType({ description: 'One event of a streamed answer: text deltas, then one final event with the result.' })
export class AskStreamEvent {
  @Field(() => String, { nullable: true })
  delta?: string | null;

  @Field(() => Boolean)
  done: boolean;

  @Field(() => AskPayload, { nullable: true })
  result?: AskPayload | null;
}
