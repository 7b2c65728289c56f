import pino from 'pino';

/** JSON logs on stdout; each request logs through a child carrying its request id. */
export function createLogger(level: string) {
  return pino({ level, base: { service: 'askdesk' }, timestamp: pino.stdTimeFunctions.isoTime });
}
