import type { Server, ServerResponse } from 'node:http';
import type { GraphqlWsServer } from './ws-server';

/**
 * The drain of one HTTP server: tracks the responses in flight, and on close stops accepting, lets in-flight
 * requests and graphql-ws streams finish for up to the grace period, then closes whatever is left.
 */
export class Shutdown {
  private draining = false;
  private readonly inFlight = new Set<ServerResponse>();

  constructor(private readonly server: Server) {}

  /** Called first for every request. */
  track(res: ServerResponse): void {
    this.inFlight.add(res);
    res.once('close', () => this.inFlight.delete(res));
    // While draining, a kept-alive connection still gets its answer, then is closed instead of reused.
    if (this.draining) res.setHeader('connection', 'close');
  }

  async close(graceMs: number, ws: GraphqlWsServer, stopGraphql: () => Promise<void>): Promise<void> {
    this.draining = true;
    ws.drain();
    const { server, inFlight } = this;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && (inFlight.size > 0 || ws.streams() > 0)) {
      server.closeIdleConnections();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await ws.close();
    server.closeAllConnections();
    await closed;
    await stopGraphql();
  }
}
