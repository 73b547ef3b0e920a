/**
 * Per-key token buckets: each key holds up to `burst` tokens, refilled at `rate` per
 * second; a request takes one. When empty, {@link RateLimiter.take} says how long to wait.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter({ rate: 50, burst: 100 });
 * const r = limiter.take("key-id");
 * if (!r.ok) console.log(`retry after ${r.retryAfterSeconds}s`);
 * ```
 */
export class RateLimiter {
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: { rate: number; burst?: number | undefined; now?: (() => number) | undefined }) {
    if (!(options.rate > 0)) throw new RangeError("rate must be > 0");
    this.rate = options.rate;
    this.burst = Math.max(1, options.burst ?? Math.ceil(options.rate * 2));
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Takes one token for `key`.
   *
   * @example
   * ```ts
   * limiter.take("k1").ok; // true until the bucket is empty
   * ```
   */
  take(key: string): { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number } {
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 100_000) this.buckets.clear();
      b = { tokens: this.burst, at: t };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.rate);
    b.at = t;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, remaining: Math.floor(b.tokens) };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.rate)) };
  }
}
