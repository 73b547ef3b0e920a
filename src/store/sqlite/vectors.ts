import type Database from "better-sqlite3";
import { MnemoError } from "../../core/errors.js";
import type { ScopeKey, TargetType, VectorHit, VectorMatrix } from "../types.js";
import { byScoreThenId, type VectorCache } from "../vector-cache.js";
import type { Prepare } from "./search.js";


/**
 * The stored form of a vector (schema 6, issue 9): one Float32 scale (little-endian) then
 * one signed 8-bit code per component, `code = round(v / scale)` with `scale = max|v| / 127`
 * — the vector cache's own codes, so loading a table re-encodes nothing new and the cache's
 * scores are the stored vectors' scores. 4 + dim bytes instead of 4 × dim. Each component
 * reads back within `max|v| / 254` of what was written (half a step).
 *
 * @example
 * ```ts
 * const blob = encodeVector(new Float32Array([0.5, -1, 0])); // 7 bytes
 * decodeVector(blob); // Float32Array [0.5039…, -1, 0]
 * ```
 */
export function encodeVector(v: Float32Array): Buffer {
  let max = 0;
  for (let j = 0; j < v.length; j++) max = Math.max(max, Math.abs(v[j]!));
  // The cache's scale (src/store/vector-cache.ts); a scale below the smallest normal Float32
  // would round to 0 there: such vectors are stored as that smallest scale.
  const scale = max > 0 ? Math.max(max / 127, 1.1754943508222875e-38) : 1;
  const out = Buffer.allocUnsafe(4 + v.length);
  out.writeFloatLE(scale, 0);
  const codes = new Int8Array(out.buffer, out.byteOffset + 4, v.length);
  for (let j = 0; j < v.length; j++) codes[j] = Math.max(-127, Math.min(127, Math.round(v[j]! / scale)));
  return out;
}

/**
 * A stored vector (see {@link encodeVector}) as Float32 values.
 *
 * @example
 * ```ts
 * decodeVector(encodeVector(v)).length === v.length; // true
 * ```
 */
export function decodeVector(b: Buffer): Float32Array {
  const dim = b.length - 4;
  const out = new Float32Array(Math.max(0, dim));
  if (dim < 0) return out;
  const scale = b.readFloatLE(0);
  const codes = new Int8Array(b.buffer, b.byteOffset + 4, dim);
  for (let j = 0; j < dim; j++) out[j] = codes[j]! * scale;
  return out;
}

/**
 * The `vectors.target_type` code of each table (schema 6): an integer of no bytes (0, 1)
 * or one instead of the table's name in every row's key.
 *
 * @example
 * ```ts
 * stmt("SELECT data FROM vectors WHERE tenant = ? AND user_id = ? AND target_type = ?").all(t, u, TARGET_CODE.episode);
 * ```
 */
export const TARGET_CODE: Record<TargetType, number> = { memory: 0, episode: 1, segment: 2 };

