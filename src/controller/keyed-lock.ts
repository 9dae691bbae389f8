/**
 * Serialises async work per key (libnetwork's networkLocker): work for one key runs one at a
 * time, in arrival order; different keys run concurrently.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every earlier holder of each key in `keys` is done. Keys are taken in sorted order. */
  async with<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)].sort();
    const previous = unique.map((key) => this.#tails.get(key) ?? Promise.resolve());
    const run = Promise.allSettled(previous).then(work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    for (const key of unique) this.#tails.set(key, tail);
    try {
      return await run;
    } finally {
      for (const key of unique) if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
