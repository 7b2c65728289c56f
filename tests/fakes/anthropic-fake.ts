import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the Anthropic Messages API, speaking its wire protocol closely enough that the real
 * @anthropic-ai/sdk runs against it unchanged: `POST /v1/messages`, API-key auth, request validation, SSE
 * streaming with the real event sequence, and errors as `{ type: 'error', error: { type, message } }`.
 *
 * Citations as the API does them, for `search_result` blocks (`{ type: 'search_result', source, title, content:
 * [{ type: 'text', text }…], citations: { enabled: true } }`, counted in order across the request's messages) and
 * for plain-text `document` blocks: the reply is several text content blocks, the cited ones carrying
 * `citations: [{ type: 'search_result_location', cited_text, search_result_index, source, title, start_block_index,
 * end_block_index }]` (a search result is cited by whole text blocks; `cited_text` is those blocks joined) or
 * `[{ type: 'char_location', cited_text, document_index, document_title, start_char_index, end_char_index }]`;
 * streamed, each cited block sends its citations as `content_block_delta` events with
 * `delta: { type: 'citations_delta', citation }` before its text.
 * Prompt caching: a `cache_control: { type: 'ephemeral' }` breakpoint caches the prefix up to it; usage reports
 * `cache_creation_input_tokens` the first time a prefix is seen and `cache_read_input_tokens` afterwards.
 *
 * Tests script it with `setBehaviour` and inspect what the SDK actually sent in `requests`.
 */

export type FakeBehaviour =
  /** A normal answer; without `text` it is derived from the request (see `defaultAnswer`). */
  | { kind: 'answer'; text?: string }
  /** An answer in text blocks; a block with `document` (0-based) cites that document where it quotes it. */
  | { kind: 'cited'; blocks: ReplyBlock[] }
  /** A model ignoring the quoting rule: every document copied out whole, sentence by sentence, each cited. */
  | { kind: 'quote-documents' }
  /** Starts streaming, sends some text, then an `event: error` (as the API does when overloaded mid-stream). */
  | { kind: 'error-event'; errorType?: string }
  /** Refuses the request with this HTTP status and the matching API error type. */
  | { kind: 'http-error'; status: number }
  /** Answers, but waits `delayMs` before every event after `message_start`: a stream that crawls. */
  | { kind: 'slow'; delayMs: number; text?: string }
  /** Accepts the connection and never sends a byte back. */
  | { kind: 'hang' };

export interface ReplyBlock {
  text: string;
  /** The source it cites, 0-based: the request's search results when it has any, its documents otherwise. */
  document?: number;
}

type Citation =
  | {
      type: 'char_location';
      cited_text: string;
      document_index: number;
      document_title: string | null;
      start_char_index: number;
      end_char_index: number;
    }
  | {
      type: 'search_result_location';
      cited_text: string;
      search_result_index: number;
      source: string;
      title: string | null;
      start_block_index: number;
      end_block_index: number;
    };

/** A source a reply can cite: a search result (its text blocks) or a plain-text document (one text). */
interface Source {
  kind: 'search_result' | 'document';
  title: string | null;
  source: string;
  blocks: string[];
  text: string;
  cite: boolean;
}

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

/**
 * What a reply cites: the request's `search_result` blocks in order across its messages (what
 * `search_result_index` counts) when it has any, else the `document` blocks of the last user message (what
 * `document_index` counts).
 */
function sourcesOf(body: any): Source[] {
  const blocks: any[] = (body?.messages ?? []).flatMap((m: any) => (Array.isArray(m?.content) ? m.content : []));
  const results = blocks.filter((b) => b?.type === 'search_result');
  if (results.length > 0) {
    return results.map((b) => {
      const texts = (b.content as any[]).map((c) => String(c.text));
      return { kind: 'search_result', title: b.title ?? null, source: String(b.source), blocks: texts, text: texts.join(' '), cite: b.citations?.enabled === true };
    });
  }
  const last = body?.messages?.at(-1)?.content;
  if (!Array.isArray(last)) return [];
  return last
    .filter((b: any) => b?.type === 'document')
    .map((b: any) => {
      const text = String(b.source?.data ?? '');
      return { kind: 'document', title: b.title ?? null, source: '', blocks: [text], text, cite: b.citations?.enabled === true };
    });
}

/**
 * Without a scripted reply, the "model" answers from the first document it was given: its first sentence, as a
 * block citing that document, then the full stop. That keeps tests independent of wording while exercising the
 * citation path.
 */
export function defaultAnswer(body: any): ReplyBlock[] {
  const [first] = sourcesOf(body);
  if (!first) return [{ text: 'I could not find this in the documentation.' }];
  const sentence = first.text.split(/(?<=[.!?])\s+/)[0].replace(/[.!?]$/, '');
  return [{ text: sentence, document: 0 }, { text: '.' }];
}

/**
 * A block's citation: where its text occurs in the source, or the source's opening when it is a paraphrase. A search
 * result is cited by the range of its text blocks that holds the quoted text.
 */
function citationFor(block: ReplyBlock, body: any): Citation[] | null {
  const doc = block.document === undefined ? undefined : sourcesOf(body)[block.document];
  if (!doc || !doc.cite) return null;
  if (doc.kind === 'search_result') {
    const quoted = block.text.trim();
    let start = doc.blocks.findIndex((b) => b.includes(quoted) || quoted.includes(b));
    if (start < 0) start = 0;
    let end = start + 1;
    // A quote running over several blocks cites all of them.
    while (end < doc.blocks.length && quoted.includes(doc.blocks[end])) end++;
    return [
      {
        type: 'search_result_location',
        cited_text: doc.blocks.slice(start, end).join(''),
        search_result_index: block.document!,
        source: doc.source,
        title: doc.title,
        start_block_index: start,
        end_block_index: end,
      },
    ];
  }
  let start = doc.text.indexOf(block.text.trim());
  let end = start + block.text.trim().length;
  if (start < 0) {
    start = 0;
    end = Math.min(doc.text.length, block.text.length);
  }
  return [
    {
      type: 'char_location',
      cited_text: doc.text.slice(start, end),
      document_index: block.document!,
      document_title: doc.title,
      start_char_index: start,
      end_char_index: end,
    },
  ];
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
  const blocks = [
    ...(Array.isArray(body.system) ? body.system : []),
    ...body.messages.flatMap((m: any) => (Array.isArray(m.content) ? m.content : [])),
  ];
  for (const b of blocks) {
    if (b?.cache_control !== undefined && b.cache_control?.type !== 'ephemeral') return 'cache_control.type: Input should be \'ephemeral\'';
    if (b?.type === 'search_result') {
      if (typeof b.source !== 'string') return 'search_result.source: Field required';
      if (typeof b.title !== 'string') return 'search_result.title: Field required';
      if (!Array.isArray(b.content) || b.content.length === 0 || b.content.some((c: any) => c?.type !== 'text' || typeof c.text !== 'string')) {
        return 'search_result.content: a list of text blocks is required';
      }
    }
    if (b?.type === 'text' && typeof b.text !== 'string') return 'text: Field required';
    if (b?.type === 'document') {
      const src = b.source;
      if (src?.type !== 'text' || src.media_type !== 'text/plain' || typeof src.data !== 'string') {
        return 'document.source: a text source needs media_type "text/plain" and a string `data`';
      }
      if (b.title !== undefined && b.title !== null && typeof b.title !== 'string') return 'document.title: Input should be a valid string';
    }
  }
  for (const type of ['document', 'search_result']) {
    const sources = blocks.filter((b: any) => b?.type === type);
    const citing = sources.filter((b: any) => b.citations?.enabled === true).length;
    if (citing > 0 && citing < sources.length) {
      return `citations: citations must be enabled on all or none of the ${type === 'document' ? 'documents' : 'search results'} within a request`;
    }
  }
  return undefined;
}

export class AnthropicFake {
  readonly requests: RecordedRequest[] = [];
  /** Prompt prefixes marked with cache_control that have been seen, as the cache the API keeps would hold them. */
  private readonly cache = new Set<string>();
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
    this.cache.clear();
  }

  /** Tokens of the prompt prefix up to the last cache breakpoint (system blocks only, as the app marks them). */
  private cacheUsage(body: any): { cache_creation_input_tokens: number; cache_read_input_tokens: number } {
    const system: any[] = Array.isArray(body.system) ? body.system : [];
    const last = system.map((b) => b?.cache_control?.type === 'ephemeral').lastIndexOf(true);
    if (last < 0) return { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    const prefix = JSON.stringify([body.model, system.slice(0, last + 1)]);
    const tokens = approxTokens(textOf(system.slice(0, last + 1)));
    if (this.cache.has(prefix)) return { cache_creation_input_tokens: 0, cache_read_input_tokens: tokens };
    this.cache.add(prefix);
    return { cache_creation_input_tokens: tokens, cache_read_input_tokens: 0 };
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

    const blocks: ReplyBlock[] =
      behaviour.kind === 'cited'
        ? behaviour.blocks
        : behaviour.kind === 'quote-documents'
          ? sourcesOf(body).flatMap((d, document) =>
              d.text.split(/(?<=[.!?])\s+/).flatMap((sentence) => [{ text: sentence, document }, { text: ' ' }]),
            )
          : 'text' in behaviour && behaviour.text
          ? [{ text: behaviour.text }]
          : defaultAnswer(body);
    const content = blocks.map((b) => ({ type: 'text', text: b.text, citations: citationFor(b, body) }));
    const text = blocks.map((b) => b.text).join('');
    const inputTokens = approxTokens(
      textOf(body.system) +
        body.messages.map((m: any) => textOf(m.content)).join('') +
        sourcesOf(body).map((d) => d.text).join(''),
    );
    const message = {
      id: id('msg'),
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [] as unknown[],
      stop_reason: null as string | null,
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: 1, ...this.cacheUsage(body) },
    };

    if (body.stream !== true) {
      if (behaviour.kind === 'slow') await this.sleep(behaviour.delayMs);
      if (behaviour.kind === 'error-event') {
        return this.sendError(res, 529, 'overloaded_error', 'Overloaded');
      }
      const reply = {
        ...message,
        content,
        stop_reason: 'end_turn',
        usage: { ...message.usage, output_tokens: approxTokens(text) },
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
    await send('ping', { type: 'ping' });
    // On an error event the stream stops half-way through the text, as an overloaded API does.
    const cutAt = behaviour.kind === 'error-event' ? Math.max(1, chunks(text).length >> 1) : Infinity;
    let streamed = 0;
    for (const [index, block] of content.entries()) {
      await send('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: block.citations ? { type: 'text', text: '', citations: [] } : { type: 'text', text: '' },
      });
      for (const citation of block.citations ?? []) {
        await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'citations_delta', citation } });
      }
      for (const piece of chunks(block.text)) {
        if (streamed++ >= cutAt) break;
        await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
      }
      if (streamed > cutAt) break;
      await send('content_block_stop', { type: 'content_block_stop', index });
    }
    if (behaviour.kind === 'error-event') {
      const type = behaviour.errorType ?? 'overloaded_error';
      await send('error', { type: 'error', error: { type, message: ERROR_MESSAGES[type] ?? type } });
      res.end();
      return;
    }
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
