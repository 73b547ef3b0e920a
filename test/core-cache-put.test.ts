/** `cachePut`: the per-kind LRU bound shared by the context's caches (pinned ids, last seq, entity lists). */
import { describe, expect, it } from "vitest";
import { cachePut } from "../src/core/context.js";

describe("cachePut", () => {
  it("keeps the most recently used `max` entries of a kind and leaves other kinds alone", () => {
    const caches = new Map<string, unknown>();
    for (let i = 0; i < 5; i++) cachePut(caches, `other\u0000u${i}`, i, 100);
    for (let i = 0; i < 10; i++) cachePut(caches, `pinned\u0000u${i}`, i, 3);
    expect([...caches.keys()].filter((k) => k.startsWith("pinned\u0000"))).toEqual(["pinned\u0000u7", "pinned\u0000u8", "pinned\u0000u9"]);
    expect([...caches.keys()].filter((k) => k.startsWith("other\u0000"))).toHaveLength(5);
  });

  it("a re-put is a use: it moves the entry to the most recent end and replaces its value", () => {
    const caches = new Map<string, unknown>();
    for (const u of ["a", "b", "c"]) cachePut(caches, `seq\u0000${u}`, u, 3);
    cachePut(caches, "seq\u0000a", "A", 3);
    cachePut(caches, "seq\u0000d", "d", 3);
    expect([...caches.entries()]).toEqual([
      ["seq\u0000c", "c"],
      ["seq\u0000a", "A"],
      ["seq\u0000d", "d"],
    ]);
  });
});
