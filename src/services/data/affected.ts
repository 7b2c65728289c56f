/** Rows affected by a DELETE as TypeORM's pg driver reports it ([rows, count]). */
export function affected(result: unknown): number {
  return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
}
