import type { Episode, Memory } from "../core/types.js";

/**
 * Default bound of the row cache: 20,000 parsed rows (memories and episodes) across every
 * user, about 20–30 MB.
 *
 * @example
 * ```ts
 * const rows = new RowCache(DEFAULT_ROW_CACHE_ROWS);
 * ```
 */
export const DEFAULT_ROW_CACHE_ROWS = 20_000;

/**
 * Which table a cached row is from: "m" memories, "e" episodes.
 *
 * @example
 * ```ts
 * cache.get("t\u0000u", "m", "mem_1");
 * ```
 */
export type RowKind = "m" | "e";

interface Slot {
  kind: RowKind;
  epoch: number;
  value: Memory | Episode;
  /** Read since it was cached or last passed over by eviction (CLOCK's reference bit). */
  used: boolean;
}

/**
 * Parsed memory and episode rows recently read by recall, bounded by row count across
 * users and evicted least recently used first (approximately: CLOCK, a read marks a row). Rows of a scope are valid for one store generation: this process's
 * commits move the scope to the next generation and drop only the rows they wrote; a
 * generation this process did not write (another process) drops the scope's rows. Access
 * bookkeeping (`touchMemories`) replaces cached rows. Callers get the cached (frozen) rows.
 *
 * @example
 * ```ts
 * const cache = new RowCache(10_000);
 * cache.sync("t\u0000u", gen);
 * const hit = cache.get("t\u0000u", "m", "mem_1");
 * ```
 */
export class RowCache {
  readonly maxRows: number;
  /** Id → row (keyed by the bare id: a lookup by a concatenated "m:" + id key cost ≈ 1.2 µs
   * in flattening and hashing, against 0.06 µs; a memory and an episode with the same id
   * only take each other's slot). Insertion order = recency. */
  private readonly rows = new Map<string, Slot & { scope: string }>();
  /** Scope → [generation the cached rows are valid for, epoch of valid rows]. */
  private readonly scopes = new Map<string, { generation: number; epoch: number }>();
  private epochs = 0;

  constructor(maxRows = DEFAULT_ROW_CACHE_ROWS) {
    this.maxRows = maxRows;
  }

  /** Rows held now. */
  get size(): number {
    return this.rows.size;
  }

  /** Declares the scope's current generation: rows cached for another one become invalid. */
  sync(scope: string, generation: number): void {
    const s = this.scopes.get(scope);
    if (!s || s.generation !== generation) this.scopes.set(scope, { generation, epoch: ++this.epochs });
  }

  /**
   * A cached row of the scope, or undefined. Rows are frozen when cached and handed out
   * as they are (no copy per read: a recall reads hundreds); a caller that needs to change
   * one spreads it first.
   */
  get<T extends Memory | Episode>(scope: string, kind: RowKind, id: string): T | undefined {
    const r = this.rows.get(id);
    if (!r || r.kind !== kind || r.scope !== scope) return undefined;
    const s = this.scopes.get(scope);
    if (!s || r.epoch !== s.epoch) return undefined;
    // A read only marks the row (CLOCK, an LRU approximation): moving it to the Map's end
    // on every read (delete + set) cost ≈ 2 ms per recall at 10K turns in rehashing.
    r.used = true;
    return r.value as T;
  }

  /** Caches a row just read for the scope at its synced generation; the row is frozen (the cache owns it). */
  put(scope: string, kind: RowKind, id: string, value: Memory | Episode): void {
    const s = this.scopes.get(scope);
    if (!s || this.maxRows <= 0) return;
    const key = id;
    this.rows.delete(key);
    this.rows.set(key, { kind, scope, epoch: s.epoch, value: Object.freeze(value), used: false });
    // Evict from the oldest: a row read since it was last passed over gets a second chance
    // (moved to the end, mark cleared); rows of an outdated generation go first.
    for (const [k, r] of this.rows) {
      if (this.rows.size <= this.maxRows) break;
      if (k === key) continue;
      this.rows.delete(k);
      const live = this.scopes.get(r.scope);
      if (r.used && live !== undefined && live.epoch === r.epoch) {
        r.used = false;
        this.rows.set(k, r);
      }
    }
  }

  /**
   * A commit of this process: when the scope was at `before`, it moves to `after` and
   * only the written rows (by id) are dropped; otherwise every row of the scope is.
   */
  committed(scope: string, before: number, after: number, written: string[]): void {
    const s = this.scopes.get(scope);
    if (!s) return;
    if (s.generation !== before) {
      this.scopes.delete(scope);
      return;
    }
    s.generation = after;
    for (const k of written) this.rows.delete(k);
  }

  /** Applies `touchMemories` to cached rows. */
  touch(scope: string, ids: string[], at: string, strengthGain: number): void {
    for (const id of ids) {
      const r = this.rows.get(id);
      if (!r || r.kind !== "m" || r.scope !== scope) continue;
      const m = r.value as Memory;
      r.value = Object.freeze({ ...m, accessCount: m.accessCount + 1, lastAccessedAt: at, strength: m.strength + strengthGain });
    }
  }

  /** Forgets one scope's rows (every scope's without an argument). */
  drop(scope?: string): void {
    if (scope === undefined) this.scopes.clear();
    else this.scopes.delete(scope);
  }
}
