import type Database from "better-sqlite3";
import { MnemoError } from "../../core/errors.js";
import type { ScopeKey, TargetType, VectorHit, VectorMatrix } from "../types.js";
import { byScoreThenId, type CodeSource, type IdText, type VectorCache } from "../vector-cache.js";
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
 * Bytes per row of a persisted vector snapshot (schema 7). One 14 MB blob (a 100K-turn
 * user's episode codes, ids and scales) took ≈ 110 ms to read through SQLite's overflow
 * pages; the same bytes in 256 KiB rows take ≈ 10–30 ms (a throwaway benchmark on this
 * machine: one row 66–108 ms, 256 KiB rows 10–32 ms, 3.8 KB rows 42–116 ms).
 *
 * @example
 * ```ts
 * const parts = snapshotParts(encodeSnapshot(ids, codes, scales), SNAPSHOT_PART_BYTES);
 * ```
 */
export const SNAPSHOT_PART_BYTES = 256 * 1024;

/**
 * A vector table's cached state as one buffer: row count and id bytes (two u32, little-endian),
 * the scales (Float32), the ids joined by NUL (no id holds one, or the table is not
 * snapshotted: splitting is several times faster than JSON.parse), the 8-bit codes.
 *
 * @example
 * ```ts
 * const buf = encodeSnapshot(["m0", "m1"], new Int8Array(6), new Float32Array(2));
 * decodeSnapshotParts([buf], 3)?.ids.starts; // Uint32Array [0, 3]
 * ```
 */
export function encodeSnapshot(ids: string[], codes: Int8Array, scales: Float32Array): Buffer {
  const idBytes = Buffer.from(ids.join("\u0000"), "utf8");
  const head = Buffer.alloc(8);
  head.writeUInt32LE(ids.length, 0);
  head.writeUInt32LE(idBytes.length, 4);
  return Buffer.concat([head, bytes(scales), idBytes, bytes(codes)]);
}

/**
 * The buffer cut into rows of at most `partBytes` (at least one row).
 *
 * @example
 * ```ts
 * snapshotParts(Buffer.alloc(600_000), SNAPSHOT_PART_BYTES).length; // 3
 * ```
 */
export function snapshotParts(buf: Buffer, partBytes: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let at = 0; at < buf.length || parts.length === 0; at += partBytes) parts.push(buf.subarray(at, at + partBytes));
  return parts;
}

/**
 * Writes the cached codes of large vector tables that are current (their scope's
 * generation has not moved) and not persisted yet, as rows of {@link SNAPSHOT_PART_BYTES}.
 * Best effort: a busy or read-only file is left as it is (the next open loads the vectors
 * instead).
 */
export function persistVectorSnapshots(db: Database.Database, stmt: Prepare, cache: VectorCache, minRows: number, partBytes = SNAPSHOT_PART_BYTES): void {
  const todo = cache.unpersisted(minRows);
  if (todo.length === 0) return;
  try {
    db.pragma("busy_timeout = 0");
    const gen = stmt(`SELECT gen FROM generations WHERE tenant = ? AND user_id = ?`);
    const clear = stmt(`DELETE FROM vector_snapshots WHERE tenant = ? AND user_id = ? AND target_type = ?`);
    const put = stmt(`INSERT INTO vector_snapshots (tenant, user_id, target_type, part, gen, dim, data) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    db.transaction(() => {
      for (const [key, snap] of todo) {
        const [tenant, userId, target] = key.split("\u0000") as [string, string, string];
        if (((gen.get(tenant, userId) as { gen: number } | undefined)?.gen ?? 0) !== snap.generation) continue;
        if (snap.ids.length === 0 || snap.ids.some((id) => id.includes("\u0000"))) continue;
        clear.run(tenant, userId, target);
        snapshotParts(encodeSnapshot(snap.ids, snap.codes, snap.scales), partBytes).forEach((data, part) => put.run(tenant, userId, target, part, snap.generation, snap.dim, data));
        cache.markPersisted(key, snap.generation);
      }
    }).immediate();
  } catch {
    // Best effort (SQLITE_BUSY, SQLITE_READONLY): the snapshot is only a cache.
  } finally {
    db.pragma("busy_timeout = 5000");
  }
}

/** Reads back a persisted snapshot of a vector table when every row of it is valid for `generation`. */
export function restoreVectorSnapshot(stmt: Prepare, cache: VectorCache, scope: ScopeKey, target: TargetType, generation: number): void {
  const rows = stmt(`SELECT part, gen, dim, data FROM vector_snapshots WHERE tenant = ? AND user_id = ? AND target_type = ? ORDER BY part`)
    .raw(true)
    .all(scope.tenant, scope.userId, target) as Array<[number, number, number, Buffer]>;
  if (rows.length === 0 || !rows.every((r, i) => r[0] === i && r[1] === generation && r[2] === rows[0]![2])) return;
  const snap = decodeSnapshotParts(rows.map((r) => r[3]), rows[0]![2]);
  if (snap) cache.restore(vectorKey(scope, target), { generation, dim: rows[0]![2], ...snap });
}

/**
 * Reads back {@link encodeSnapshot}'s buffer from the rows of a snapshot, without joining them: ids and scales are
 * read from their byte ranges, the codes are copied once, by the cache, into the array it
 * keeps (WebAssembly memory for a large table). Null when the rows do not hold `n` ids, `n`
 * scales and `n × dim` codes.
 *
 * @example
 * ```ts
 * decodeSnapshotParts(snapshotParts(encodeSnapshot(ids, codes, scales), 16), dim)?.ids.starts; // where each id starts
 * ```
 */
export function decodeSnapshotParts(parts: Buffer[], dim: number): { ids: IdText; codes: CodeSource; scales: Float32Array } | null {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const range = (start: number, end: number): Buffer => {
    const out: Buffer[] = [];
    let at = 0;
    for (const p of parts) {
      const a = Math.max(start, at);
      const b = Math.min(end, at + p.length);
      if (a < b) out.push(p.subarray(a - at, b - at));
      at += p.length;
      if (at >= end) break;
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  };
  if (total < 8) return null;
  const head = range(0, 8);
  const n = head.readUInt32LE(0);
  const idLen = head.readUInt32LE(4);
  const at = 8 + 4 * n;
  const codesAt = at + idLen;
  if (n === 0 || total !== codesAt + n * dim) return null;
  // Where each id starts (one pass of indexOf); the ids are cut out only as searches need them.
  const text = range(at, codesAt).toString("utf8");
  const starts = new Uint32Array(n);
  let k = 1;
  for (let i = text.indexOf("\u0000"); i >= 0; i = text.indexOf("\u0000", i + 1)) {
    if (k >= n) return null;
    starts[k++] = i + 1;
  }
  if (k !== n) return null;
  const ids: IdText = { text, starts, length: n };
  const sc = range(8, at);
  const scales = floats(sc);
  const copyInto = (dest: Int8Array): void => {
    let off = 0;
    for (const p of parts) {
      const a = Math.max(codesAt, off);
      const b = Math.min(total, off + p.length);
      if (a < b) dest.set(new Int8Array(p.buffer, p.byteOffset + (a - off), b - a), a - codesAt);
      off += p.length;
    }
  };
  return { ids, codes: { length: n * dim, copyInto }, scales: scales.buffer === sc.buffer ? scales.slice() : scales };
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
