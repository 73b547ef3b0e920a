import { ApiError } from "./errors.js";

/**
 * Runs writes one at a time, in arrival order. The core engine interleaves at its `await`
 * points (embedding, model calls), so two writes to the same scope could otherwise both
 * see "no such message yet"; serialising them keeps message-id idempotency exact.
 * A write whose request already timed out (its signal aborted) is skipped, never started.
 *
 * @example
 * ```ts
 * const queue = new WriteQueue();
 * const result = await queue.run(() => mnemo.remember(messages, scope), signal);
 * ```
 */
export class WriteQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  /** Writes queued or running. */
  get size(): number {
    return this.pending;
  }

  /**
   * Runs `fn` after every write queued before it.
   *
   * @example
   * ```ts
   * await queue.run(async () => store.write());
   * ```
   */
  run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    this.pending++;
    const result = this.tail.then(() => {
      if (signal?.aborted) throw new ApiError("TIMEOUT", "The write was not started.");
      return fn();
    });
    const done = () => {
      this.pending--;
    };
    this.tail = result.then(done, done);
    return result;
  }
}
