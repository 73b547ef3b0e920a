import { MnemoError } from "../core/errors.js";
import { HnswIndex } from "../recall/vector/hnsw.js";
import { ScoreHeap } from "../recall/vector/exact.js";
import type { VectorHit } from "./types.js";

/**
 * Default bound of the vector cache: 128 MiB across every scope (about 330,000 100-d
 * vectors). Override with the store's `cacheBytes` option or `MNEMO_CACHE_MB`.
 *
 * @example
 * ```ts
 * const cache = new VectorCache({ maxBytes: DEFAULT_CACHE_BYTES });
 * ```
 */
export const DEFAULT_CACHE_BYTES = 128 * 1024 * 1024;

/**
 * Vectors per scope and table from which an HNSW graph is kept beside the exact matrix
 * (its hits are re-scored exactly). Below it a query is an exact scan: 100-d vectors
 * scan at about 1 ms per 10,000.
 *
 * @example
 * ```ts
 * const useAnn = entry.size >= ANN_MIN_VECTORS; // 200,000
 * ```
 */
export const ANN_MIN_VECTORS = 200_000;

/** The cached vectors of one scope and table: a growable row-major matrix. */
class Entry {
  generation: number;
  dim: number;
  size = 0;
  data: Float32Array;
  ids: string[] = [];
  readonly pos = new Map<string, number>();
  ann: HnswIndex | null = null;

  constructor(generation: number, dim: number, capacity: number) {
    this.generation = generation;
    this.dim = dim;
    this.data = new Float32Array(Math.max(16, capacity) * Math.max(1, dim));
  }

  /** Approximate heap bytes: the matrix, the ids and the position map (and the graph). */
  get bytes(): number {
    return this.data.byteLength + this.size * 120 + (this.ann ? this.size * (this.dim * 4 + 200) : 0);
  }

  put(id: string, v: Float32Array): void {
    if (this.size === 0 && this.dim === 0) {
      this.dim = v.length;
      this.data = new Float32Array(16 * v.length);
    }
    if (v.length !== this.dim) throw new MnemoError("EMBEDDER_MISMATCH", `Vectors of dimension ${v.length} and ${this.dim} are mixed.`);
    const at = this.pos.get(id);
    if (at !== undefined) {
      this.data.set(v, at * this.dim);
      return;
    }
    if ((this.size + 1) * this.dim > this.data.length) {
      const grown = new Float32Array(Math.max(this.data.length * 2, (this.size + 1) * this.dim));
      grown.set(this.data.subarray(0, this.size * this.dim));
      this.data = grown;
    }
    this.data.set(v, this.size * this.dim);
    this.pos.set(id, this.size);
    this.ids.push(id);
    this.size++;
    this.ann?.add([id], [v]);
  }

  search(q: Float32Array, k: number, annMin: number): VectorHit[] {
    if (this.size === 0 || k <= 0) return [];
    if (q.length !== this.dim) throw new MnemoError("EMBEDDER_MISMATCH", `The query vector has dimension ${q.length}; stored vectors have ${this.dim}.`);
    const d = this.dim;
    const data = this.data;
    if (this.size >= annMin) {
      if (!this.ann) {
        this.ann = new HnswIndex(d, { initialCapacity: this.size });
        for (let i = 0; i < this.size; i++) this.ann.add([this.ids[i]!], [data.subarray(i * d, (i + 1) * d)]);
      }
      // Graph candidates, re-scored against the current vectors (an updated row keeps its old place in the graph).
      const cands = this.ann.search(q, Math.max(k * 2, 64));
      return cands
        .map((h) => {
          const p = this.pos.get(h.id)!;
          let s = 0;
          for (let j = 0; j < d; j++) s += data[p * d + j]! * q[j]!;
          return { id: h.id, score: s };
        })
        .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
        .slice(0, k);
    }
    const heap = new ScoreHeap("min");
    for (let i = 0; i < this.size; i++) {
      let s = 0;
      const o = i * d;
      for (let j = 0; j < d; j++) s += data[o + j]! * q[j]!;
      if (heap.size < k) heap.push(i, s);
      else if (s > heap.topScore()) heap.replaceTop(i, s);
    }
    const { ids, scores } = heap.drain();
    const out: VectorHit[] = [];
    for (let i = ids.length - 1; i >= 0; i--) out.push({ id: this.ids[ids[i]!]!, score: scores[i]! });
    return out;
  }
}

