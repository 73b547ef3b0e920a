import { MnemoError } from "../core/errors.js";
import { HnswIndex } from "../recall/vector/hnsw.js";
import { ScoreHeap } from "../recall/vector/exact.js";
import { Int8Matrix } from "../recall/vector/int8-dots.js";
import type { VectorHit } from "./types.js";

/**
 * Default bound of the vector cache: 128 MiB across every scope (about 580,000 100-d
 * vectors as 8-bit codes). Override with the store's `cacheBytes` option or `MNEMO_CACHE_MB`.
 *
 * @example
 * ```ts
 * const cache = new VectorCache({ maxBytes: DEFAULT_CACHE_BYTES });
 * ```
 */
export const DEFAULT_CACHE_BYTES = 128 * 1024 * 1024;

/**
 * Vectors per scope and table from which an HNSW graph is kept beside the exact matrix
 * (its hits are re-scored exactly). Below it a query scans the 8-bit codes: 100-d
 * vectors at about 1 ms per 10,000, while the pure-TypeScript HNSW takes minutes to build
 * at that size (docs/BENCHMARKS.md, "Vector search"), so the graph is for larger tables.
 *
 * @example
 * ```ts
 * const useAnn = entry.size >= ANN_MIN_VECTORS; // 1,000,000
 * ```
 */
export const ANN_MIN_VECTORS = 1_000_000;

/**
 * How many approximate (int8) hits per asked one are re-scored against the stored
 * Float32 vectors: the cache ranks with 8-bit codes, the answer's order and scores are exact.
 *
 * @example
 * ```ts
 * const shortlist = k * RESCORE_FACTOR + 16; // k = 180 → 376 rows re-scored exactly
 * ```
 */
export const RESCORE_FACTOR = 2;

/**
 * Rows of a cached table from which its codes move into WebAssembly memory and are scanned
 * with SIMD ({@link Int8Matrix}: about 1 ms per 100,000 100-d rows instead of 10–40 ms in
 * JavaScript). Smaller tables are scanned in JavaScript (no 64 KiB memory per small scope).
 *
 * @example
 * ```ts
 * const simd = entry.size >= SIMD_MIN_ROWS; // 2,048
 * ```
 */
export const SIMD_MIN_ROWS = 2048;

/**
 * Rows of a table from which it is kept in the cache. A smaller table (a user with a few
 * hundred memories) is read from the store at each search — one range of the clustered
 * vectors table, about as fast as the cache for such a table — so that a server recalling
 * thousands of small users does not fill its memory with their vectors (issue 9: RSS after
 * recalling 10,000 users).
 *
 * @example
 * ```ts
 * const keep = table.size >= CACHE_MIN_ROWS; // 1,024
 * ```
 */
export const CACHE_MIN_ROWS = 1024;

/**
 * The cached vectors of one scope and table: a growable row-major matrix of 8-bit codes
 * (one scale per row: a quarter of Float32's memory), with an id → row map.
 */
class Entry {
  generation: number;
  dim: number;
  size = 0;
  codes: Int8Array;
  scales: Float32Array;
  private idList: string[] | null = [];
  /** Ids read back from a snapshot and not split yet: searches only need the hits' ids. */
  private idText: IdText | null = null;

  /** Every id, by row (splits a snapshot's ids on first use). */
  get ids(): string[] {
    if (!this.idList) {
      this.idList = this.idText!.text.split("\u0000");
      this.idText = null;
    }
    return this.idList;
  }

  /** The id of one row, without splitting a snapshot's ids. */
  idAt(row: number): string {
    if (this.idList) return this.idList[row]!;
    const { text, starts } = this.idText!;
    return text.slice(starts[row]!, row + 1 < starts.length ? starts[row + 1]! - 1 : text.length);
  }
  /** id → row, built on first use (a table read back from a snapshot may only be searched). */
  private posMap: Map<string, number> | null = new Map<string, number>();

  get pos(): Map<string, number> {
    if (!this.posMap) {
      this.posMap = new Map<string, number>();
      for (let i = 0; i < this.size; i++) this.posMap.set(this.ids[i]!, i);
    }
    return this.posMap;
  }

