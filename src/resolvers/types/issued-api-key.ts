import { Field, ObjectType } from 'type-graphql';
import { ApiKey } from '../../entities/api-key.entity';

@ObjectType({ description: 'A newly issued key with its secret. The secret is shown here once and never again.' })
export class IssuedApiKey {
  @Field(() => ApiKey)
  key: ApiKey;

  @Field(() => String, { description: 'The full key: sk_<plan>_<secret>. Store it now; it cannot be retrieved later.' })
  secret: string;
}
