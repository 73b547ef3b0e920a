import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decayFactor, retention, rrf, type ChannelList } from "../src/recall/fuse.js";

/** The textbook definition: score(d) = Σ_lists w / (k + rank), first occurrence per list, lists with w ≤ 0 ignored. */
function reference(lists: ChannelList[], k: number): Map<string, { score: number; channels: Record<string, number> }> {
  const out = new Map<string, { score: number; channels: Record<string, number> }>();
  for (const l of lists) {
    if (!(l.weight > 0)) continue;
    const firstIndex = new Map<string, number>();
    l.ids.forEach((id, i) => {
      if (!firstIndex.has(id)) firstIndex.set(id, i);
    });
    for (const [id, i] of firstIndex) {
      const rank = l.ranks ? l.ranks[i]! : i + 1;
      const s = l.weight / (k + rank);
      const e = out.get(id) ?? { score: 0, channels: {} };
      e.score += s;
      e.channels[l.channel] = (e.channels[l.channel] ?? 0) + s;
      out.set(id, e);
    }
  }
  return out;
}

const idArb = fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h");
const listArb: fc.Arbitrary<ChannelList> = fc
  .record({
    channel: fc.constantFrom("lexical", "dense", "graph", "temporal", "segment"),
    weight: fc.oneof(fc.double({ min: 0.01, max: 10, noNaN: true }), fc.constantFrom(0, -1)),
    ids: fc.array(idArb, { maxLength: 10 }),
    tied: fc.boolean(),
  })
  .map(({ channel, weight, ids, tied }) => {
    if (!tied) return { channel, weight, ids };
    // Tied groups: non-decreasing 1-based ranks.
    const ranks: number[] = [];
    ids.forEach((_, i) => ranks.push(i > 0 && i % 2 === 1 ? ranks[i - 1]! : i + 1));
    return { channel, weight, ids, ranks };
  });
const kArb = fc.double({ min: 1, max: 1000, noNaN: true });

function expectSameFusion(a: ReturnType<typeof reference>, b: ReturnType<typeof reference>) {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [id, x] of a) {
    const y = b.get(id)!;
    expect(x.score).toBeCloseTo(y.score, 12);
    expect(Object.keys(x.channels).sort()).toEqual(Object.keys(y.channels).sort());
    for (const c of Object.keys(x.channels)) expect(x.channels[c]!).toBeCloseTo(y.channels[c]!, 12);
  }
}

