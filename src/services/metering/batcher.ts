/**
 * Runs the calls of one key as batches, at most one batch of a key in flight: a call that finds its key idle runs
 * at once, alone (no added latency at low load); calls made while a batch runs wait for it and then go together,
 * so under load a batch grows with the wait and a statement serves many calls. Used for the quota lease, whose
 * counter row every ask of a tenant locks: one statement for a batch takes that lock once instead of once per ask,
 * and the row's waiters no longer queue behind each other's wake-ups.
 *
 * Hand-written rather than DataLoader: DataLoader batches by event-loop tick and lets batches of one key overlap,
 * which is the queue on the row lock this exists to avoid, and it keeps a loader per key where this forgets a key
 * as soon as it is idle (keys here include visitor ids, which are unbounded).
 */
export class Batcher<K, I, O> {
  private readonly keys = new Map<string, { queue: { input: I; resolve(out: O | PromiseLike<O>): void; reject(error: unknown): void }[] }>();

  constructor(
    /** Runs one batch; its outputs are in the order of `inputs`, and a rejected one fails that input alone. */
    private readonly runBatch: (key: K, inputs: I[]) => Promise<(O | PromiseLike<O>)[]>,
    private readonly maxBatch: number,
  ) {}

  /** Runs `input` in the next batch of `key` (named by `keyId`); resolves to its own output. */
  submit(keyId: string, key: K, input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const running = this.keys.get(keyId);
      if (running) {
        running.queue.push({ input, resolve, reject });
        return;
      }
      const entry = { queue: [{ input, resolve, reject }] };
      this.keys.set(keyId, entry);
      this.drain(keyId, key, entry);
    });
  }

  private drain(keyId: string, key: K, entry: { queue: { input: I; resolve(out: O | PromiseLike<O>): void; reject(error: unknown): void }[] }): void {
    const batch = entry.queue.splice(0, this.maxBatch);
    if (batch.length === 0) {
      this.keys.delete(keyId);
      return;
    }
    // Promise.resolve().then: a synchronous throw of runBatch rejects this batch instead of escaping submit.
    Promise.resolve()
      .then(() => this.runBatch(key, batch.map((b) => b.input)))
      .then(
        (outs) => batch.forEach((b, i) => b.resolve(outs[i])),
        (error) => batch.forEach((b) => b.reject(error)),
      )
      .finally(() => this.drain(keyId, key, entry));
  }
}
