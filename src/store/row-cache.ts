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

interface Slot {
  epoch: number;
  value: Memory | Episode;
}

/**
 * Parsed memory and episode rows recently read by recall, an LRU bounded by row count
 * across users. Rows of a scope are valid for one store generation: this process's
 * commits move the scope to the next generation and drop only the rows they wrote; a
 * generation this process did not write (another process) drops the scope's rows. Access
 * bookkeeping (`touchMemories`) replaces cached rows. Callers get the cached (frozen) rows.
 *
 * @example
 * ```ts
 * const cache = new RowCache(10_000);
 * cache.sync("t\u0000u", gen);
 * const hit = cache.get("t\u0000u", "m:mem_1");
 * ```
 */
export class RowCache {
  readonly maxRows: number;
  /** "m:" / "e:" + id → row; insertion order = recency. */
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
  get<T extends Memory | Episode>(scope: string, key: string): T | undefined {
    const r = this.rows.get(key);
    const s = this.scopes.get(scope);
    if (!r || !s || r.scope !== scope || r.epoch !== s.epoch) return undefined;
    this.rows.delete(key);
    this.rows.set(key, r);
    return r.value as T;
  }

  /** Caches a row just read for the scope at its synced generation; the row is frozen (the cache owns it). */
  put(scope: string, key: string, value: Memory | Episode): void {
    const s = this.scopes.get(scope);
    if (!s || this.maxRows <= 0) return;
    this.rows.delete(key);
    this.rows.set(key, { scope, epoch: s.epoch, value: Object.freeze(value) });
    for (const k of this.rows.keys()) {
      if (this.rows.size <= this.maxRows) break;
      this.rows.delete(k);
    }
  }

  /**
   * A commit of this process: when the scope was at `before`, it moves to `after` and
   * only the written rows are dropped; otherwise every row of the scope is.
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
      const r = this.rows.get("m:" + id);
      if (!r || r.scope !== scope) continue;
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
