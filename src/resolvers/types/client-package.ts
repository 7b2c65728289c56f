import { Field, ObjectType } from 'type-graphql';
import { IssuedApiKey } from './issued-api-key';

@ObjectType({ description: 'A ready-to-send ZIP: the standalone chat page configured with a freshly issued key.' })
export class ClientPackage {
  @Field(() => String, { description: 'Suggested file name: askdesk-<tenant-slug>-<YYYY-MM-DD>.zip.' })
  filename: string;

  @Field(() => String, { description: 'The ZIP file, base64-encoded.' })
  contentBase64: string;

  @Field(() => IssuedApiKey, { description: 'The key written into the package (its secret is shown here once).' })
  apiKey: IssuedApiKey;

  @Field(() => String, { description: 'The welcome message to send the client (key, plan, setup steps, support): kept out of the ZIP, which holds the key in config.js only.' })
  welcomeMessage: string;
}
