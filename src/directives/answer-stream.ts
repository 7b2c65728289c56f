import { ClientClosed } from '../errors';
import type { Delivery } from '../services/chat.service';

type Event<R> = { delta?: string; done: boolean; result?: R };

/**
 * The one queue of a streamed answer: the producer pushes deltas as they are generated, then the final result (or
 * an error, which the consumer's iteration throws so graphql-ws sends it as an `error` message). When the client
 * goes away (graphql-ws calls `return()`), the next delta throws ClientClosed, which stops the generation.
 */
export class AnswerStream<R> implements AsyncIterableIterator<Record<string, Event<R>>>, Delivery {
  private readonly items: Record<string, Event<R>>[] = [];
  private waiting: { resolve: (r: IteratorResult<Record<string, Event<R>>>) => void; reject: (e: unknown) => void } | null = null;
  private finished = false;
  private closedByClient = false;
  private error: unknown = null;
  /** Whether a delta has been handed to graphql-ws to send, i.e. part of the answer reached the client. */
  delivered = false;

  constructor(private readonly fieldName: string) {}

  delta(text: string): void {
    if (this.closedByClient) throw new ClientClosed();
    this.push({ delta: text, done: false });
  }

  finish(result: R): void {
    this.push({ done: true, result });
    this.finished = true;
  }

  fail(error: unknown): void {
    this.error = error;
    this.finished = true;
    this.wake();
  }

  next(): Promise<IteratorResult<Record<string, Event<R>>>> {
    const item = this.items.shift();
    if (item) {
      if (item[this.fieldName].delta !== undefined) this.delivered = true;
      return Promise.resolve({ value: item, done: false });
    }
    if (this.error) {
      const error = this.error;
      this.error = null;
      return Promise.reject(error);
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  async return(): Promise<IteratorResult<Record<string, Event<R>>>> {
    if (!this.finished) this.closedByClient = true;
    this.finished = true;
    this.wake();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private push(event: Event<R>): void {
    if (this.closedByClient) return;
    this.items.push({ [this.fieldName]: event });
    this.wake();
  }

  // graphql-ws consumes one event at a time, so at most one `next()` waits.
  private wake(): void {
    const waiter = this.waiting;
    if (!waiter) return;
    this.waiting = null;
    void this.next().then(waiter.resolve, waiter.reject);
  }
}
