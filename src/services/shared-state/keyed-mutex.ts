/**
 * One holder at a time per key, in this process. Waiters queue in arrival order. `acquire` and `release` are split
 * (rather than a `run(fn)`) because graphql-rate-limit's Store calls get… then set… as two separate methods.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly holders = new Map<string, () => void>();

  async acquire(key: string): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    await previous;
    this.holders.set(key, release);
  }

  release(key: string): void {
    const release = this.holders.get(key);
    this.holders.delete(key);
    release?.();
  }
}
