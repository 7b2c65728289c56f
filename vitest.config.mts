import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// type-graphql loads graphql's CommonJS build; without this alias vitest inlines the ESM one and the schema
// fails with "Cannot use GraphQLDirective from another module or realm".
const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: { alias: { graphql: require.resolve('graphql') } },
  test: {
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
