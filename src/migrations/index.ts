import { Foundation1763900000000 } from './1763900000000-Foundation';

/** Every migration, in order. Listed by hand so the same list works from tsc output, vitest and the CLI. */
export const MIGRATIONS = [Foundation1763900000000];
