import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { BadInput } from '../errors';

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export const MAX_PAGE_SIZE = 100;

/**
 * Keyset pagination over (timestamp column, id): stable while rows are added, and an index range scan rather
 * than an OFFSET. The cursor is opaque to clients (base64url of the sort key).
 */
export async function paginate<T extends ObjectLiteral & { id: string }>(
  qb: SelectQueryBuilder<T>,
  options: { first: number; after?: string | null; sortColumn: string; sortProperty: keyof T; descending?: boolean },
): Promise<Page<T>> {
  const { first, after, sortColumn, sortProperty, descending = false } = options;
  requirePageSize(first);
  const alias = qb.alias;
  // JavaScript dates carry milliseconds and PostgreSQL microseconds: sort and compare on the millisecond value, so
  // a cursor made from a Date lands exactly between two rows instead of repeating or skipping one.
  const sortKey = `date_trunc('milliseconds', ${alias}.${sortColumn})`;
  const totalCount = await qb.clone().getCount();
  if (after) {
    const [at, id] = decodeCursor(after);
    const op = descending ? '<' : '>';
    qb.andWhere(`(${sortKey}, ${alias}.id) ${op} (:cursorAt, :cursorId)`, { cursorAt: at, cursorId: id });
  }
  const direction = descending ? 'DESC' : 'ASC';
  const rows = await qb
    .orderBy(sortKey, direction)
    .addOrderBy(`${alias}.id`, direction)
    .limit(first + 1)
    .getMany();
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ node, cursor: encodeCursor(node[sortProperty] as Date, node.id) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

/** The one bound on how many items a list may return at once, for connections and plain lists alike. */
export function requirePageSize(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw BadInput(`first must be between 1 and ${MAX_PAGE_SIZE}.`, 'first');
  }
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Row ids are uuids, except the audit trail's bigserial.
const ROW_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{1,19})$/i;

function decodeCursor(cursor: string): [Date, string] {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (Number.isNaN(date.getTime()) || !ROW_ID.test(id ?? '')) throw BadInput('after is not a valid cursor.', 'after');
  return [date, id];
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A case-insensitive "contains" pattern for ILIKE, with the user's %, _ and backslash taken literally. */
export function containsPattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, '\\$&')}%`;
}
