/**
 * Stop 17 (issue 9, ingest at scale): consolidation's whole-scope index keeps ids, terms
 * and slots, not rows, is built once and then updated by each commit, so a `remember`
 * reads only its candidates' rows (one `getMemories`), never the scope (no `listMemories`,
 * no full-text query, no `MAX(seq)`, no entity listing: the last two are kept per
 * generation) — on SQLite and on PostgreSQL. Before, above 20,000
 * turns each `remember` ran one full-text query with every word of its messages, whose
 * cost grew with the user (ingest fell to ~105 turns/s at 100K turns on SQLite and
 * ~27 turns/s above 20K on PostgreSQL). Decisions must stay those of the whole index:
 * old near-duplicates merge, same-slot facts are invalidated, across evictions of the
 * cached index and across another writer's commits.
 */
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { Mnemo } from "../src/mnemo.js";
import { openTempMnemo } from "./support/fixtures.js";
import { freshPgUrl, PG_OFF, stopTestPostgres } from "./support/postgres.js";

afterAll(stopTestPostgres);
afterEach(() => {
  delete process.env.MNEMO_INDEX_CACHE_MB;
  vi.restoreAllMocks();
});

type Open = () => Promise<{ mnemo: Mnemo; again: () => Promise<Mnemo>; cleanup: () => Promise<void> }>;

const sqlite: Open = async () => {
  const t = await openTempMnemo({ now: () => new Date("2023-07-01T00:00:00Z") });
  return { mnemo: t.mnemo, again: () => Mnemo.open({ path: t.path, now: () => new Date("2023-07-01T00:00:00Z") }), cleanup: t.cleanup };
};
const postgres: Open = async () => {
  const { url, drop } = await freshPgUrl();
  const mnemo = await Mnemo.open({ path: url, now: () => new Date("2023-07-01T00:00:00Z") });
  return {
    mnemo,
    again: () => Mnemo.open({ path: url, now: () => new Date("2023-07-01T00:00:00Z") }),
    cleanup: async () => {
      await mnemo.close();
      await drop();
    },
  };
};

/** Filler sessions: distinct facts, so the scope grows between the fact and its repetition. */
async function grow(mnemo: Mnemo, userId: string, n: number, from = 0): Promise<void> {
  const hobbies = ["pottery", "archery", "sailing", "chess", "baking", "cycling", "knitting", "climbing"];
  for (let i = from; i < from + n; i++) {
    await mnemo.remember(
      [
        { id: `g${i}a`, speaker: "Caroline", content: `On trip ${i} I visited the ${hobbies[i % 8]} museum in town number ${i}.`, occurredAt: `2023-02-${String(1 + (i % 27)).padStart(2, "0")}T10:00:00Z` },
        { id: `g${i}b`, speaker: "Melanie", content: `My cousin ${i} bought a ${hobbies[(i + 3) % 8]} kit for ${i * 3} dollars.`, occurredAt: `2023-02-${String(1 + (i % 27)).padStart(2, "0")}T10:01:00Z` },
      ],
      { userId },
    );
  }
}

