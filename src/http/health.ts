import type { Services } from '../services/registry';

export type PartState = 'up' | 'degraded' | 'down';

/** The parts of the service a client depends on, as /readyz and /status name them. */
export interface Health {
  database: PartState;
  retrieval: PartState;
  answers: PartState;
  limits: PartState;
}

// A part answering slower than this is degraded; one that has not answered by PROBE_TIMEOUT_MS is down, so a hung
// backend can't hang the status page with it.
const SLOW_MS = 1_000;
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Probes every part at once. What went wrong is written to the server log only: error text names hosts, ports and
 * backends, which a public page must not hand out.
 */
export async function probeHealth(services: Services): Promise<Health> {
  const probe = async (part: keyof Health, ping: () => Promise<unknown>, degraded = false): Promise<PartState> => {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ping(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS))),
      ]);
      return degraded || Date.now() - started > SLOW_MS ? 'degraded' : 'up';
    } catch (error) {
      services.log.warn({ err: error, part }, 'health probe failed');
      return 'down';
    } finally {
      clearTimeout(timer);
    }
  };
  const [database, retrieval, answers, limits] = await Promise.all([
    probe('database', () => services.data.ping()),
    probe('retrieval', () => services.index.ping()),
    probe('answers', () => services.generator.ping()),
    // Limits held in this process's memory while Redis is out still work, but no longer across processes.
    probe('limits', () => services.shared.ping(), services.shared.degraded === true),
  ]);
  return { database, retrieval, answers, limits };
}

/** The state of the whole: its worst part. */
export function overall(health: Health): PartState {
  const states = Object.values(health);
  return states.includes('down') ? 'down' : states.includes('degraded') ? 'degraded' : 'up';
}