/** A typed array's bytes as a Buffer (no copy). */
export function bytes(a: Int8Array | Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** A stored Float32 vector as a view of its blob (copied only when the blob is not 4-byte aligned). */
export function floats(b: Buffer): Float32Array {
  const a = b.byteOffset % 4 === 0 ? b : Buffer.from(b);
  return new Float32Array(a.buffer, a.byteOffset, a.byteLength / 4);
}

/** Cache key of a scope's vectors of one table ("" for every table of the scope). */
export function vectorKey(scope: ScopeKey, target: TargetType | ""): string {
  return `${scope.tenant}\u0000${scope.userId}\u0000${target}`;
}

/**
 * Writes the cached codes of large vector tables that are current (their scope's
 * generation has not moved) and not persisted yet. Best effort: a busy or read-only file
 * is left as it is (the next open loads the vectors instead).
 */
export function persistVectorSnapshots(db: Database.Database, stmt: Prepare, cache: VectorCache, minRows: number): void {
  const todo = cache.unpersisted(minRows);
  if (todo.length === 0) return;
  try {
    db.pragma("busy_timeout = 0");
    const gen = stmt(`SELECT gen FROM generations WHERE tenant = ? AND user_id = ?`);
    const put = stmt(`INSERT INTO vector_snapshots (tenant, user_id, target_type, gen, dim, ids, codes, scales) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(tenant, user_id, target_type) DO UPDATE SET gen = excluded.gen, dim = excluded.dim, ids = excluded.ids, codes = excluded.codes, scales = excluded.scales`);
    db.transaction(() => {
      for (const [key, snap] of todo) {
        const [tenant, userId, target] = key.split("\u0000") as [string, string, string];
        if (((gen.get(tenant, userId) as { gen: number } | undefined)?.gen ?? 0) !== snap.generation) continue;
        // Ids joined by NUL (no id holds one, or the table is not snapshotted): splitting is
        // several times faster than JSON.parse for the first search.
        if (snap.ids.some((id) => id.includes("\u0000"))) continue;
        put.run(tenant, userId, target, snap.generation, snap.dim, Buffer.from(snap.ids.join("\u0000"), "utf8"), bytes(snap.codes), bytes(snap.scales));
        cache.markPersisted(key, snap.generation);
      }
    }).immediate();
  } catch {
    // Best effort (SQLITE_BUSY, SQLITE_READONLY): the snapshot is only a cache.
  } finally {
    db.pragma("busy_timeout = 5000");
  }
}

/** Reads back a persisted snapshot of a vector table when it is valid for `generation`. */
export function restoreVectorSnapshot(stmt: Prepare, cache: VectorCache, scope: ScopeKey, target: TargetType, generation: number): void {
  const r = stmt(`SELECT dim, ids, codes, scales FROM vector_snapshots WHERE tenant = ? AND user_id = ? AND target_type = ? AND gen = ?`).get(scope.tenant, scope.userId, target, generation) as { dim: number; ids: Buffer; codes: Buffer; scales: Buffer } | undefined;
  if (!r || r.ids.length === 0) return;
  const scales = floats(r.scales);
  cache.restore(vectorKey(scope, target), {
    generation,
    dim: r.dim,
    ids: r.ids.toString("utf8").split("\u0000"),
    codes: new Int8Array(r.codes.buffer, r.codes.byteOffset, r.codes.byteLength),
    scales: scales.buffer === r.scales.buffer ? scales.slice() : scales,
  });
}

/**
 * Calls `sink` for every stored vector of one scope and table (one range of the clustered
 * table), decoded.
 *
 * @example
 * ```ts
 * eachVector(stmt, key, "episode", (id, v) => cache.put(id, v));
 * ```
 */
export function eachVector(stmt: Prepare, scope: ScopeKey, target: TargetType, sink: (id: string, v: Float32Array) => void): void {
  const rows = stmt(`SELECT target_id, data FROM vectors WHERE tenant = ? AND user_id = ? AND target_type = ?`).raw(true).iterate(scope.tenant, scope.userId, TARGET_CODE[target]) as Iterable<[string, Buffer]>;
  for (const r of rows) sink(r[0], decodeVector(r[1]));
}

/**
 * {@link Store.loadVectors} for SQLite: every vector of one scope and table, decoded, row-major.
 *
 * @example
 * ```ts
 * const { ids, dim, data } = loadVectors(stmt, key, "memory");
 * ```
 */
export function loadVectors(stmt: Prepare, scope: ScopeKey, target: TargetType): VectorMatrix {
  // The statement {@link eachVector} reads as arrays: set back to objects.
  const rows = stmt(`SELECT target_id, data FROM vectors WHERE tenant = ? AND user_id = ? AND target_type = ?`).raw(false).all(scope.tenant, scope.userId, TARGET_CODE[target]) as Array<{ target_id: string; data: Buffer }>;
  const dim = rows.length > 0 ? rows[0]!.data.length - 4 : 0;
  const data = new Float32Array(rows.length * dim);
  const ids: string[] = [];
  rows.forEach((r, i) => {
    if (r.data.length - 4 !== dim) throw new MnemoError("EMBEDDER_MISMATCH", `Vectors of dimension ${r.data.length - 4} and ${dim} are mixed.`);
    data.set(decodeVector(r.data), i * dim);
    ids.push(r.target_id);
  });
  return { ids, dim, data };
}

/**
 * Vector search over a table too small to be cached (fewer than `maxRows` rows): the
 * stored 8-bit codes are scored as they are read (score = scale · Σ code·q, the same score
 * the cache gives), so a small user costs one range read and no decoding. Returns null as
 * soon as the table reaches `maxRows` rows (the caller then loads it into the cache).
 *
 * @example
 * ```ts
 * const hits = scanSmallTable(stmt, key, "memory", query, 20, 1024) ?? (await cache.search(...));
 * ```
 */
export function scanSmallTable(stmt: Prepare, scope: ScopeKey, target: TargetType, q: Float32Array, k: number, maxRows: number): VectorHit[] | null {
  const rows = stmt(`SELECT target_id, data FROM vectors WHERE tenant = ? AND user_id = ? AND target_type = ?`).raw(true).iterate(scope.tenant, scope.userId, TARGET_CODE[target]) as IterableIterator<[string, Buffer]>;
  const hits: VectorHit[] = [];
  const dim = q.length;
  for (const [id, b] of rows) {
    if (hits.length >= maxRows) {
      rows.return?.();
      return null;
    }
    if (b.length - 4 !== dim) {
      rows.return?.();
      throw new MnemoError("EMBEDDER_MISMATCH", `The query vector has dimension ${dim}; stored vectors have ${b.length - 4}.`);
    }
    const scale = b.readFloatLE(0);
    const codes = new Int8Array(b.buffer, b.byteOffset + 4, dim);
    let s = 0;
    for (let j = 0; j < dim; j++) s += codes[j]! * q[j]!;
    hits.push({ id, score: s * scale });
  }
  if (k <= 0) return [];
  return hits.sort(byScoreThenId).slice(0, k);
}
