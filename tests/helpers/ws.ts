import WebSocket from 'ws';

/** A raw graphql-ws (graphql-transport-ws) connection, to see each protocol message and how the socket closes. */
export class RawWs {
  readonly messages: any[] = [];
  closeCode: number | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()));
      this.wake();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  /** Opens the socket and completes connection_init / connection_ack with this payload. */
  static async open(httpUrl: string, payload: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<RawWs> {
    const socket = new WebSocket(httpUrl.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const ws = new RawWs(socket);
    ws.send({ type: 'connection_init', payload });
    await ws.next((m) => m.type === 'connection_ack');
    return ws;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (from now on or already received) matching, or throws if the socket closes first. */
  async next(match: (m: any) => boolean, timeoutMs = 10_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.messages.findIndex(match);
      if (index >= 0) return this.messages.splice(index, 1)[0];
      if (this.closeCode !== null) throw new Error(`socket closed with ${this.closeCode}`);
      if (Date.now() > deadline) throw new Error(`no matching message; got ${JSON.stringify(this.messages).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/**
 * askStream over graphql-ws from a page at `origin` (the Origin header of the upgrade), with this connection_init
 * payload: the events it got, and the error that ended it, if any.
 */
export async function askStreamFrom(httpUrl: string, origin: string, connectionParams: Record<string, unknown>): Promise<{ events: any[]; error?: any }> {
  const { createClient } = await import('graphql-ws');
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { origin } });
      }
    },
    connectionParams,
    retryAttempts: 0,
  });
  return new Promise<{ events: any[]; error?: any }>((resolve) => {
    const events: any[] = [];
    client.subscribe(
      { query: `subscription { askStream(input: { question: "How do I reach the VPN?" }) { done } }` },
      { next: (e) => events.push(e), error: (error) => resolve({ events, error }), complete: () => resolve({ events }) },
    );
  }).finally(() => client.dispose());
}
