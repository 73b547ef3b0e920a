/**
 * The row cache (src/store/row-cache.ts): bounded by rows, least recently read evicted
 * first (CLOCK: a read marks a row, eviction gives a marked row a second chance), a row just
 * cached never evicted by its own insertion, rows of an outdated generation never served.
 */
import { describe, expect, it } from "vitest";
import type { Memory } from "../src/core/types.js";
import { RowCache } from "../src/store/row-cache.js";

const row = (id: string) => ({ id, text: id }) as unknown as Memory;
const S = "t\u0000u";

describe("RowCache", () => {
  it("holds at most maxRows rows and keeps the rows read since they were cached over the unread ones", () => {
    const c = new RowCache(3);
    c.sync(S, 1);
    for (const id of ["a", "b", "c"]) c.put(S, "m", id, row(id));
    expect(c.get(S, "m", "a")?.id).toBe("a");
    c.put(S, "m", "d", row("d"));
    expect(c.size).toBe(3);
    // b was the oldest unread row
    expect(c.get(S, "m", "b")).toBeUndefined();
    expect(c.get(S, "m", "a")?.id).toBe("a");
    expect(c.get(S, "m", "d")?.id).toBe("d");
  });

  it("a memory and an episode with the same id never stand for each other", () => {
    const c = new RowCache(10);
    c.sync(S, 1);
    c.put(S, "m", "x", row("memory x"));
    expect(c.get(S, "e", "x")).toBeUndefined();
    c.put(S, "e", "x", row("episode x"));
    expect(c.get(S, "m", "x")).toBeUndefined();
    expect(c.get(S, "e", "x")?.id).toBe("episode x");
  });

  it("never evicts the row it is caching, even when every other row was read", () => {
    const c = new RowCache(2);
    c.sync(S, 1);
    c.put(S, "m", "a", row("a"));
    c.put(S, "m", "b", row("b"));
    c.get(S, "m", "a");
    c.get(S, "m", "b");
    c.put(S, "m", "c", row("c"));
    expect(c.size).toBe(2);
    expect(c.get(S, "m", "c")?.id).toBe("c");
  });

  it("matches an exact LRU's bound and never serves a row of another generation (property, 2,000 random operations)", () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const c = new RowCache(50);
    let gen = 1;
    c.sync(S, gen);
    const cachedAt = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const k = String(rnd(120));
      const op = rnd(10);
      if (op < 5) {
        const hit = c.get(S, "m", k);
        if (hit) expect(cachedAt.get(k)).toBe(gen);
      } else if (op < 9) {
        c.put(S, "m", k, row(k));
        cachedAt.set(k, gen);
      } else {
        c.sync(S, ++gen);
      }
      expect(c.size).toBeLessThanOrEqual(50);
    }
  });
});
