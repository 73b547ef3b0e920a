import { ApiError } from "./errors.js";

/**
 * Runs writes in arrival order per user: writes to one user (one key) run one at a time,
 * writes to different users overlap (on PostgreSQL they wait on the database, not on each
 * other; each store serialises its own commits). The core engine interleaves at its
 * `await` points (embedding, model calls), so two writes to the same scope could otherwise
 * both see "no such message yet"; serialising them keeps message-id idempotency exact.
 * A write without a key (its user is not known up front) is a barrier: it waits for every
 * write queued before it, and every later write waits for it.
 * A write whose request already timed out (its signal aborted) is skipped, never started.
 *
 * @example
 * ```ts
 * const queue = new WriteQueue();
 * const result = await queue.run(() => mnemo.remember(messages, scope), signal, "acme\u0000alice");
 * ```
 */
export class WriteQueue {
  /** The last keyless write (a barrier). */
  private barrier: Promise<void> = Promise.resolve();
  /** Per key, the last write queued. */
  private readonly tails = new Map<string, Promise<void>>();
  private pending = 0;

  /** Writes queued or running. */
  get size(): number {
    return this.pending;
  }

  /**
   * Runs `fn` after every write of the same key (or, without a key, after every write)
   * queued before it.
   *
   * @example
   * ```ts
   * await queue.run(async () => store.write(), signal, "tenant\u0000user");
   * ```
   */
  run<T>(fn: () => Promise<T>, signal?: AbortSignal, key?: string): Promise<T> {
    this.pending++;
    const after = key === undefined ? Promise.all([this.barrier, ...this.tails.values()]) : Promise.all([this.barrier, this.tails.get(key)]);
    const result = after.then(() => {
      if (signal?.aborted) throw new ApiError("TIMEOUT", "The write was not started.");
      return fn();
    });
    const done = () => {
      this.pending--;
    };
    const tail = result.then(done, done);
    if (key === undefined) {
      this.barrier = tail;
      this.tails.clear();
    } else {
      this.tails.set(key, tail);
      void tail.then(() => {
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
    }
    return result;
  }
}
