import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { MnemoError } from "../src/core/errors.js";
import { ExactIndex, HnswIndex, createVectorIndex, type VectorIndex } from "../src/recall/vector/index.js";
import { mulberry32 } from "../src/core/random.js";

const rng = mulberry32;

function randomUnitVectors(n: number, dim: number, seed: number): Float32Array[] {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return Array.from({ length: n }, () => {
    const v = new Float32Array(dim);
    let s = 0;
    for (let i = 0; i < dim; i++) {
      v[i] = gauss();
      s += v[i]! * v[i]!;
    }
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < dim; i++) v[i]! *= inv;
    return v;
  });
}

/** Brute-force reference: plain dot products, sorted by score desc then insertion order. */
function reference(vectors: Float32Array[], query: Float32Array, k: number): Array<{ id: string; score: number }> {
  const scored = vectors.map((v, i) => {
    let s = 0;
    for (let j = 0; j < v.length; j++) s += v[j]! * query[j]!;
    return { i, score: s };
  });
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  return scored.slice(0, Math.max(0, k)).map(({ i, score }) => ({ id: `id${i}`, score }));
}

function expectInvalidInput(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MnemoError);
    expect((e as MnemoError).code).toBe("INVALID_INPUT");
    return;
  }
  throw new Error("expected INVALID_INPUT");
}

const smallInt = fc.integer({ min: -3, max: 3 });

describe("ExactIndex", () => {
  it("top-k equals a brute-force sort (integer vectors: exact scores and ties)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((dim) =>
          fc.record({
            dim: fc.constant(dim),
            vectors: fc.array(fc.array(smallInt, { minLength: dim, maxLength: dim }), { maxLength: 80 }),
            query: fc.array(smallInt, { minLength: dim, maxLength: dim }),
            k: fc.integer({ min: 0, max: 100 }),
            chunk: fc.integer({ min: 1, max: 40 }),
          }),
        ),
        ({ dim, vectors, query, k, chunk }) => {
          const vs = vectors.map((v) => Float32Array.from(v));
          const q = Float32Array.from(query);
          const index = new ExactIndex(dim, 1);
          for (let i = 0; i < vs.length; i += chunk) {
            index.add(
              vs.slice(i, i + chunk).map((_, j) => `id${i + j}`),
              vs.slice(i, i + chunk),
            );
          }
          expect(index.size).toBe(vs.length);
          expect(index.search(q, k)).toEqual(reference(vs, q, k));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("top-k matches the reference on float vectors (up to rounding)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((dim) =>
          fc.record({
            dim: fc.constant(dim),
            vectors: fc.array(fc.float32Array({ minLength: dim, maxLength: dim, min: -1, max: 1, noNaN: true }), { maxLength: 60 }),
            query: fc.float32Array({ minLength: dim, maxLength: dim, min: -1, max: 1, noNaN: true }),
            k: fc.integer({ min: 1, max: 70 }),
          }),
        ),
        ({ dim, vectors, query, k }) => {
          const index = new ExactIndex(dim);
          index.add(
            vectors.map((_, i) => `id${i}`),
            vectors,
          );
          const got = index.search(query, k);
          const want = reference(vectors, query, k);
          expect(got.length).toBe(want.length);
          const kth = want.at(-1)?.score ?? 0;
          const refScore = new Map(reference(vectors, query, vectors.length).map((h) => [h.id, h.score]));
          got.forEach((hit, i) => {
            expect(Math.abs(hit.score - want[i]!.score)).toBeLessThan(1e-5);
            expect(refScore.get(hit.id)!).toBeGreaterThanOrEqual(kth - 1e-5);
            if (i > 0) expect(hit.score).toBeLessThanOrEqual(got[i - 1]!.score);
          });
          expect(new Set(got.map((h) => h.id)).size).toBe(got.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("fromMatrix gives the same answers as add()", () => {
    const vs = randomUnitVectors(300, 16, 7);
    const data = new Float32Array(300 * 16);
    vs.forEach((v, i) => data.set(v, i * 16));
    const ids = vs.map((_, i) => `id${i}`);
    const a = ExactIndex.fromMatrix(ids, 16, data);
    const b = new ExactIndex(16);
    b.add(ids, vs);
    const q = randomUnitVectors(1, 16, 8)[0]!;
    expect(a.size).toBe(300);
    expect(a.search(q, 10)).toEqual(b.search(q, 10));
    a.add(["extra"], [q]);
    expect(a.search(q, 1)[0]!.id).toBe("extra");
    expectInvalidInput(() => ExactIndex.fromMatrix(["a", "b"], 16, new Float32Array(16)));
    expectInvalidInput(() => ExactIndex.fromMatrix(["a", "a"], 1, new Float32Array(2)));
    expect(ExactIndex.fromMatrix([], 4, new Float32Array(0)).search(new Float32Array(4), 3)).toEqual([]);
  });
});

describe("HnswIndex", () => {
  const n = 5000;
  const dim = 64;
  const data = randomUnitVectors(n, dim, 1);
  const ids = data.map((_, i) => `id${i}`);
  const queries = randomUnitVectors(200, dim, 2);
  const exact = new ExactIndex(dim);
  const hnsw = new HnswIndex(dim, { seed: 3 });
  beforeAll(() => {
    exact.add(ids, data);
    hnsw.add(ids, data);
  });

  function recallAt10(index: VectorIndex): number {
    let hits = 0;
    for (const q of queries) {
      const truth = new Set(exact.search(q, 10).map((h) => h.id));
      for (const h of index.search(q, 10)) if (truth.has(h.id)) hits++;
    }
    return hits / (queries.length * 10);
  }

  it("reaches recall@10 ≥ 0.95 vs exact on 5,000 random 64-dim unit vectors (efSearch 128)", () => {
    hnsw.efSearch = 128;
    expect(recallAt10(hnsw)).toBeGreaterThanOrEqual(0.95);
  });

  it("keeps recall@10 ≥ 0.85 at the default efSearch of 64 on this worst-case (uniform random) data", () => {
    hnsw.efSearch = 64;
    expect(new HnswIndex(dim).efSearch).toBe(64);
    expect(recallAt10(hnsw)).toBeGreaterThanOrEqual(0.85);
  });

  it("returns exact scores, best first, and finds stored vectors themselves", () => {
    const hits = hnsw.search(data[42]!, 10);
    expect(hits).toHaveLength(10);
    expect(hits[0]!.id).toBe("id42");
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);
  });

  it("is deterministic for a seed", () => {
    const a = new HnswIndex(16, { seed: 9 });
    const b = new HnswIndex(16, { seed: 9 });
    const vs = randomUnitVectors(800, 16, 4);
    const vids = vs.map((_, i) => `v${i}`);
    a.add(vids, vs);
    for (let i = 0; i < vs.length; i += 100) b.add(vids.slice(i, i + 100), vs.slice(i, i + 100));
    for (const q of randomUnitVectors(20, 16, 5)) expect(a.search(q, 5)).toEqual(b.search(q, 5));
  });

  it("matches exact search on small collections when efSearch covers them", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 70 }), (size, seed, k) => {
        const vs = randomUnitVectors(size, 8, seed);
        const vids = vs.map((_, i) => `id${i}`);
        const h = new HnswIndex(8, { seed, efSearch: 100, initialCapacity: 1 });
        const e = new ExactIndex(8);
        h.add(vids, vs);
        e.add(vids, vs);
        const q = randomUnitVectors(1, 8, seed + 1)[0]!;
        expect(h.search(q, k).map((x) => x.id)).toEqual(e.search(q, k).map((x) => x.id));
      }),
      { numRuns: 100 },
    );
  });
});

