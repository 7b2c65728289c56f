import Anthropic from '@anthropic-ai/sdk';
import { ClientClosed, UpstreamUnavailable } from '../../errors';
import { noAnswerText } from './language';
import { buildPrompt, citedPassages } from './prompt';
import { boundQuotes, QUOTE_LIMITS } from './quote-bound';
import type { GenerationRequest, GenerationResult, Generator } from './types';

export interface ClaudeGeneratorOptions {
  apiKey: string;
  /** Defaults to the public API; tests point it at a loopback fake. */
  baseURL?: string;
  /** Kept in configuration: model ids retire. */
  model: string;
  /** Deadline for the whole answer, from request to last token, retries included. */
  timeoutMs: number;
  maxTokens?: number;
}

// A few short paragraphs with citations; the prompt asks for brevity, this caps the cost if it is ignored.
const DEFAULT_MAX_TOKENS = 1024;

/**
 * Answers with Claude through the Messages API, streamed so that deltas can be forwarded as they arrive.
 *
 * The SDK's own `timeout` only covers the wait for response headers (and each retry restarts it), so a stream
 * that stalls half-way would hang for as long as the server keeps the connection open. One AbortController,
 * armed for `timeoutMs`, bounds the whole call instead: connection, retries, back-off sleeps and the stream.
 */
export class ClaudeGenerator implements Generator {
  readonly model: string;
  private readonly client: Anthropic;
  private readonly maxTokens: number;
  private readonly timeoutMs: number;

  constructor(options: ClaudeGeneratorOptions) {
    this.model = options.model;
    this.maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
    this.timeoutMs = options.timeoutMs;
    // One retry absorbs a transient 529/5xx; more would only spend the caller's deadline waiting.
    this.client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      maxRetries: 1,
      timeout: options.timeoutMs,
    });
  }

  async generate(request: GenerationRequest, onDelta?: (text: string) => void): Promise<GenerationResult> {
    if (request.passages.length === 0) {
      // Nothing to ground an answer on: the model could only guess, so it is not asked (and nothing is spent).
      const answer = noAnswerText(request.language);
      onDelta?.(answer);
      return { answer, model: this.model, inputTokens: 0, outputTokens: 0, cited: [] };
    }

    const prompt = buildPrompt(request);
    const passages = request.passages.slice(0, prompt.passageCount);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
    let raw = '';
    let model = this.model;
    let inputTokens = 0;
    let outputTokens = 0;
    let complete = false;
    // Passages cited by Claude (citations_delta), in order of first citation, and those of the current block.
    const cited: number[] = [];
    let blockCitations: number[] = [];
    // A throw from `onDelta` is the caller's failure: it stops the stream and is passed on as is, not blamed on
    // the API.
    let listenerFailure: { error: unknown } | undefined;
    let sent = '';
    // The quoting bound is applied to the text before it is forwarded. The last `minRun` characters are held back:
    // until the run they may belong to has ended, whether it goes over the bound is not known.
    const release = (final: boolean) => {
      const bounded = boundQuotes(raw, passages);
      const safe = final ? bounded : bounded.slice(0, Math.max(0, bounded.length - QUOTE_LIMITS.minRun));
      if (safe.length <= sent.length || !safe.startsWith(sent)) return;
      const piece = safe.slice(sent.length);
      sent = safe;
      try {
        onDelta?.(piece);
      } catch (error) {
        listenerFailure = { error };
        deadline.abort();
      }
    };
    try {
      const stream = await this.client.messages.create(
        {
          model: this.model,
          max_tokens: this.maxTokens,
          system: prompt.system,
          messages: prompt.messages,
          stream: true,
        },
        { signal: deadline.signal },
      );
      for await (const event of stream) {
        switch (event.type) {
          case 'message_start':
            model = event.message.model || model;
            inputTokens = event.message.usage.input_tokens;
            outputTokens = event.message.usage.output_tokens;
            break;
          case 'content_block_start':
            blockCitations = [];
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta') {
              raw += event.delta.text;
              release(false);
            } else if (event.delta.type === 'citations_delta' && event.delta.citation.type === 'search_result_location') {
              // The passage's index among the request's search results: all of them are in the last message.
              const index = event.delta.citation.search_result_index;
              if (index >= 0 && index < prompt.passageCount) {
                if (!blockCitations.includes(index)) blockCitations.push(index);
                if (!cited.includes(index)) cited.push(index);
              }
            }
            break;
          case 'content_block_stop':
            // The cited span ends here: mark it "[n]" as the offline answerer does, so answers read the same.
            if (blockCitations.length > 0) {
              raw = `${raw.trimEnd()} [${blockCitations.map((i) => i + 1).join(', ')}]`;
              blockCitations = [];
            }
            break;
          case 'message_delta':
            // Cumulative for the message, so the last one wins.
            outputTokens = event.usage.output_tokens;
            break;
          case 'message_stop':
            complete = true;
            break;
        }
      }
      // The SDK ends the iteration quietly when our deadline aborts the body, so only a message_stop proves the
      // answer is whole.
      if (!complete || deadline.signal.aborted) throw UpstreamUnavailable('answer generator');
    } catch {
      if (listenerFailure) throw withTokens(listenerFailure.error, inputTokens, outputTokens);
      // API errors, `event: error`, network failures and the deadline all mean the same thing to the caller: no
      // answer, nothing charged.
      throw UpstreamUnavailable('answer generator');
    } finally {
      clearTimeout(timer);
    }

    if (raw.trim().length === 0) {
      // An empty reply (e.g. a refusal) is not an answer; the honest fallback is the same as for no passages.
      const answer = noAnswerText(request.language);
      onDelta?.(answer);
      return { answer, model, inputTokens, outputTokens, cited: [] };
    }
    release(true);
    if (listenerFailure) throw withTokens(listenerFailure.error, inputTokens, outputTokens);
    const answer = boundQuotes(raw, passages);
    return {
      answer,
      model,
      inputTokens,
      outputTokens,
      cited: cited.length > 0 ? cited : citedPassages(answer, prompt.passageCount),
    };
  }

  /** Configuration only: a real call would cost money and latency on every readiness probe. */
  async ping(): Promise<void> {
    if (!this.client.apiKey) throw UpstreamUnavailable('answer generator');
  }
}

/** A client that left mid-answer may still be charged for what it was sent: usage then shows the tokens counted so far. */
function withTokens(error: unknown, inputTokens: number, outputTokens: number): unknown {
  if (error instanceof ClientClosed) error.tokens = { inputTokens, outputTokens };
  return error;
}