describe("rrf", () => {
  it("equals the reference definition (weights, ties, duplicates, ignored lists)", () => {
    fc.assert(
      fc.property(fc.array(listArb, { maxLength: 6 }), kArb, (lists, k) => {
        expectSameFusion(rrf(lists, k) as ReturnType<typeof reference>, reference(lists, k));
      }),
      { numRuns: 500 },
    );
  });

  it("the example of its documentation holds", () => {
    expect(rrf([{ channel: "lexical", weight: 1, ids: ["a", "b"] }], 60).get("a")?.score).toBe(1 / 61);
  });

  it("channel contributions sum to the score, and the score is bounded by Σ w/(k+1)", () => {
    fc.assert(
      fc.property(fc.array(listArb, { maxLength: 6 }), kArb, (lists, k) => {
        const bound = lists.filter((l) => l.weight > 0).reduce((s, l) => s + l.weight / (k + 1), 0);
        for (const f of rrf(lists, k).values()) {
          const sum = Object.values(f.channels).reduce((s, v) => s + v, 0);
          expect(f.score).toBeCloseTo(sum, 12);
          expect(f.score).toBeGreaterThan(0);
          expect(f.score).toBeLessThanOrEqual(bound + 1e-12);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("does not depend on the order of the lists", () => {
    fc.assert(
      fc.property(fc.array(listArb, { maxLength: 6 }), kArb, (lists, k) => {
        expectSameFusion(rrf(lists, k) as ReturnType<typeof reference>, rrf([...lists].reverse(), k) as ReturnType<typeof reference>);
      }),
      { numRuns: 200 },
    );
  });

  it("is monotonic: moving an item up a list never lowers its score", () => {
    const uniqueIds = fc.uniqueArray(idArb, { minLength: 2, maxLength: 8 });
    fc.assert(
      fc.property(
        fc.array(fc.record({ channel: fc.constantFrom("lexical", "dense", "graph"), weight: fc.double({ min: 0.01, max: 5, noNaN: true }), ids: uniqueIds }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        kArb,
        (lists, li, from, to, k) => {
          const l = lists[li % lists.length]!;
          const i = from % l.ids.length;
          const j = to % (i + 1); // j ≤ i: the item moves up (or stays)
          const id = l.ids[i]!;
          const moved = [...l.ids];
          moved.splice(i, 1);
          moved.splice(j, 0, id);
          const after = lists.map((x) => (x === l ? { ...x, ids: moved } : x));
          expect(rrf(after, k).get(id)!.score).toBeGreaterThanOrEqual(rrf(lists, k).get(id)!.score - 1e-15);
          // Appearing in one more list never lowers a score either.
          const extra = [...lists, { channel: "temporal", weight: 0.7, ids: [id] }];
          expect(rrf(extra, k).get(id)!.score).toBeGreaterThan(rrf(lists, k).get(id)!.score);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("retention and decay", () => {
  const age = fc.double({ min: 0, max: 1e5, noNaN: true });
  const strength = fc.double({ min: 1e-3, max: 100, noNaN: true });
  const half = fc.double({ min: 0.01, max: 1e4, noNaN: true });

  it("retention is in [0, 1], 1 at age ≤ 0, and > 0 unless the decay exponent underflows", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e3, max: 1e5, noNaN: true }), strength, half, (t, s, h) => {
        const r = retention(t, s, h);
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThanOrEqual(1);
        if (t <= 0) expect(r).toBe(1);
        if (t / (h * s) < 1000) expect(r).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it("halves at the half-life for strength 1 (and quarters at twice it)", () => {
    fc.assert(
      fc.property(half, (h) => {
        expect(retention(h, 1, h)).toBeCloseTo(0.5, 12);
        expect(retention(2 * h, 1, h)).toBeCloseTo(0.25, 12);
        expect(retention(h, 2, h)).toBeCloseTo(Math.SQRT1_2, 12);
      }),
    );
    expect(retention(60, 1, 60)).toBe(0.5);
  });

  it("decays more slowly with more strength, and monotonically with age", () => {
    fc.assert(
      fc.property(age, strength, strength, half, fc.double({ min: 0, max: 1e3, noNaN: true }), (t, s1, s2, h, dt) => {
        const [lo, hi] = s1 <= s2 ? [s1, s2] : [s2, s1];
        expect(retention(t, hi, h)).toBeGreaterThanOrEqual(retention(t, lo, h));
        // Strictly slower where the decay is numerically visible (not 1 − ε, not underflowed).
        const rlo = retention(t, lo, h);
        if (hi > lo * 1.01 && rlo > 1e-300 && rlo < 1 - 1e-9) expect(retention(t, hi, h)).toBeGreaterThan(rlo);
        expect(retention(t + dt, s1, h)).toBeLessThanOrEqual(retention(t, s1, h));
      }),
      { numRuns: 1000 },
    );
  });

  it("decayFactor stays in [1 − w, 1], is 1 at full retention and grows with retention", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (r1, r2, w) => {
        const f = decayFactor(r1, w);
        expect(f).toBeGreaterThanOrEqual(1 - w - 1e-15);
        expect(f).toBeLessThanOrEqual(1 + 1e-15);
        expect(decayFactor(1, w)).toBe(1);
        expect(decayFactor(0, w)).toBeCloseTo(1 - w, 15);
        if (r1 <= r2) expect(decayFactor(r1, w)).toBeLessThanOrEqual(decayFactor(r2, w) + 1e-15);
        expect(decayFactor(r1, 0)).toBe(1);
      }),
      { numRuns: 1000 },
    );
    expect(decayFactor(0.5, 0.2)).toBeCloseTo(0.9, 15);
  });
});