/**
 * Options of {@link VectorCache}.
 *
 * @example
 * ```ts
 * const o: VectorCacheOptions = { maxBytes: 64 * 1024 * 1024 };
 * ```
 */
export interface VectorCacheOptions {
  /** Bound on the cached bytes across every scope (default {@link DEFAULT_CACHE_BYTES}). */
  maxBytes?: number | undefined;
  /** Vectors per scope and table from which an ANN graph is used (default {@link ANN_MIN_VECTORS}). */
  annMin?: number | undefined;
}

/**
 * The vectors of recently searched scopes, in memory, bounded by bytes across scopes
 * (least recently used scope evicted first). An entry is valid for one store generation;
 * the store's own commits add their rows to it (no reload), and a commit by another
 * process (a generation it did not see) makes the next search reload that scope.
 *
 * @example
 * ```ts
 * const cache = new VectorCache({ maxBytes: 32 * 1024 * 1024 });
 * const hits = await cache.search("t\u0000u\u0000episode", gen, () => loadAll(), query, 60);
 * ```
 */
export class VectorCache {
  readonly maxBytes: number;
  readonly annMin: number;
  /** Insertion order = recency (a hit re-inserts). */
  private readonly entries = new Map<string, Entry>();
  /** Sum of the entries' bytes, as last measured. */
  private total = 0;
  private readonly counted = new Map<string, number>();

  constructor(options: VectorCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_CACHE_BYTES;
    this.annMin = options.annMin ?? ANN_MIN_VECTORS;
  }

  /** Bytes held now (approximate). */
  get bytes(): number {
    return this.total;
  }

  /** Number of cached scope tables. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The `k` nearest vectors of a cached table, loading it with `load` when it is missing
   * or older than `generation`. A table larger than the bound is searched and not kept.
   */
  async search(
    key: string,
    generation: number,
    load: () => Promise<{ ids: string[]; dim: number; data: Float32Array }>,
    q: Float32Array,
    k: number,
  ): Promise<VectorHit[]> {
    let e = this.entries.get(key);
    if (e && e.generation !== generation) (this.remove(key), (e = undefined));
    if (!e) {
      const m = await load();
      e = new Entry(generation, m.dim, m.ids.length);
      for (let i = 0; i < m.ids.length; i++) e.put(m.ids[i]!, m.data.subarray(i * m.dim, (i + 1) * m.dim));
    } else this.remove(key);
    const hits = e.search(q, k, this.annMin);
    if (e.bytes <= this.maxBytes) {
      this.entries.set(key, e);
      this.recount(key, e);
    }
    return hits;
  }

  /**
   * Applies a commit's vectors to a cached table: kept (and advanced to `after`) when it
   * held generation `before`, dropped otherwise.
   */
  apply(key: string, before: number, after: number, rows: Array<{ id: string; vector: Float32Array }>): void {
    const e = this.entries.get(key);
    if (!e) return;
    if (e.generation !== before) {
      this.remove(key);
      return;
    }
    try {
      for (const r of rows) e.put(r.id, r.vector);
      e.generation = after;
      this.recount(key, e);
    } catch {
      this.remove(key);
    }
  }

  /** Moves a cached table to a new generation without changes (a commit without vectors for it). */
  advance(key: string, before: number, after: number): void {
    this.apply(key, before, after, []);
  }

  /** Drops every table whose key starts with `prefix` (everything without one). */
  drop(prefix = ""): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.remove(k);
  }

  private remove(key: string): void {
    this.total -= this.counted.get(key) ?? 0;
    this.counted.delete(key);
    this.entries.delete(key);
  }

  /** Re-measures one entry, then evicts the least recently used until under the bound. */
  private recount(key: string, e: Entry): void {
    const b = e.bytes;
    this.total += b - (this.counted.get(key) ?? 0);
    this.counted.set(key, b);
    for (const k of this.entries.keys()) {
      if (this.total <= this.maxBytes) break;
      if (k === key) continue;
      this.remove(k);
    }
  }
}
