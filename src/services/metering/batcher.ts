type Waiting<I, O> = { input: I; resolve(out: O | PromiseLike<O>): void; reject(error: unknown): void };

/**
 * Runs the calls of one key as batches, at most one batch of a key running: a call that finds its key idle runs at
 * once (no added latency at low load); calls made while the key's batch runs wait for it to end and then go together, so under load a batch grows with the wait and a statement serves many calls.
 * Used for the quota lease, whose counter row every ask of a tenant locks: one statement for a batch takes that lock
 * once instead of once per ask, and the row's waiters no longer queue behind each other's wake-ups; and for the
 * settle, whose batch shares one commit and one WAL flush.
 *
 * Hand-written rather than DataLoader: DataLoader batches by event-loop tick and lets any number of batches of one
 * key overlap, which is the queue on the row lock this exists to avoid, and it keeps a loader per key where this
 * forgets a key as soon as it is idle (keys here are tenants, as many as a process serves).
 */
export class Batcher<K, I, O> {
  private readonly keys = new Map<string, { queue: Waiting<I, O>[]; running: boolean }>();

  constructor(
    /** Runs one batch; its outputs are in the order of `inputs`, and a rejected one fails that input alone. */
    private readonly runBatch: (key: K, inputs: I[]) => Promise<(O | PromiseLike<O>)[]>,
    private readonly maxBatch: number,
  ) {}

  /** Runs `input` in a batch of `key` (named by `keyId`); resolves to its own output. */
  submit(keyId: string, key: K, input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      let entry = this.keys.get(keyId);
      if (!entry) this.keys.set(keyId, (entry = { queue: [], running: false }));
      entry.queue.push({ input, resolve, reject });
      if (!entry.running) this.drain(keyId, key, entry);
    });
  }

  private drain(keyId: string, key: K, entry: { queue: Waiting<I, O>[]; running: boolean }): void {
    const batch = entry.queue.splice(0, this.maxBatch);
    entry.running = batch.length > 0;
    if (!entry.running) {
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
