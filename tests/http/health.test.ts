import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlansDocument } from '../operations/operations.generated';
import { startTestApp, TestApp } from '../helpers/app';

describe('health and metrics endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    const base = t.app.server.url;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).status).toBe('ready');
    await t.gql(PlansDocument);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('graphql_requests_total{operation="plans",outcome="ok"}');
    expect(metrics).toContain('graphql_request_duration_seconds_bucket');
  });
});