  /**
   * Installs rows read back from a snapshot (the id map is built when first needed). Codes
   * given as a source are copied once, straight into WebAssembly memory for a table the
   * SIMD scan will search (no intermediate array).
   */
  adopt(ids: string[] | IdText, codes: Int8Array | CodeSource, scales: Float32Array): void {
    if (Array.isArray(ids)) (this.idList = ids), (this.idText = null);
    else (this.idList = null), (this.idText = ids);
    this.scales = scales;
    this.size = ids.length;
    this.posMap = null;
    if (codes instanceof Int8Array) this.codes = codes;
    else {
      const mat = this.size >= SIMD_MIN_ROWS ? Int8Matrix.create(this.dim, this.size) : null;
      if (mat) (this.mat = mat), (this.codes = mat.codes);
      else this.codes = new Int8Array(codes.length);
      codes.copyInto(this.codes);
    }
  }
  ann: HnswIndex | null = null;
  /** The codes in WebAssembly memory (`codes` is then its view), from {@link SIMD_MIN_ROWS} rows. */
  private mat: Int8Matrix | null = null;
  /** The last SIMD scan: its query (a copy), the rows it covered and their integer scores. */
  private scanQ: Float32Array | null = null;
  private scanRows = 0;
  private scanDots: Int32Array | null = null;
  /** The generation last persisted as a snapshot (or read from one), -1 when none. */
  persisted = -1;

  constructor(generation: number, dim: number, capacity: number) {
    this.generation = generation;
    this.dim = dim;
    const cap = Math.max(16, capacity);
    this.codes = new Int8Array(cap * Math.max(1, dim));
    this.scales = new Float32Array(cap);
  }

  /** Approximate heap bytes: codes, scales, ids and the position map (and the graph). */
  get bytes(): number {
    return (this.mat ? this.mat.bytes : this.codes.byteLength) + this.scales.byteLength + this.size * 120 + (this.ann ? this.size * (this.dim * 4 + 200) : 0);
  }

  private encode(row: number, v: Float32Array): void {
    let max = 0;
    for (let j = 0; j < v.length; j++) max = Math.max(max, Math.abs(v[j]!));
    const scale = max > 0 ? max / 127 : 1;
    const o = row * this.dim;
    for (let j = 0; j < v.length; j++) this.codes[o + j] = Math.round(v[j]! / scale);
    this.scales[row] = scale;
    this.scanQ = null;
  }

  /** The row's vector as the codes hold it. */
  decode(row: number): Float32Array {
    const out = new Float32Array(this.dim);
    const o = row * this.dim;
    const scale = this.scales[row]!;
    for (let j = 0; j < this.dim; j++) out[j] = this.codes[o + j]! * scale;
    return out;
  }

  put(id: string, v: Float32Array): void {
    if (this.size === 0 && this.dim === 0) {
      this.dim = v.length;
      this.codes = new Int8Array(16 * v.length);
    }
    if (v.length !== this.dim) throw new MnemoError("EMBEDDER_MISMATCH", `Vectors of dimension ${v.length} and ${this.dim} are mixed.`);
    const at = this.pos.get(id);
    if (at !== undefined) {
      this.encode(at, v);
      return;
    }
    if ((this.size + 1) * this.dim > this.codes.length || this.size + 1 > this.scales.length) {
      const rows = Math.max(this.scales.length * 2, this.size + 1);
      if (this.mat) {
        this.mat.reserve(rows);
        this.codes = this.mat.codes;
        this.scanQ = null;
      } else {
        const codes = new Int8Array(rows * this.dim);
        codes.set(this.codes.subarray(0, this.size * this.dim));
        this.codes = codes;
      }
      const scales = new Float32Array(rows);
      scales.set(this.scales.subarray(0, this.size));
      this.scales = scales;
    }
    this.encode(this.size, v);
    this.pos.set(id, this.size);
    this.ids.push(id);
    this.size++;
    this.ann?.add([id], [v]);
  }

  /**
   * The `n` best rows by the 8-bit codes (approximate cosine), best first, with their row
   * (-1 from the graph), so that re-scoring needs no id → row map.
   */
  shortlist(q: Float32Array, n: number, annMin: number, simdMin = SIMD_MIN_ROWS): RowHit[] {
    if (this.size === 0 || n <= 0) return [];
    if (q.length !== this.dim) throw new MnemoError("EMBEDDER_MISMATCH", `The query vector has dimension ${q.length}; stored vectors have ${this.dim}.`);
    const d = this.dim;
    if (this.size >= annMin) {
      if (!this.ann) {
        this.ann = new HnswIndex(d, { initialCapacity: this.size });
        for (let i = 0; i < this.size; i++) this.ann.add([this.ids[i]!], [this.decode(i)]);
      }
      // An updated row keeps its old place in the graph; the exact re-score uses its new vector.
      return this.ann.search(q, Math.max(n, 64)).map((h) => ({ ...h, row: -1 }));
    }
    if (this.size >= simdMin) {
      if (!this.mat) this.toSimd();
      if (this.mat) return this.simdShortlist(q, n);
    }
    const codes = this.codes;
    const heap = new ScoreHeap("min");
    for (let i = 0; i < this.size; i++) {
      let s = 0;
      const o = i * d;
      for (let j = 0; j < d; j++) s += codes[o + j]! * q[j]!;
      s *= this.scales[i]!;
      if (heap.size < n) heap.push(i, s);
      else if (s > heap.topScore()) heap.replaceTop(i, s);
    }
    const { ids, scores } = heap.drain();
    const out: RowHit[] = [];
    for (let i = ids.length - 1; i >= 0; i--) out.push({ id: this.idAt(ids[i]!), score: scores[i]!, row: ids[i]! });
    return out;
  }

