import { Field, Float, ID, ObjectType } from 'type-graphql';

/** A source an answer draws on: title and link only, never the document text. Stored as JSON in `message`. */
@ObjectType({ description: 'A document an answer draws on. Clients get its title and link, never its text.' })
export class Citation {
  @Field(() => ID)
  documentId: string;

  @Field(() => String)
  title: string;

  @Field(() => String, { nullable: true })
  sourceUrl: string | null;

  @Field(() => Float, { description: 'Retrieval score of the passage cited; higher is better.' })
  score: number;
}
