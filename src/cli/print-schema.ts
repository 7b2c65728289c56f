import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { buildAppSchema, printAppSchema } from '../schema';

/** Regenerates the committed schema.graphql (`npm run schema`). */
buildAppSchema().then((schema) => {
  const file = path.resolve(__dirname, '../../../schema.graphql');
  fs.writeFileSync(file, printAppSchema(schema));
  console.log(`wrote ${file}`);
});
