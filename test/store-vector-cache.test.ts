import { describe, expect, it } from "vitest";
import { CACHE_MIN_ROWS, VectorCache, type VectorRows } from "../src/store/vector-cache.js";

const unit = (xs: number[]) => {
  const n = Math.hypot(...xs);
  return new Float32Array(xs.map((x) => x / n));
};

function matrix(n: number, dim: number) {
  const ids = Array.from({ length: n }, (_, i) => `v${i}`);
  const data = new Float32Array(n * dim);
  // Pseudo-random components (a sine hash), so rows are not near-copies of each other.
  const rnd = (i: number, j: number) => {
    const x = Math.sin(i * 12.9898 + j * 78.233) * 43758.5453;
    return x - Math.floor(x) - 0.5;
  };
  for (let i = 0; i < n; i++) data.set(unit(Array.from({ length: dim }, (_, j) => rnd(i, j))), i * dim);
  return { ids, dim, data };
}

/** A matrix as the cache's loader streams it. */
function rows(m: { ids: string[]; dim: number; data: Float32Array }): VectorRows {
  return { count: m.ids.length, dim: m.dim, each: (sink) => m.ids.forEach((id, i) => sink(id, m.data.subarray(i * m.dim, (i + 1) * m.dim))) };
}

describe("VectorCache (issue 9: bounded, incremental)", () => {
  it("loads a table once per generation and applies this process's commits without reloading", async () => {
    const cache = new VectorCache({ minRows: 0 });
    let loads = 0;
    const load = async () => (loads++, rows(matrix(50, 8)));
    const q = unit([1, 0, 0, 0, 0, 0, 0, 0]);
    await cache.search("t\u0000u\u0000memory", 1, load, q, 5);
    await cache.search("t\u0000u\u0000memory", 1, load, q, 5);
    expect(loads).toBe(1);
    cache.apply("t\u0000u\u0000memory", 1, 2, [{ id: "new", vector: q }]);
    const hits = await cache.search("t\u0000u\u0000memory", 2, load, q, 1);
    expect(loads).toBe(1);
    expect(hits[0]).toEqual({ id: "new", score: expect.closeTo(1, 5) });
    // A generation this process did not write (another writer) reloads.
    await cache.search("t\u0000u\u0000memory", 5, load, q, 1);
    expect(loads).toBe(2);
    // A commit applied on top of an unknown generation drops the entry.
    cache.apply("t\u0000u\u0000memory", 3, 4, []);
    expect(cache.size).toBe(0);
  });

  it("stays under its byte bound across many scopes, evicting the least recently used (regression: RSS grew with users recalled)", async () => {
    const cache = new VectorCache({ maxBytes: 200_000, minRows: 0 });
    const q = unit([1, 2, 3, 4, 5, 6, 7, 8]);
    for (let u = 0; u < 500; u++) await cache.search(`t\u0000u${u}\u0000memory`, 1, async () => rows(matrix(40, 8)), q, 3);
    expect(cache.bytes).toBeLessThanOrEqual(200_000);
    expect(cache.size).toBeGreaterThan(10);
    expect(cache.size).toBeLessThan(500);
    // A table larger than the bound is searched but not kept.
    const big = await cache.search("t\u0000big\u0000memory", 1, async () => rows(matrix(20_000, 8)), q, 3);
    expect(big).toHaveLength(3);
    expect(cache.bytes).toBeLessThanOrEqual(200_000);
  });

  it("regression: a small table (fewer than CACHE_MIN_ROWS) is read at each search and never kept, so many small users leave the cache empty", async () => {
    const cache = new VectorCache();
    let loads = 0;
    const q = unit([1, 2, 3, 4, 5, 6, 7, 8]);
    for (let u = 0; u < 200; u++) {
      const hits = await cache.search(`t\u0000u${u}\u0000memory`, 1, async () => (loads++, rows(matrix(CACHE_MIN_ROWS - 1, 8))), q, 3);
      expect(hits).toHaveLength(3);
    }
    expect(loads).toBe(200);
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
    // A table of CACHE_MIN_ROWS rows is kept: asked again, it is not reloaded.
    const load = async () => (loads++, rows(matrix(CACHE_MIN_ROWS, 8)));
    await cache.search("t\u0000big\u0000memory", 1, load, q, 3);
    await cache.search("t\u0000big\u0000memory", 1, load, q, 3);
    expect(loads).toBe(201);
    expect(cache.size).toBe(1);
  });

  it("the SIMD scan of large tables gives the JavaScript scan's hits, and sees rows added and changed after it (same query asked again)", async () => {
    const m = matrix(5000, 100);
    const js = new VectorCache({ simdMin: Infinity });
    const simd = new VectorCache({ simdMin: 1 });
    for (let t = 0; t < 5; t++) {
      const q = unit(Array.from({ length: 100 }, (_, j) => Math.cos(j * (t + 1))));
      for (const k of [1, 10, 83, 180]) {
        const a = await js.search("k", 1, async () => rows(m), q, k);
        const b = await simd.search("k", 1, async () => rows(m), q, k);
        expect(b.map((h) => h.id)).toEqual(a.map((h) => h.id));
        b.forEach((h, i) => expect(h.score).toBeCloseTo(a[i]!.score, 6));
      }
    }
    const q = unit(Array.from({ length: 100 }, (_, j) => Math.sin(j)));
    expect((await simd.search("k", 1, async () => rows(m), q, 1))[0]!.id).not.toBe("fresh");
    // Enough new rows to grow the matrix, one of them the query itself; then an old row changed to it.
    const added = Array.from({ length: 4000 }, (_, i) => ({ id: `n${i}`, vector: m.data.subarray((i % 5000) * 100, (i % 5000 + 1) * 100) }));
    simd.apply("k", 1, 2, [...added, { id: "fresh", vector: q }]);
    expect((await simd.search("k", 2, async () => rows(m), q, 1))[0]).toEqual({ id: "fresh", score: expect.closeTo(1, 2) });
    simd.apply("k", 2, 3, [{ id: "fresh", vector: unit(Array.from({ length: 100 }, (_, j) => Math.cos(j))) }, { id: "v7", vector: q }]);
    expect((await simd.search("k", 3, async () => rows(m), q, 1))[0]!.id).toBe("v7");
  });

  it("8-bit codes shortlist, exact re-scoring: equals a brute-force ranking; above the ANN size the graph's hits are re-scored", async () => {
    const m = matrix(3000, 16);
    const q = unit(Array.from({ length: 16 }, (_, j) => Math.cos(j)));
    const brute = m.ids
      .map((id, i) => ({ id, score: m.data.subarray(i * 16, (i + 1) * 16).reduce((s, x, j) => s + x * q[j]!, 0) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 10)
      .map((h) => h.id);
    const exact = new VectorCache();
    const byId = new Map(m.ids.map((id, i) => [id, m.data.subarray(i * 16, (i + 1) * 16)]));
    const stored = async (ids: string[]) => new Map(ids.map((id) => [id, byId.get(id)!]));
    const got0 = await exact.search("k", 1, async () => rows(m), q, 10, stored);
    expect(got0.map((h) => h.id)).toEqual(brute);
    const first = brute[0]!;
    expect(got0[0]!.score).toBeCloseTo(byId.get(first)!.reduce((s, x, j) => s + x * q[j]!, 0), 6);
    const ann = new VectorCache({ annMin: 1000 });
    const got = (await ann.search("k", 1, async () => rows(m), q, 10)).map((h) => h.id);
    expect(got.filter((id) => brute.includes(id)).length).toBeGreaterThanOrEqual(9);
    // Rows added after the graph was built are found.
    ann.apply("k", 1, 2, [{ id: "fresh", vector: q }]);
    expect((await ann.search("k", 2, async () => rows(m), q, 1))[0]!.id).toBe("fresh");
  });
});
