import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics for /metrics. Operations are labelled by their root field (a schema name, `multiple` or `other`). */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL operations by root fields and outcome (ok or the first error code).',
    labelNames: ['operation', 'outcome'],
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'GraphQL operation latency.',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly sharedStateFallbacks = new Counter({
    name: 'askdesk_shared_state_fallback_total',
    help: 'Shared-state operations (rate windows, abuse counters, blocks) served from this process\'s memory because Redis was unreachable.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
