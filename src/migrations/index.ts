import { Foundation1763900000000 } from './1763900000000-Foundation';
import { RetrievalIndex1763900000100 } from './1763900000100-RetrievalIndex';
import { AdminAdditions1764500000000 } from './1764500000000-AdminAdditions';

/** Every migration, in order. Listed by hand so the same list works from tsc output, vitest and the CLI. */
export const MIGRATIONS = [Foundation1763900000000, RetrievalIndex1763900000100, AdminAdditions1764500000000];
