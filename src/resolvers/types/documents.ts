import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Document } from '../../entities/document.entity';

@InputType({ description: 'A document to add to a tenant knowledge base.' })
export class DocumentInput {
  @Field(() => String, { description: '1 to 500 characters.' })
  title: string;

  @Field(() => String, { description: 'The text, at most 2 MB.' })
  content: string;

  @Field(() => String, { nullable: true, description: 'Where the document lives; cited with the title.' })
  sourceUrl?: string | null;

  @Field(() => String, { nullable: true, description: 'text/plain (default), text/markdown or text/html.' })
  mimeType?: string | null;
}

@ObjectType({ description: 'What an ingestion added.' })
export class IngestResult {
  @Field(() => [Document], { description: 'The documents added (duplicates excluded).' })
  documents: Document[];

  @Field(() => Int, { description: 'Chunks indexed for the added documents.' })
  chunkCount: number;

  @Field(() => Int, { description: 'Documents skipped because the tenant already holds the same content.' })
  skippedDuplicates: number;
}

@ObjectType({ description: 'A document ask would retrieve, with its best passage score.' })
export class RetrievalHit {
  @Field(() => ID)
  documentId: string;

  @Field(() => String)
  title: string;

  @Field(() => Float)
  score: number;
}
