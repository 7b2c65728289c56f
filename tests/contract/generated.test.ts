import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/cli/codegen';
import { buildAppSchema, printAppSchema } from '../../src/schema';

const ROOT = path.resolve(__dirname, '..', '..');

describe('the contract typed once', () => {
  it('keeps the committed schema.graphql in step with the code (npm run schema)', async () => {
    const printed = printAppSchema(await buildAppSchema());
    expect(fs.readFileSync(path.join(ROOT, 'schema.graphql'), 'utf8')).toBe(printed);
  });

  // generate() validates every .graphql document against schema.graphql first: an operation that no longer
  // validates fails here with its file and message, and a stale generated module with its diff.
  it('keeps the generated operations in step with schema.graphql and the documents (npm run codegen)', async () => {
    for (const [file, text] of await generate()) {
      expect(fs.readFileSync(path.join(ROOT, file), 'utf8'), `${file} is stale: run npm run codegen`).toBe(text);
    }
  });
});
