import net from 'node:net';
import { Client } from 'pg';
import { QueryFailedError } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toClientError } from '../../src/http/format-error';
import { createLogger } from '../../src/logger';
import { isDatabaseUnavailable } from '../../src/services/data/unavailable';

/**
 * A loopback server speaking just enough of PostgreSQL's wire protocol to accept a login, then closing the socket
 * when the first query arrives: what a pooled connection sees when the server shuts down under it. pg reports that
 * as a plain Error without a code; it must be UPSTREAM_UNAVAILABLE (503, retry), never a 500.
 */
describe('a connection lost mid-query', () => {
  let server: net.Server;
  let port: number;
  beforeAll(async () => {
    server = net.createServer((socket) => {
      let started = false;
      socket.on('data', () => {
        if (started) return void socket.destroy();
        started = true;
        const authOk = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0]); // R: AuthenticationOk
        const ready = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]); // Z: ReadyForQuery, idle
        socket.write(Buffer.concat([authOk, ready]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('is a database outage, as TypeORM wraps it, and maps to UPSTREAM_UNAVAILABLE', async () => {
    const client = new Client({ host: '127.0.0.1', port, user: 'u', database: 'd' });
    client.on('error', () => undefined);
    await client.connect();
    const lost = await client.query('SELECT 1').then(() => null, (error: unknown) => error);
    expect(lost).toBeInstanceOf(Error);
    expect((lost as { code?: unknown }).code).toBeUndefined();

    const wrapped = new QueryFailedError('SELECT 1', [], lost as Error);
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
    expect(toClientError(wrapped, createLogger('silent')).extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    // A statement the server refused stays what it is.
    expect(isDatabaseUnavailable(new QueryFailedError('SELECT x', [], Object.assign(new Error('column "x" does not exist'), { code: '42703' })))).toBe(false);
  });
});