  /** Moves the codes into WebAssembly memory (stays in JavaScript where SIMD is unavailable). */
  private toSimd(): void {
    const mat = Int8Matrix.create(this.dim, Math.max(this.size, this.scales.length));
    if (!mat) return;
    mat.codes.set(this.codes.subarray(0, this.size * this.dim));
    this.mat = mat;
    this.codes = mat.codes;
  }

  /**
   * The SIMD scan: integer dot products of every row, then the best `n` by dot × row scale.
   * The same query asked again (the dense channel's second, deeper ask) reuses the last
   * scan's scores while no row changed.
   */
  private simdShortlist(q: Float32Array, n: number): RowHit[] {
    const mat = this.mat!;
    let dots = this.scanDots;
    const same = this.scanQ !== null && this.scanRows === this.size && dots !== null && dots.length === this.size && sameVector(this.scanQ, q);
    if (!same) {
      dots = mat.dots(q, this.size);
      this.scanQ = Float32Array.from(q);
      this.scanRows = this.size;
      this.scanDots = dots;
    }
    const d = dots!;
    const scales = this.scales;
    const heap = new ScoreHeap("min");
    for (let i = 0; i < this.size; i++) {
      const s = d[i]! * scales[i]!;
      if (heap.size < n) heap.push(i, s);
      else if (s > heap.topScore()) heap.replaceTop(i, s);
    }
    const { ids, scores } = heap.drain();
    const qs = this.scanQs;
    const out: RowHit[] = [];
    for (let i = ids.length - 1; i >= 0; i--) out.push({ id: this.idAt(ids[i]!), score: scores[i]! * qs, row: ids[i]! });
    return out;
  }

  private get scanQs(): number {
    return this.mat?.queryScale ?? 1;
  }
}

/** A shortlisted row: its id, approximate score and row in the matrix (-1 when unknown). */
interface RowHit extends VectorHit {
  row: number;
}

