import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestApp } from './app';
import type { OperationCall } from './schema-sweep';

/** What one swept call answered: HTTP status, error codes, and the whole reply as text to search for leaks. */
export interface Outcome { status: number; codes: string[]; json: string }

/** Who calls: the key, and the visitor id a page would send with it (header, or connection_init's `visitor`). */
export interface Credentials { key: string; visitor?: string }

export function leaks(json: string, needles: string[]): string[] {
  const haystack = json.toLowerCase();
  return needles.filter((n) => haystack.includes(n.toLowerCase()));
}

function outcomeOf(status: number, payloads: { data?: unknown; errors?: { extensions?: { code?: string } }[] }[], extra: unknown[] = []): Outcome {
  const codes = [...payloads.flatMap((p) => p.errors ?? []), ...extra].map((e) => String((e as { extensions?: { code?: string } })?.extensions?.code ?? e));
  return { status, codes, json: JSON.stringify([payloads, extra]) };
}

export async function callHttp(t: TestApp, call: OperationCall, who: Credentials): Promise<Outcome> {
  const res = await t.gql(call.document, call.variables, { key: who.key, headers: who.visitor ? { 'x-askdesk-visitor': who.visitor } : {} });
  return outcomeOf(res.status, [res.body]);
}

/** A subscription over graphql-ws, the key in connection_init as clients send it; runs until complete or error. */
export async function callWs(t: TestApp, call: OperationCall, who: Credentials): Promise<Outcome> {
  const client = createClient({
    url: t.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${who.key}`, ...(who.visitor ? { visitor: who.visitor } : {}) },
    retryAttempts: 0,
  });
  const events: { data?: unknown; errors?: { extensions?: { code?: string } }[] }[] = [];
  const failures: unknown[] = [];
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        failures.push('TIMEOUT');
        resolve();
      }, 10_000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      client.subscribe({ query: call.document, variables: call.variables }, {
        next: (event) => events.push(event as (typeof events)[number]),
        error: (error) => {
          // graphql-ws hands over the error message's GraphQL errors as an array, or a CloseEvent/Error.
          failures.push(...(Array.isArray(error) ? error : [{ extensions: { code: `CLOSED ${(error as { code?: number })?.code ?? String(error)}` } }]));
          done();
        },
        complete: done,
      });
    });
  } finally {
    await client.dispose();
  }
  return outcomeOf(200, events, failures);
}

/** A swept call over the transport its root needs: subscriptions over graphql-ws, the rest over HTTP. */
export function callOperation(t: TestApp, call: OperationCall, who: Credentials): Promise<Outcome> {
  return call.operation.root === 'subscription' ? callWs(t, call, who) : callHttp(t, call, who);
}