for (const [name, open, skip] of [
  ["sqlite", sqlite, false],
  ["postgres", postgres, PG_OFF],
] as Array<[string, Open, boolean]>) {
  describe.skipIf(skip)(`consolidation index at scale (${name})`, () => {
    it("a warm remember reads its candidates' rows only: no scope listing, no full-text query, no MAX(seq), no entity listing", async () => {
      const { mnemo, cleanup } = await open();
      try {
        const u = { userId: "warm" };
        await mnemo.remember([{ id: "f1", speaker: "Caroline", content: "I adopted a golden retriever named Biscuit.", occurredAt: "2023-01-01T10:00:00Z" }], u);
        await grow(mnemo, "warm", 30);
        const store = mnemo.store;
        const spies = (["listMemories", "searchText", "maxSeq", "listEntities", "getMemories"] as const).map((m) => vi.spyOn(Object.getPrototypeOf(store) as Record<string, () => unknown>, m));
        const again = await mnemo.remember([{ id: "f2", speaker: "Caroline", content: "I adopted a golden retriever named Biscuit.", occurredAt: "2023-03-01T10:00:00Z" }], u);
        // The fact said 31 remembers ago is found through the cached index.
        expect(again.memories.added).toBe(0);
        expect(again.memories.unchanged).toBeGreaterThan(0);
        const [list, text, seq, entities, rows] = spies.map((s) => s.mock.calls.length);
        expect({ list, text, seq, entities }).toEqual({ list: 0, text: 0, seq: 0, entities: 0 });
        expect(rows).toBeGreaterThan(0);
        const biscuit = (await mnemo.memories({ ...u, limit: 200 })).items.filter((m) => m.text.includes("Biscuit") && m.kind !== "summary");
        expect(biscuit).toHaveLength(1);
        expect(biscuit[0]!.strength).toBe(2);
      } finally {
        await cleanup();
      }
    });

    it("decisions survive an evicted index and another writer's commits (rebuilt from the store)", async () => {
      const { mnemo, again, cleanup } = await open();
      const other = await again();
      try {
        const u = { userId: "moves" };
        await mnemo.remember([{ id: "c1", speaker: "Caroline", content: "I'm living in Boston.", occurredAt: "2023-01-01T10:00:00Z" }], u);
        await grow(mnemo, "moves", 10);
        // Another writer (another process, as far as the first knows) adds a fact and grows the scope.
        await other.remember([{ id: "d1", speaker: "Caroline", content: "I adopted a golden retriever named Biscuit.", occurredAt: "2023-02-15T10:00:00Z" }], u);
        await grow(other, "moves", 5, 100);
        // The first process's index is stale: rebuilt, it sees both facts.
        const r = await mnemo.remember([{ id: "c2", speaker: "Caroline", content: "I moved to Denver.", occurredAt: "2023-06-01T10:00:00Z" }], u);
        expect(r.memories.invalidated).toBe(1);
        const dup = await mnemo.remember([{ id: "d2", speaker: "Caroline", content: "I adopted a golden retriever named Biscuit.", occurredAt: "2023-06-02T10:00:00Z" }], u);
        expect(dup.memories.added).toBe(0);
        // A cache bound smaller than one index: the index is dropped after use and rebuilt next time.
        process.env.MNEMO_INDEX_CACHE_MB = "0";
        await grow(mnemo, "other-user", 2);
        const dup2 = await mnemo.remember([{ id: "d3", speaker: "Caroline", content: "I adopted a golden retriever named Biscuit.", occurredAt: "2023-06-03T10:00:00Z" }], u);
        expect(dup2.memories.added).toBe(0);
        const all = (await mnemo.memories({ ...u, includeInvalidated: true, limit: 500 })).items.filter((m) => m.kind !== "summary");
        expect(all.find((m) => m.text.includes("Boston"))!.invalidatedAt).not.toBeNull();
        expect(all.filter((m) => m.text.includes("Denver") && !m.invalidatedAt)).toHaveLength(1);
        expect(all.filter((m) => m.text.includes("Biscuit"))).toHaveLength(1);
        expect(all.find((m) => m.text.includes("Biscuit"))!.strength).toBe(3);
        // Entities (kept per generation) were re-read after the other writer: one row per name.
        const ents = await mnemo.store.listEntities({ tenant: "default", userId: "moves" });
        expect(new Set(ents.map((e) => e.name.toLowerCase())).size).toBe(ents.length);
        expect(ents.some((e) => e.name === "Melanie")).toBe(true);
        // Sequence numbers stay dense and unique across both writers (the cached MAX(seq) is per generation).
        const eps = await mnemo.store.listEpisodes({ tenant: "default", userId: "moves" }, { limit: 1000 });
        const seqs = eps.map((e) => e.seq).sort((a, b) => a - b);
        expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      } finally {
        await other.close();
        await cleanup();
      }
    });
  });
}
