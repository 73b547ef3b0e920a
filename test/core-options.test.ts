import { describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS, resolveOptions, type MnemoOptions } from "../src/core/options.js";
import { Mnemo } from "../src/mnemo.js";
import { HashingEmbedder } from "../src/providers/embeddings/hashing.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { expectCode } from "./support/fixtures.js";

describe("resolveOptions", () => {
  it("applies the documented defaults", () => {
    const r = resolveOptions();
    expect(r.path).toBeNull();
    expect(r.tenant).toBe("default");
    expect(r.maxMessageChars).toBe(100_000);
    expect(r.maxBatchMessages).toBe(10_000);
    // The tuning values belong to recall (they move with tuning); their shape and ranges are fixed.
    expect(Object.keys(r.recall).sort()).toEqual(["channelDepth", "decayWeight", "episodeShare", "halfLifeDays", "rrfK", "weights"]);
    expect(Object.keys(r.recall.weights).sort()).toEqual(["dense", "graph", "lexical", "segment", "temporal"]);
    expect(r.recall.rrfK).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(r.recall.channelDepth) && r.recall.channelDepth >= 1).toBe(true);
    expect(r.recall.episodeShare).toBeGreaterThanOrEqual(0);
    expect(r.recall.episodeShare).toBeLessThanOrEqual(1);
    expect(r.recall.decayWeight).toBeGreaterThanOrEqual(0);
    expect(r.recall.decayWeight).toBeLessThanOrEqual(1);
    expect(r.recall.halfLifeDays).toBeGreaterThan(0);
    for (const w of Object.values(r.recall.weights)) expect(w).toBeGreaterThanOrEqual(0);
    // The defaults themselves are valid options.
    expect(resolveOptions({ recall: { ...DEFAULT_OPTIONS.recall, weights: { ...DEFAULT_OPTIONS.recall.weights } } }).recall).toEqual(r.recall);
    expect(r.recall).toEqual(DEFAULT_OPTIONS.recall);
    expect(resolveOptions({})).toMatchObject({ tenant: "default", recall: DEFAULT_OPTIONS.recall });
    const before = Date.now();
    const t = r.now().getTime();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it("merges partial recall tuning and weights over the defaults", () => {
    const clock = () => new Date("2023-01-01T00:00:00Z");
    const r = resolveOptions({ path: "/tmp/x.db", tenant: "acme", maxMessageChars: 10, recall: { rrfK: 10, weights: { dense: 0 } }, now: clock });
    expect(r.path).toBe("/tmp/x.db");
    expect(r.tenant).toBe("acme");
    expect(r.maxMessageChars).toBe(10);
    expect(r.maxBatchMessages).toBe(DEFAULT_OPTIONS.maxBatchMessages);
    expect(r.recall.rrfK).toBe(10);
    expect(r.recall.channelDepth).toBe(DEFAULT_OPTIONS.recall.channelDepth);
    expect(r.recall.weights).toEqual({ ...DEFAULT_OPTIONS.recall.weights, dense: 0 });
    expect(r.now).toBe(clock);
    // Explicit undefined keeps the default.
    expect(resolveOptions({ tenant: undefined, recall: { rrfK: undefined, weights: { lexical: undefined } } }).recall).toEqual(DEFAULT_OPTIONS.recall);
  });

  it("does not let a resolved config alias the shared defaults", () => {
    const r = resolveOptions();
    r.recall.weights.lexical = 99;
    expect(DEFAULT_OPTIONS.recall.weights.lexical).toBe(1.0);
    expect(resolveOptions().recall.weights.lexical).toBe(1.0);
  });

  it("accepts provider objects", () => {
    const embedder = new HashingEmbedder({ dim: 64 });
    expect(() => resolveOptions({ embedder, extractor: { id: "x", extract: async () => [] } })).not.toThrow();
  });

  const bad: Array<[string, unknown]> = [
    ["unknown top-level key", { pth: "x.db" }],
    ["unknown recall key", { recall: { rrfk: 10 } }],
    ["unknown weight", { recall: { weights: { lexicall: 1 } } }],
    ["empty path", { path: "" }],
    ["empty tenant", { tenant: "" }],
    ["tenant too long", { tenant: "t".repeat(201) }],
    ["tenant of the wrong type", { tenant: 5 }],
    ["maxMessageChars 0", { maxMessageChars: 0 }],
    ["maxMessageChars negative", { maxMessageChars: -5 }],
    ["maxMessageChars fractional", { maxMessageChars: 10.5 }],
    ["maxMessageChars too large", { maxMessageChars: 10_000_001 }],
    ["maxBatchMessages 0", { maxBatchMessages: 0 }],
    ["maxBatchMessages as a string", { maxBatchMessages: "10" }],
    ["rrfK 0", { recall: { rrfK: 0 } }],
    ["rrfK too large", { recall: { rrfK: 1001 } }],
    ["channelDepth 0", { recall: { channelDepth: 0 } }],
    ["channelDepth fractional", { recall: { channelDepth: 2.5 } }],
    ["episodeShare > 1", { recall: { episodeShare: 1.5 } }],
    ["episodeShare < 0", { recall: { episodeShare: -0.1 } }],
    ["halfLifeDays 0", { recall: { halfLifeDays: 0 } }],
    ["decayWeight > 1", { recall: { decayWeight: 2 } }],
    ["negative weight", { recall: { weights: { lexical: -1 } } }],
    ["weight too large", { recall: { weights: { graph: 11 } } }],
    ["NaN weight", { recall: { weights: { dense: Number.NaN } } }],
    ["store that is not a store", { store: { hello: 1 } }],
    ["embedder that is not an embedder", { embedder: "hashing" }],
    ["now that is not a function", { now: new Date() }],
    ["options that are not an object", "x.db"],
  ];
  for (const [name, options] of bad) {
    it(`rejects ${name} with INVALID_CONFIG naming the field`, async () => {
      const err = await expectCode(() => resolveOptions(options as MnemoOptions), "INVALID_CONFIG");
      expect(err.hint).toBeTruthy();
      if (typeof options === "object" && options !== null) {
        const field = Object.keys(options)[0]!;
        expect(err.message).toContain(field);
      }
    });
  }

  it("accepts the boundary values", () => {
    expect(() =>
      resolveOptions({ maxMessageChars: 1, maxBatchMessages: 1, recall: { rrfK: 1, channelDepth: 1, episodeShare: 0, halfLifeDays: 0.01, decayWeight: 1, weights: { lexical: 0, dense: 10 } } }),
    ).not.toThrow();
    expect(() => resolveOptions({ tenant: "t".repeat(200), recall: { episodeShare: 1, decayWeight: 0 } })).not.toThrow();
  });

  it("Mnemo.open validates options before touching the store", async () => {
    const store = await SqliteStore.open(":memory:");
    await expectCode(Mnemo.open({ store, recall: { rrfK: -1 } }), "INVALID_CONFIG");
    // The store was not used or closed by the failed open.
    expect(await store.stats()).toMatchObject({ episodes: 0 });
    const m = await Mnemo.open({ store, tenant: "acme" });
    expect(await m.users()).toEqual([]);
    await m.close();
    await expectCode(() => m.recall("x", { userId: "u" }), "CLOSED");
    await expectCode(() => m.stats(), "CLOSED");
  });
});
