import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDER_META_KEY } from "../src/core/context.js";
import { Mnemo } from "../src/mnemo.js";
import { HashingEmbedder } from "../src/providers/embeddings/hashing.js";
import { expectCode, exportText, fingerprint, locomo, tempDir } from "./support/fixtures.js";

const U = { userId: "conv-26" };
const Q = "When did Caroline go to the LGBTQ support group?";
let dir: string;
let rm: () => void;
let path: string;
let exported: string;
let defaultId: string | null;

beforeAll(async () => {
  ({ dir, cleanup: rm } = tempDir());
  path = join(dir, "embed.db");
  const m = await Mnemo.open({ path });
  for (const s of locomo("conv-26", 2).sessions) await m.remember(s.messages, U);
  exported = await exportText(m, U.userId);
  defaultId = await m.store.getMeta(EMBEDDER_META_KEY);
  await m.close();
});
afterAll(() => rm());

describe("embedder changes", () => {
  it("reopening with another embedder is EMBEDDER_MISMATCH for remember, recall and import, and nothing is written", async () => {
    const m = await Mnemo.open({ path, embedder: new HashingEmbedder({ dim: 128 }) });
    try {
      const before = await fingerprint(m, ["conv-26", "fresh"]);
      // The default embedder (whatever it is) made the stored vectors.
      const stored = await m.store.getMeta(EMBEDDER_META_KEY);
      expect(stored).toBe(defaultId);
      expect(stored).not.toBe("hashing-v1-128:128");
      const err = await expectCode(m.recall(Q, U), "EMBEDDER_MISMATCH");
      expect(err.message).toContain(stored!);
      expect(err.message).toContain("hashing-v1-128");
      expect(err.hint).toMatch(/reembed/);
      await expectCode(m.remember([{ id: "new-1", speaker: "Caroline", content: "I bought a violin today.", occurredAt: "2023-06-01" }], U), "EMBEDDER_MISMATCH");
      await expectCode(m.remember([{ speaker: "Ann", content: "A brand new user speaking." }], { userId: "fresh" }), "EMBEDDER_MISMATCH");
      await expectCode(m.import(exported.replace('"userId":"conv-26"}', '"userId":"fresh"}'), { userId: "fresh", tenant: "t-other" }), "EMBEDDER_MISMATCH");
      expect(await fingerprint(m, ["conv-26", "fresh"])).toEqual(before);
      expect(await m.users("t-other")).toEqual([]);
      // Reads that do not use vectors still work.
      expect((await m.memories(U)).items.length).toBeGreaterThan(0);
    } finally {
      await m.close();
    }
  });

  it("reembed() rebuilds every vector with the new embedder and clears the mismatch", async () => {
    const m = await Mnemo.open({ path, embedder: new HashingEmbedder({ dim: 128 }) });
    try {
      const statsBefore = await m.stats();
      const r = await m.reembed();
      expect(r.vectors).toBe(statsBefore.vectors);
      expect(await m.stats()).toEqual(statsBefore);
      for (const target of ["memory", "episode"] as const) {
        const v = await m.store.loadVectors({ tenant: "default", userId: "conv-26" }, target);
        expect(v.ids.length).toBeGreaterThan(0);
        expect(v.dim).toBe(128);
      }
      const rec = await m.recall(Q, { ...U, reinforce: false });
      const rank = [...rec.results].sort((a, b) => b.score - a.score).findIndex((x) => x.sources.includes("D1:3"));
      expect(rank).toBeGreaterThanOrEqual(0);
      expect(rank).toBeLessThan(3);
      expect(rec.results.some((x) => x.channels.dense !== undefined)).toBe(true);
      const add = await m.remember([{ id: "new-1", speaker: "Caroline", content: "I bought a violin today.", occurredAt: "2023-06-01" }], U);
      expect(add.episodes.added).toBe(1);
      expect(await exportText(m, U.userId)).toContain("violin");
    } finally {
      await m.close();
    }
    // The store now belongs to the new embedder: the old default is the mismatch.
    const old = await Mnemo.open({ path });
    try {
      await expectCode(old.recall(Q, U), "EMBEDDER_MISMATCH");
    } finally {
      await old.close();
    }
  });
});
