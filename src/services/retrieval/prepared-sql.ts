import type { DataSource } from 'typeorm';
import { preparedRunner } from '../data/prepared';
import type { Sql } from './types';

/**
 * TypeORM's DataSource as an Sql whose hot statement (the search) runs prepared, through the pool's one runner
 * (data/prepared.ts). The search statement is long: on PGlite, parsing and planning it again for every search cost
 * more than a third of the search once its execution was cheap (about 3 of 8 ms at 10k chunks).
 */
export function withPreparedStatements(dataSource: DataSource): Sql {
  const prepared = preparedRunner(dataSource);
  return prepared ? { query: (sql, params) => dataSource.query(sql, params), prepared } : dataSource;
}
