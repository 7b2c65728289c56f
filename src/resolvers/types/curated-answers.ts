import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';

@InputType({ description: 'A curated answer to create (no id) or update (its id).' })
export class CuratedAnswerInput {
  @Field(() => ID, { nullable: true, description: 'The curated answer to update; omitted: a new one.' })
  id?: string | null;

  @Field(() => ID, { nullable: true, description: 'The tenant: required with an admin key for a new answer; a secret key omits it or gives its own.' })
  tenantId?: string | null;

  @Field(() => [String], { description: 'The phrasings it answers (1 to 50, each 1 to 4000 characters).' })
  questions: string[];

  @Field(() => String, { description: 'The approved answer, returned verbatim (1 to 8000 characters).' })
  answer: string;

  @Field(() => [ID], { nullable: true, description: "Documents of the same tenant the answer cites (at most 20); another tenant's: NOT_FOUND." })
  documentIds?: string[] | null;
}

@ObjectType({ description: 'What a CSV import of curated answers did.' })
export class CuratedAnswerImport {
  @Field(() => Int, { description: 'Rows without an id: answers created.' })
  created: number;

  @Field(() => Int, { description: 'Rows with an id: answers updated.' })
  updated: number;
}
