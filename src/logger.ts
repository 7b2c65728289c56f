import pino from 'pino';

/** JSON logs on stdout (or `destination`); each request logs through a child carrying its request id. */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'askdesk' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: serializeError },
  };
  return destination ? pino(options, destination) : pino(options);
}

type Fields = Record<string, unknown>;

// pg's DatabaseError fields that name schema objects, never values; its message, `detail`, `where` and
// `internalQuery` quote the values that failed ('invalid input syntax for type uuid: "…"', 'Key (…)=(…) exists').
const DATABASE_FIELDS = ['code', 'severity', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine', 'position'];

/** The database error in an error's chain: TypeORM's QueryFailedError (query and parameters) or pg's own (a SQLSTATE). */
function databaseErrorIn(error: unknown, depth = 0): Fields | null {
  if (error === null || typeof error !== 'object' || depth > 5) return null;
  const e = error as Fields;
  if (('query' in e && 'parameters' in e) || (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && 'severity' in e)) return e;
  for (const key of ['cause', 'originalError', 'driverError']) {
    const found = databaseErrorIn(e[key], depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * Errors as pino's standard serializer writes them, except database errors: their parameters and messages carry
 * what the statement was given (questions, answers, client IPs, keys' hashes), so a database error is logged as its
 * SQLSTATE, the statement text and the schema objects it names, with a stack of frames only.
 */
function serializeError(error: unknown): unknown {
  const database = databaseErrorIn(error);
  if (!database) return pino.stdSerializers.err(error as Error);
  const driver = (database.driverError ?? database) as Fields;
  const fields: Fields = {};
  for (const key of DATABASE_FIELDS) if (driver[key] !== undefined) fields[key] = driver[key];
  if (typeof database.query === 'string') fields.statement = database.query;
  const stack = typeof (error as Fields).stack === 'string' ? ((error as Fields).stack as string) : '';
  return {
    type: (error as object).constructor?.name ?? 'Error',
    message: `database error ${String(driver.code ?? 'unknown')}`,
    database: fields,
    stack: stack.split('\n').filter((line) => /^\s+at /.test(line)).join('\n'),
  };
}
