/**
 * Tracks in-flight requests and background work (writes that outlive a timed-out
 * request) so that graceful shutdown can wait for them.
 *
 * @example
 * ```ts
 * const life = new Lifecycle();
 * life.track(doWork());
 * life.draining = true;
 * await life.drain(10_000); // true when everything finished in time
 * ```
 */
export class Lifecycle {
  /** Set when shutdown begins: new API requests get 503. */
  draining = false;
  private readonly pending = new Set<Promise<unknown>>();
  private waiters: Array<() => void> = [];

  /** Number of requests and writes still running. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Tracks a promise until it settles; returns it unchanged.
   *
   * @example
   * ```ts
   * const result = await life.track(handle(request));
   * ```
   */
  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    const done = () => {
      this.pending.delete(p);
      if (this.pending.size === 0) {
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
      }
    };
    p.then(done, done);
    return p;
  }

  /**
   * Waits until nothing is in flight, or `timeoutMs` passes. Returns true when idle.
   *
   * @example
   * ```ts
   * if (!(await life.drain(5000))) console.warn("gave up waiting");
   * ```
   */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.pending.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref?.();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
