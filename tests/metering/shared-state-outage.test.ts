import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import Redis from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FallbackSharedState } from '../../src/services/shared-state/fallback-shared-state';
import { MemorySharedState } from '../../src/services/shared-state/memory-shared-state';
import { RedisSharedState } from '../../src/services/shared-state/redis-shared-state';
import { startTestApp, TestApp } from '../helpers/app';
import { freePort, RedisServer } from '../helpers/redis-server';
import { AddDocumentsDocument } from '../../src/contract/operations.generated';
import { AskPasswordResetDocument, MeDocument, QuotaDocument } from '../operations/operations.generated';

const DOC = [{ title: 'Password reset', content: 'To reset your password open the password portal and answer the security questions.' }];

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

async function waitFor(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the API while its Redis is killed and restarted', () => {
  let redis: RedisServer;
  let t: TestApp;
  const prefix = `outage-${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    redis = new RedisServer(await freePort());
    await redis.start();
    t = await startTestApp({ REDIS_URL: redis.url, REDIS_PREFIX: prefix });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.kill();
  });

  const fallbacks = async () => {
    const text = await (await fetch(t.url.replace(/\/graphql$/, '/metrics'))).text();
    return Number(/^askdesk_shared_state_fallback_total (\d+)/m.exec(text)?.[1] ?? NaN);
  };

  it('answers me and ask with 200 and rate headers from per-process limits, then uses Redis again by itself', async () => {
    const a = await t.tenant('DEMO');
    await t.gql(AddDocumentsDocument, { tenantId: a.id, documents: DOC });
    const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    const windowInRedis = async (key: string) => {
      try {
        if (probe.status !== 'ready') await probe.connect().catch(() => undefined);
        return (await probe.exists(`${prefix}rl:${key}`)) === 1;
      } catch {
        return false;
      }
    };

    // Redis up: the tenant's window lives in Redis.
    for (const remaining of ['4', '3']) {
      const res = await t.gql(AskPasswordResetDocument, {}, { key: a.key });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-remaining')).toBe(remaining);
    }
    expect(await windowInRedis(`tenant:${a.id}:ask`)).toBe(true);
    expect(await fallbacks()).toBe(0);

    await redis.kill();
    probe.disconnect();

    // Redis down: no 500, no stall; limits now count in this process (a fresh window), and still refuse past 5.
    let started = Date.now();
    const me = await t.gql(MeDocument, {}, { key: a.key });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(me.status).toBe(200);
    expect(me.body.data.me.id).toBeTruthy();
    expect(me.headers.get('ratelimit-limit')).toBe('300');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      started = Date.now();
      const res = await t.gql(AskPasswordResetDocument, {}, { key: a.key });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(res.headers.get('ratelimit-limit')).toBe('5');
      expect(res.headers.get('ratelimit-remaining')).toBeTruthy();
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.body.errors![0].extensions.code).toBe('RATE_LIMITED');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // Quotas live in PostgreSQL and stay exact: 2 asks before the outage, 5 during.
    expect((await t.gql(QuotaDocument, {}, { key: a.key })).body.data.quota.used).toBe(7);
    expect(await fallbacks()).toBeGreaterThan(0);

    // Redis back on the same port, empty: the app reconnects and uses it again, without a restart.
    await redis.start();
    await waitFor('the app to write its windows to Redis again', async () => {
      expect((await t.gql(MeDocument, {}, { key: a.key })).status).toBe(200);
      return windowInRedis(`key:${a.keyId}:ops`);
    });
    const counted = await fallbacks();
    // The in-process window is full (5 of 5), so this admission can only come from Redis's fresh window.
    const back = await t.gql(AskPasswordResetDocument, {}, { key: a.key });
    expect(back.status).toBe(200);
    expect(back.headers.get('ratelimit-remaining')).toBe('4');
    expect(await windowInRedis(`tenant:${a.id}:ask`)).toBe(true);
    expect(await fallbacks()).toBe(counted);
    probe.disconnect();
    expect(unhandled).toEqual([]);
  });
});

describe('an app started while its Redis is unreachable', () => {
  let redis: RedisServer;
  let t: TestApp;

  beforeAll(async () => {
    redis = new RedisServer(await freePort());
    t = await startTestApp({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.kill();
  });

  it('serves keyed requests from per-process limits, and picks Redis up when it starts', async () => {
    const a = await t.tenant('BUSINESS');
    const me = await t.gql(MeDocument, {}, { key: a.key });
    expect(me.status).toBe(200);
    expect(me.headers.get('ratelimit-remaining')).toBe('299');
    await redis.start();
    const shared = t.app.services.shared as FallbackSharedState;
    await waitFor('the fallback to end', async () => {
      await t.gql(MeDocument, {}, { key: a.key });
      return !shared.degraded;
    });
    expect(unhandled).toEqual([]);
  });
});

describe('FallbackSharedState', () => {
  it('logs an outage once when it starts and once when it ends, and reports each fallback', async () => {
    const redis = new RedisServer(await freePort());
    await redis.start();
    const lines: { level: number; msg: string }[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(chunk.toString())), done()) }));
    const primary = new RedisSharedState(redis.url, `fb-${randomBytes(4).toString('hex')}:`);
    const state = new FallbackSharedState(primary, new MemorySharedState(), log);
    let reported = 0;
    state.onFallback(() => reported++);
    try {
      expect((await state.take('k', 2, 60_000)).remaining).toBe(1);
      await redis.kill();
      for (let i = 0; i < 5; i++) await state.hit('h', 60_000);
      expect(await state.take('k', 2, 60_000)).toMatchObject({ allowed: true, remaining: 1 });
      await state.setUntil('block', new Date(Date.now() + 60_000));
      expect(await state.getUntil('block')).toBeInstanceOf(Date);
      expect(state.degraded).toBe(true);
      expect(reported).toBe(8);
      expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
      await redis.start();
      await waitFor('Redis to be used again', async () => !state.degraded);
      expect((await state.take('k', 2, 60_000)).remaining).toBe(1);
      expect(reported).toBe(8);
      expect(lines.map((l) => l.level)).toEqual([40, 30]);
    } finally {
      await state.close();
      await redis.kill();
    }
  });
});
