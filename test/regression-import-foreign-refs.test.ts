/**
 * Regression (isolation property test, seed 1955761431: "export by 0/2 shows id … of 0/1";
 * replay with `MNEMO_SOAK_SEED=1955761431 npx vitest run test/server-isolation.test.ts`):
 * importing another user's export rebound the ids of the records in the file, but a
 * reference to a record the file does not hold (a history row or memory citing a message
 * deleted since) kept the other user's id, which then showed in the importer's own export.
 * Every reference is now rebound like the records.
 */
import { describe, expect, it } from "vitest";
import { isScopedId, scopedId } from "../src/core/ids.js";
import { bindImportIds, type ImportRecords } from "../src/lifecycle/import-ids.js";
import type { Context } from "../src/core/context.js";
import type { Memory, MemoryVersion } from "../src/core/types.js";

describe("regression: an import never takes another scope's ids through references", () => {
  it("a history source and a memory source the file does not hold are rebound to the importer's scope", async () => {
    const from = { tenant: "t", userId: "alice" };
    const to = { tenant: "t", userId: "bob" };
    const gone = scopedId("ep", from); // alice's message, deleted before her export
    const memId = scopedId("mem", from);
    const recs: ImportRecords = {
      episodes: [],
      segments: [],
      entities: [],
      memories: [{ id: memId, kind: "fact", subject: null, sources: [gone], segmentIds: [], entityIds: [], metadata: {} } as unknown as Memory],
      history: [{ memoryId: memId, sources: [gone] } as unknown as MemoryVersion],
    };
    // the target scope holds nothing: the store answers every lookup with no rows
    const store = { getEpisodes: async () => [], getSegments: async () => [], getMemories: async () => [] };
    await bindImportIds({ store } as unknown as Context, to, recs);
    const refs = [recs.memories[0]!.id, ...recs.memories[0]!.sources, recs.history[0]!.memoryId, ...recs.history[0]!.sources];
    expect(refs).not.toContain(gone);
    expect(refs).not.toContain(memId);
    expect(recs.history[0]!.sources[0]).toBe(recs.memories[0]!.sources[0]);
    expect(isScopedId(recs.memories[0]!.sources[0]!, "ep", to)).toBe(true);
  });
});
