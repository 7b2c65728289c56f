import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the Anthropic Messages API, speaking its wire protocol closely enough that the real
 * @anthropic-ai/sdk runs against it unchanged: `POST /v1/messages`, API-key auth, request validation, SSE
 * streaming with the real event sequence, and errors as `{ type: 'error', error: { type, message } }`.
 *
 * Tests script it with `setBehaviour` and inspect what the SDK actually sent in `requests`.
 */

export type FakeBehaviour =
  /** A normal answer; without `text` it is derived from the request (see `defaultAnswer`). */
  | { kind: 'answer'; text?: string }
  /** Starts streaming, sends some text, then an `event: error` (as the API does when overloaded mid-stream). */
  | { kind: 'error-event'; errorType?: string }
  /** Refuses the request with this HTTP status and the matching API error type. */
  | { kind: 'http-error'; status: number }
  /** Answers, but waits `delayMs` before every event after `message_start`: a stream that crawls. */
  | { kind: 'slow'; delayMs: number; text?: string }
  /** Accepts the connection and never sends a byte back. */
  | { kind: 'hang' };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: any;
}

export interface AnthropicFakeOptions {
  /** When set, only this key is accepted; otherwise any non-empty key is. */
  apiKey?: string;
}

// The error `type` the API uses for each status (docs: "Errors").
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const ERROR_MESSAGES: Record<string, string> = {
  overloaded_error: 'Overloaded',
  api_error: 'Internal server error',
  rate_limit_error: 'Number of request tokens has exceeded your per-minute rate limit',
};

function id(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

// The real API counts tokens with its tokenizer; four characters per token is close enough for tests to see
// plausible, non-zero usage that grows with the input.
function approxTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b) => (typeof b?.text === 'string' ? b.text : '')).join('');
  return '';
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/**
 * Without a scripted text, the "model" answers from the first passage it was given (the app's prompt wraps
 * passages in `<passage index="n">` tags): its first sentence, cited [1]. That keeps tests independent of wording
 * while exercising the citation path.
 */
export function defaultAnswer(body: any): string {
  const system = textOf(body?.system);
  const passage = /<passage index="(\d+)"[^>]*>\s*([\s\S]*?)\s*<\/passage>/.exec(system);
  if (!passage) return 'I could not find this in the documentation.';
  const first = unescapeXml(passage[2]).split(/(?<=[.!?])\s+/)[0].replace(/[.!?]$/, '');
  return `${first} [${passage[1]}].`;
}

/** Splits into a few word-sized deltas, as the API streams: several `content_block_delta` events per answer. */
function chunks(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

function validate(body: any): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body: Input should be an object';
  if (typeof body.model !== 'string' || body.model.length === 0) return 'model: Field required';
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: Field required';
  for (const [i, m] of body.messages.entries()) {
    if (m?.role !== 'user' && m?.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (typeof m.content !== 'string' && !Array.isArray(m.content)) return `messages.${i}.content: Field required`;
  }
  if (body.messages[0].role !== 'user') return 'messages: first message must use the "user" role';
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) {
    return 'system: Input should be a valid string or list';
  }
  return undefined;
}

export class AnthropicFake {
  readonly requests: RecordedRequest[] = [];
  private behaviour: FakeBehaviour = { kind: 'answer' };
  private readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: AnthropicFakeOptions = {}) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        if (!res.headersSent) this.sendError(res, 500, 'api_error', String(error));
        else res.destroy();
      });
    });
  }

  /** Resolves to the base URL to give the SDK (`baseURL`). */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Also cuts hanging and streaming connections, so a test's `afterAll` never waits on them. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  setBehaviour(behaviour: FakeBehaviour): void {
    this.behaviour = behaviour;
  }

  /** Back to a normal answer, with the request log emptied: call between tests. */
  reset(): void {
    this.behaviour = { kind: 'answer' };
    this.requests.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.setEncoding('utf8');
    let raw = '';
    for await (const chunk of req) raw += chunk;
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const path = (req.url ?? '/').split('?')[0];
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });

    if (req.method !== 'POST' || path !== '/v1/messages') {
      return this.sendError(res, 404, 'not_found_error', `${req.method} ${path} not found`);
    }
    const key = req.headers['x-api-key'] ?? /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!key) return this.sendError(res, 401, 'authentication_error', 'x-api-key header is required');
    if (this.options.apiKey !== undefined && key !== this.options.apiKey) {
      return this.sendError(res, 401, 'authentication_error', 'invalid x-api-key');
    }
    if (!req.headers['anthropic-version']) {
      return this.sendError(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
    }
    if (body === undefined) return this.sendError(res, 400, 'invalid_request_error', 'There was an error parsing the body');
    const invalid = validate(body);
    if (invalid) return this.sendError(res, 400, 'invalid_request_error', invalid);

    const behaviour = this.behaviour;
    switch (behaviour.kind) {
      case 'hang':
        return; // The socket stays open until the client gives up or `close()` cuts it.
      case 'http-error': {
        const type = ERROR_TYPES[behaviour.status] ?? 'api_error';
        return this.sendError(res, behaviour.status, type, ERROR_MESSAGES[type] ?? type);
      }
      default:
        break;
    }

    const text = ('text' in behaviour && behaviour.text) || defaultAnswer(body);
    const inputTokens = approxTokens(textOf(body.system) + body.messages.map((m: any) => textOf(m.content)).join(''));
    const message = {
      id: id('msg'),
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [] as unknown[],
      stop_reason: null as string | null,
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: 1 },
    };

    if (body.stream !== true) {
      if (behaviour.kind === 'slow') await this.sleep(behaviour.delayMs);
      if (behaviour.kind === 'error-event') {
        return this.sendError(res, 529, 'overloaded_error', 'Overloaded');
      }
      const reply = {
        ...message,
        content: [{ type: 'text', text, citations: null }],
        stop_reason: 'end_turn',
        usage: { input_tokens: inputTokens, output_tokens: approxTokens(text) },
      };
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': id('req') });
      res.end(JSON.stringify(reply));
      return;
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'request-id': id('req'),
    });
    let gone = false;
    res.on('close', () => (gone = true));
    const delay = behaviour.kind === 'slow' ? behaviour.delayMs : 0;
    const send = async (event: string, data: unknown) => {
      if (delay > 0 && event !== 'message_start') await this.sleep(delay);
      if (gone) return;
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };

    await send('message_start', { type: 'message_start', message });
    await send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    await send('ping', { type: 'ping' });
    const deltas = chunks(text);
    const sent = behaviour.kind === 'error-event' ? deltas.slice(0, Math.max(1, deltas.length >> 1)) : deltas;
    for (const piece of sent) {
      await send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } });
    }
    if (behaviour.kind === 'error-event') {
      const type = behaviour.errorType ?? 'overloaded_error';
      await send('error', { type: 'error', error: { type, message: ERROR_MESSAGES[type] ?? type } });
      res.end();
      return;
    }
    await send('content_block_stop', { type: 'content_block_stop', index: 0 });
    await send('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: approxTokens(text) },
    });
    await send('message_stop', { type: 'message_stop' });
    res.end();
  }

  private sendError(res: ServerResponse, status: number, type: string, message: string): void {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': id('req') };
    // The API tells clients when to come back after a rate limit.
    if (status === 429) headers['retry-after'] = '1';
    res.writeHead(status, headers);
    res.end(JSON.stringify({ type: 'error', error: { type, message }, request_id: headers['request-id'] }));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}