describe.each([
  ["ExactIndex", (d: number): VectorIndex => new ExactIndex(d)],
  ["HnswIndex", (d: number): VectorIndex => new HnswIndex(d)],
])("%s edge cases", (_name, make) => {
  it("returns [] on an empty index and for k ≤ 0", () => {
    const index = make(4);
    expect(index.size).toBe(0);
    expect(index.dim).toBe(4);
    expect(index.search(new Float32Array(4), 5)).toEqual([]);
    index.add(["a"], [Float32Array.from([1, 0, 0, 0])]);
    expect(index.search(Float32Array.from([1, 0, 0, 0]), 0)).toEqual([]);
    expect(index.search(Float32Array.from([1, 0, 0, 0]), -3)).toEqual([]);
  });

  it("returns every vector when k > size", () => {
    const index = make(2);
    index.add(["a", "b", "c"], [Float32Array.from([1, 0]), Float32Array.from([0, 1]), Float32Array.from([0.6, 0.8])]);
    const hits = index.search(Float32Array.from([1, 0]), 10);
    expect(hits.map((h) => h.id)).toEqual(["a", "c", "b"]);
    expect(hits[1]!.score).toBeCloseTo(0.6, 6);
  });

  it("throws INVALID_INPUT on dimension mismatches, bad arguments and duplicate ids, adding nothing", () => {
    const index = make(3);
    index.add(["a"], [new Float32Array(3)]);
    expectInvalidInput(() => index.add(["b", "c"], [new Float32Array(3), new Float32Array(4)]));
    expectInvalidInput(() => index.search(new Float32Array(2), 1));
    expectInvalidInput(() => index.add(["b"], []));
    expectInvalidInput(() => index.add(["a"], [new Float32Array(3)]));
    expectInvalidInput(() => index.add(["d", "d"], [new Float32Array(3), new Float32Array(3)]));
    expect(index.size).toBe(1);
    expectInvalidInput(() => make(0));
  });
});

describe("createVectorIndex", () => {
  it("chooses exact below the threshold and HNSW at or above it", () => {
    expect(createVectorIndex(8, 10)).toBeInstanceOf(ExactIndex);
    expect(createVectorIndex(8, 99_999)).toBeInstanceOf(ExactIndex);
    expect(createVectorIndex(8, 100_000)).toBeInstanceOf(HnswIndex);
    expect(createVectorIndex(8, 500, { annThreshold: 100 })).toBeInstanceOf(HnswIndex);
    const h = createVectorIndex(8, 500, { annThreshold: 100, hnsw: { efSearch: 200 } });
    expect((h as HnswIndex).efSearch).toBe(200);
  });
});
