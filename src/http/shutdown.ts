import type { Server, ServerResponse } from 'node:http';
import net, { Socket } from 'node:net';
import type { GraphqlWsServer } from './ws-server';

/**
 * The drain of one HTTP server: on close it stops accepting, then lets in-flight requests and graphql-ws streams
 * finish for up to the grace period, and closes whatever is left.
 *
 * Kept-alive connections are never cut while the grace lasts. A client may send its next request on an idle
 * kept-alive connection at any moment, and closing the connection under it resets a request it believes sent (it
 * was lost on SIGTERM under load); the server can't tell, since the request may still be on the wire. So during
 * the drain every response still to be written says `Connection: close` (Node then closes the connection after
 * it), a request arriving on an idle connection is answered the same way, and an idle connection that sends
 * nothing ends with its keep-alive timeout (`server.keepAliveTimeout`, or the client's own, shorter one).
 */
export class Shutdown {
  private draining = false;
  private readonly inFlight = new Set<ServerResponse>();
  /** Open HTTP connections (upgraded WebSockets leave it: graphql-ws drains those). */
  private readonly connections = new Set<Socket>();
  private closing: Promise<void> | undefined;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
    server.on('upgrade', (_req, socket: Socket) => this.connections.delete(socket));
  }

  /** Called first for every request. */
  track(res: ServerResponse): void {
    this.inFlight.add(res);
    res.once('close', () => this.inFlight.delete(res));
    if (this.draining) res.setHeader('connection', 'close');
  }

  close(graceMs: number, ws: GraphqlWsServer, stopGraphql: () => Promise<void>): Promise<void> {
    this.closing ??= this.drain(graceMs, ws, stopGraphql);
    return this.closing;
  }

  private async drain(graceMs: number, ws: GraphqlWsServer, stopGraphql: () => Promise<void>): Promise<void> {
    this.draining = true;
    ws.drain();
    const { server, inFlight, connections } = this;
    // Stops listening only: http.Server#close would also close every idle kept-alive connection at once.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
    for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && (inFlight.size > 0 || connections.size > 0 || ws.streams() > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await ws.close();
    server.closeAllConnections();
    await closed;
    await stopGraphql();
  }
}
