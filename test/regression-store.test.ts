/**
 * Regressions found while writing the store contract, through the public API.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Mnemo } from "../src/mnemo.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { exportText, makeEpisode, makeMemory, tempDir } from "./support/fixtures.js";

let dir: string;
let rm: () => void;
beforeEach(() => {
  ({ dir, cleanup: rm } = tempDir());
});
afterEach(() => rm());

const SECRET = "My secret password hint is Zorblequant the purple giraffe.";

describe("erase and caches of other instances", () => {
  it("another instance on the same file never recalls erased data from its cached snapshot", async () => {
    const path = join(dir, "shared.db");
    const a = await Mnemo.open({ path });
    const b = await Mnemo.open({ path });
    try {
      const u = { userId: "u1" };
      await a.remember([{ id: "1", speaker: "Caroline", content: SECRET, occurredAt: "2023-01-01" }], u);
      expect((await a.recall("purple giraffe password", { ...u, reinforce: false })).context).toContain("Zorblequant");
      await b.erase(u);
      // As many commits as before the erase: a generation counter that restarts would match again.
      await b.remember([{ id: "2", speaker: "Caroline", content: "I like tea with lemon in the morning.", occurredAt: "2023-02-01" }], u);
      const r = await a.recall("purple giraffe password", { ...u, reinforce: false });
      expect(r.context).not.toContain("Zorblequant");
      expect(r.results.every((x) => !x.sources.includes("1"))).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("another instance never writes erased memories back when it consolidates", async () => {
    const path = join(dir, "shared.db");
    const a = await Mnemo.open({ path });
    const b = await Mnemo.open({ path });
    try {
      const u = { userId: "u1" };
      await a.remember([{ id: "1", speaker: "Caroline", content: SECRET, occurredAt: "2023-01-01" }], u);
      const erasedIds = (await a.memories({ ...u, includeInvalidated: true })).items.map((m) => m.id);
      await b.erase(u);
      await b.remember([{ id: "2", speaker: "Caroline", content: "I like tea with lemon in the morning.", occurredAt: "2023-02-01" }], u);
      // The same sentence again through the first instance: a stale memory index would
      // "reinforce" the erased memory and upsert it back.
      await a.remember([{ id: "3", speaker: "Caroline", content: SECRET, occurredAt: "2023-03-01" }], u);
      const key = { tenant: "default", userId: "u1" };
      const episodeIds = new Set((await a.store.listEpisodes(key)).map((e) => e.id));
      const mems = (await a.memories({ ...u, includeInvalidated: true })).items;
      for (const m of mems) {
        expect(erasedIds).not.toContain(m.id);
        for (const s of m.sources) expect(episodeIds.has(s), `${m.text} cites erased episode ${s}`).toBe(true);
      }
      expect(await exportText(a, "u1")).not.toContain('"externalId":"1"');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe("memory upserts", () => {
  it("an updated profile summary carries its new observedAt, so asOf before the new fact does not show it", async () => {
    const m = await Mnemo.open({ path: join(dir, "summary.db"), now: () => new Date("2023-07-01T00:00:00Z") });
    try {
      const u = { userId: "u" };
      await m.remember([{ id: "1", speaker: "Caroline", content: "I work as a counselor at Lakeside School.", occurredAt: "2023-01-01" }], u);
      await m.remember([{ id: "2", speaker: "Caroline", content: "I love hiking in the Rocky Mountains.", occurredAt: "2023-06-01" }], u);
      const summary = (await m.memories(u)).items.find((x) => x.kind === "summary")!;
      expect(summary.text).toContain("Rocky Mountains");
      expect(summary.observedAt).toBe("2023-06-01T00:00:00.000Z");
      const r = await m.recall("What does Caroline do?", { ...u, reinforce: false, asOf: "2023-03-01" });
      expect(r.context).toContain("Lakeside");
      expect(r.context).not.toContain("Rocky");
    } finally {
      await m.close();
    }
  });

  it("a commit can never rewrite another user's memory, even through a colliding id", async () => {
    const store = await SqliteStore.open(join(dir, "collide.db"));
    try {
      const alice = { tenant: "default", userId: "alice" };
      const mallory = { tenant: "default", userId: "mallory" };
      const ep = makeEpisode(alice);
      const mem = makeMemory(alice, [ep.id], { text: "alice's own words" });
      await store.commit({ scope: alice, episodes: [ep], memories: [mem] });
      const epM = makeEpisode(mallory);
      await expect(store.commit({ scope: mallory, episodes: [epM], memories: [{ ...mem, tenant: "default", userId: "mallory", sources: [epM.id], text: "rewritten by mallory" }] })).rejects.toMatchObject({ code: "CONFLICT" });
      expect((await store.getMemory("default", mem.id))!.text).toBe("alice's own words");
      // The whole batch was rejected.
      expect(await store.getEpisodes(mallory, [epM.id])).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe("regression: words the index tokenizer splits", () => {
  it("a term FTS5 reads as two tokens (a phrase, which a position-less index refuses) never throws", async () => {
    const store = await SqliteStore.open(":memory:");
    try {
      const scope = { tenant: "t", userId: "u" };
      await store.commit({ scope, episodes: [makeEpisode(scope, { id: "e1", text: "hello world" })] });
      await expect(store.searchText(scope, "episode", ["0ᦰ0"], 5)).resolves.toEqual([]);
      const hits = await store.searchText(scope, "episode", ["0ᦰ0", "hello"], 5);
      expect(hits.map((h) => h.id)).toEqual(["e1"]);
    } finally {
      await store.close();
    }
  });
});
