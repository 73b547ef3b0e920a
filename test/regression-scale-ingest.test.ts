/**
 * Issue 9: ingest cost must not grow with the user. Above FULL_INDEX_MAX_TURNS turns,
 * consolidation reads its candidates' neighbours through the store (full-text, slots)
 * instead of loading the whole scope; it must decide as the whole-scope index does.
 * MNEMO_FULL_INDEX_MAX_TURNS=0 takes that path from the first turn.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mnemo } from "../src/mnemo.js";
import { openTempMnemo, tempDir } from "./support/fixtures.js";
import { join } from "node:path";
import { SqliteStore } from "../src/store/sqlite/index.js";

let mnemo: Mnemo;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  process.env.MNEMO_FULL_INDEX_MAX_TURNS = "0";
  // cacheMinRows 0: these users are small, and a small user's vectors are otherwise read at each search, not cached
  const tmp = tempDir();
  const opened = await openTempMnemo({ now: () => new Date("2023-07-01T00:00:00Z"), store: await SqliteStore.open(join(tmp.dir, "m.db"), { cacheMinRows: 0 }) });
  mnemo = opened.mnemo;
  cleanup = async () => (await opened.cleanup(), tmp.cleanup());
});
afterAll(async () => {
  delete process.env.MNEMO_FULL_INDEX_MAX_TURNS;
  await cleanup();
});

describe("consolidation through the store's indexes (large scopes)", () => {
  it("a repeated fact reinforces the memory instead of adding a copy", async () => {
    const u = { userId: "repeat" };
    await mnemo.remember([{ id: "a", speaker: "Caroline", content: "I adopted a golden retriever named Biscuit.", occurredAt: "2023-01-01T10:00:00Z" }], u);
    const again = await mnemo.remember([{ id: "b", speaker: "Caroline", content: "I adopted a golden retriever named Biscuit.", occurredAt: "2023-02-01T10:00:00Z" }], u);
    expect(again.memories.added).toBe(0);
    expect(again.memories.unchanged).toBeGreaterThan(0);
  });

  it("a contradicted single-valued fact is invalidated (slot lookup)", async () => {
    const u = { userId: "moves" };
    await mnemo.remember([{ id: "c1", speaker: "Caroline", content: "I'm living in Boston.", occurredAt: "2023-01-01T10:00:00Z" }], u);
    const r = await mnemo.remember([{ id: "c2", speaker: "Caroline", content: "I moved to Denver.", occurredAt: "2023-06-01T10:00:00Z" }], u);
    expect(r.memories.invalidated).toBe(1);
    const all = (await mnemo.memories({ ...u, includeInvalidated: true, limit: 100 })).items;
    expect(all.find((m) => m.text.includes("Boston") && m.kind !== "summary")!.invalidatedAt).not.toBeNull();
    const { context } = await mnemo.recall("Where does Caroline live?", u);
    expect(context).toContain("Denver");
  });
});

describe("recall after a write (issue 9)", () => {
  it("a remember between two recalls reloads nothing: the store's vector cache takes the new rows", async () => {
    const u = { userId: "chat-loop" };
    await mnemo.remember([{ speaker: "Caroline", content: "I went hiking near Lake Tahoe with my sister.", occurredAt: "2023-03-01T10:00:00Z" }], u);
    await mnemo.recall("Where did Caroline go hiking?", u);
    const cache = (mnemo.store as SqliteStore).vectorCache;
    const loads = cache.loads;
    for (let i = 0; i < 5; i++) {
      await mnemo.remember([{ speaker: "Caroline", content: `I painted a sunrise over the harbour, picture ${i}.`, occurredAt: `2023-03-0${i + 2}T10:00:00Z` }], u);
      const r = await mnemo.recall("What did Caroline paint?", u);
      expect(r.context).toContain("sunrise");
    }
    expect(cache.loads).toBe(loads);
  });

  it("the vector cache stays under its bound however many users are recalled", async () => {
    const tmp = tempDir();
    const opened = await openTempMnemo({ store: await SqliteStore.open(join(tmp.dir, "m.db"), { cacheBytes: 64 * 1024, cacheMinRows: 0 }) });
    const small = opened.mnemo;
    const done = async () => (await opened.cleanup(), tmp.cleanup());
    try {
      for (let i = 0; i < 60; i++) {
        const u = { userId: `user-${i}` };
        await small.remember([{ speaker: "Sam", content: `I keep ${i} tomato plants on my balcony and water them daily.`, occurredAt: "2023-03-01T10:00:00Z" }], u);
        await small.recall("How many tomato plants?", u);
      }
      const cache = (small.store as SqliteStore).vectorCache;
      expect(cache.bytes).toBeLessThanOrEqual(64 * 1024);
      expect(cache.size).toBeLessThan(120);
    } finally {
      await done();
    }
  });
});