function sameVector(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/**
 * Codes that are somewhere else (a snapshot's rows), copied once into the array the cache
 * keeps.
 *
 * @example
 * ```ts
 * const src: CodeSource = { length: 6, copyInto: (dest) => dest.set(parts[0]!) };
 * ```
 */
export interface CodeSource {
  length: number;
  copyInto(dest: Int8Array): void;
}

/**
 * A snapshot's ids as stored: joined by NUL, with where each starts (splitting 100,000 ids
 * cost 25–50 ms at the first search, which only needs the hits').
 *
 * @example
 * ```ts
 * const ids: IdText = { text: "m0\u0000m1", starts: Uint32Array.from([0, 3]), length: 2 };
 * ```
 */
export interface IdText {
  text: string;
  starts: Uint32Array;
  length: number;
}

/**
 * A cached table as plain arrays: what {@link VectorCache.snapshot} hands out to be
 * persisted and {@link VectorCache.restore} takes back (valid for one store generation).
 *
 * @example
 * ```ts
 * const snap: VectorSnapshot = { generation: 7, dim: 2, ids: ["m1"], codes: new Int8Array([76, 102]), scales: new Float32Array([0.0063]) };
 * ```
 */
export interface VectorSnapshot {
  generation: number;
  dim: number;
  ids: string[] | IdText;
  /** Row-major 8-bit codes, ids.length × dim (or where to copy them from). */
  codes: Int8Array | CodeSource;
  /** One scale per row. */
  scales: Float32Array;
}

/**
 * The order of vector hits: best score first, ties by id (the cache and the SQLite store's small-table scan).
 *
 * @example
 * ```ts
 * hits.sort(byScoreThenId);
 * ```
 */
export function byScoreThenId(a: VectorHit, b: VectorHit): number {
  return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Exact cosine of stored vectors against the query, best first, ties by id. */
function rescore(hits: readonly VectorHit[], exact: Map<string, Float32Array>, q: Float32Array, k: number): VectorHit[] {
  const out: VectorHit[] = [];
  for (const h of hits) {
    const v = exact.get(h.id);
    if (!v) continue;
    let s = 0;
    for (let j = 0; j < q.length; j++) s += v[j]! * q[j]!;
    out.push({ id: h.id, score: s });
  }
  return out.sort(byScoreThenId).slice(0, k);
}

/**
 * A table's vectors as a loader hands them to the cache: streamed, so a cold load never
 * holds a second Float32 copy of the table.
 *
 * @example
 * ```ts
 * const rows: VectorRows = { count: 1, dim: 2, each: (sink) => sink("mem_1", new Float32Array([0.6, 0.8])) };
 * ```
 */
export interface VectorRows {
  count: number;
  dim: number;
  /** Calls `sink` for every row, synchronously (a SQLite cursor stays open only meanwhile). */
  each: (sink: (id: string, vector: Float32Array) => void) => void;
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
  /** Vectors per scope and table from which the scan runs in WebAssembly SIMD (default {@link SIMD_MIN_ROWS}). */
  simdMin?: number | undefined;
  /** Vectors per scope and table from which a table is kept (default {@link CACHE_MIN_ROWS}; smaller ones are read at each search). */
  minRows?: number | undefined;
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
 * const hits = await cache.search("t\u0000u\u0000episode", gen, async () => ({ count: 0, dim: 100, each: () => {} }), query, 60);
 * ```
 */
export class VectorCache {
  readonly maxBytes: number;
  readonly annMin: number;
  readonly simdMin: number;
  readonly minRows: number;
  /** Insertion order = recency (a hit re-inserts). */
  private readonly entries = new Map<string, Entry>();
  /** Sum of the entries' bytes, as last measured. */
  private total = 0;
  private readonly counted = new Map<string, number>();

  constructor(options: VectorCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_CACHE_BYTES;
    this.annMin = options.annMin ?? ANN_MIN_VECTORS;
    this.simdMin = options.simdMin ?? SIMD_MIN_ROWS;
    this.minRows = options.minRows ?? CACHE_MIN_ROWS;
  }

  /** How many tables were loaded from the store so far (a write by this process adds none). */
  loads = 0;

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
   * or older than `generation`. A table larger than the bound, or smaller than `minRows`,
   * is searched and not kept.
   * The cache ranks by 8-bit codes; `exact` reads the stored vectors of the shortlist
   * ({@link RESCORE_FACTOR} · k + 16 rows), which give the final order and scores.
   */
  async search(
    key: string,
    generation: number,
    load: () => Promise<VectorRows>,
    q: Float32Array,
    k: number,
    exact?: (ids: string[]) => Promise<Map<string, Float32Array>>,
  ): Promise<VectorHit[]> {
    let e = this.entries.get(key);
    if (e && e.generation !== generation) (this.remove(key), (e = undefined));
    if (!e) {
      const m = await load();
      this.loads++;
      e = new Entry(generation, m.dim, m.count);
      const fresh = e;
      m.each((id, v) => fresh.put(id, v));
    } else this.remove(key);
    if (k <= 0) return [];
    const short = e.shortlist(q, k * RESCORE_FACTOR + 16, this.annMin, this.simdMin);
    if (e.bytes <= this.maxBytes && e.size >= this.minRows) {
      this.entries.set(key, e);
      this.recount(key, e);
    }
    if (exact) return rescore(short, await exact(short.map((h) => h.id)), q, k);
    return rescore(short, new Map(short.map((h) => [h.id, e.decode(h.row >= 0 ? h.row : e.pos.get(h.id)!)])), q, k);
  }

  /** Whether the table is cached for `generation`. */
  has(key: string, generation: number): boolean {
    return this.entries.get(key)?.generation === generation;
  }

  /**
   * The cached tables not yet persisted at their generation, with at least `minRows` rows,
   * as snapshots (copies of the codes), keyed as cached.
   */
  unpersisted(minRows: number): Array<[string, VectorSnapshot & { ids: string[]; codes: Int8Array }]> {
    const out: Array<[string, VectorSnapshot & { ids: string[]; codes: Int8Array }]> = [];
    for (const [key, e] of this.entries) {
      if (e.size < minRows || e.persisted === e.generation || e.ann) continue;
      out.push([key, { generation: e.generation, dim: e.dim, ids: e.ids.slice(0, e.size), codes: e.codes.slice(0, e.size * e.dim), scales: e.scales.slice(0, e.size) }]);
    }
    return out;
  }

  /** Marks a cached table as persisted at `generation`. */
  markPersisted(key: string, generation: number): void {
    const e = this.entries.get(key);
    if (e && e.generation === generation) e.persisted = generation;
  }

  /**
   * Installs a table read back from a snapshot (no re-encoding), valid for its generation,
   * unless it is larger than the bound.
   */
  restore(key: string, snap: VectorSnapshot): void {
    const n = snap.ids.length;
    if (snap.codes.length !== n * snap.dim || snap.scales.length !== n) return;
    const e = new Entry(snap.generation, snap.dim, 0);
    e.adopt(snap.ids, snap.codes, snap.scales);
    e.persisted = snap.generation;
    this.loads++;
    if (e.bytes > this.maxBytes) return;
    this.remove(key);
    this.entries.set(key, e);
    this.recount(key, e);
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
