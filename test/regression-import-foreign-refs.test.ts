/**
 * Regression (isolation property test, seed 1955761431: "export by 0/2 shows id … of 0/1";
 * replay with `MNEMO_SOAK_SEED=1955761431 npx vitest run test/server-isolation.test.ts`):
 * importing another user's export rebound the ids of the records in the file, but a
 * reference to a record the file does not hold (a history row citing a message deleted
 * since) kept the other user's id, which then showed in the importer's
 * own export. Every reference is now rebound like the records.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mnemo } from "../src/mnemo.js";
import { openTempMnemo } from "./support/fixtures.js";

let mnemo: Mnemo;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo());
});
afterAll(async () => cleanup());

const exportOf = async (userId: string): Promise<string> => {
  const lines: string[] = [];
  for await (const l of mnemo.export({ userId })) lines.push(l);
  return lines.join("\n");
};

describe("regression: an import never takes another scope's ids through references", () => {
  it("a message cited by history rows but missing from the file gets an id of the importer's own", async () => {
    await mnemo.remember(
      [
        { id: "a1", speaker: "Alice", content: "I live in Boston and I work as a nurse.", occurredAt: "2024-01-01T10:00:00Z" },
        { id: "a2", speaker: "Alice", content: "I adopted a dog named Mochi last weekend.", occurredAt: "2024-02-01T10:00:00Z" },
      ],
      { userId: "alice" },
    );
    const file = (await exportOf("alice")).split("\n");
    const episodes = file.filter((l) => JSON.parse(l).type === "episode");
    const dropped = JSON.parse(episodes[0]!).id as string;
    // alice's file without one of her messages, as after deleting it: memories no longer cite
    // it (one that only did is gone), their history rows still do
    const partial = file
      .flatMap((l) => {
        const r = JSON.parse(l) as { type: string; id?: string; sources?: string[] };
        if (r.type === "episode" && r.id === dropped) return [];
        if (r.type !== "memory" || !r.sources?.includes(dropped)) return [l];
        const sources = r.sources.filter((x) => x !== dropped);
        return sources.length ? [JSON.stringify({ ...r, sources })] : [];
      })
      .join("\n");
    expect(partial).toContain(dropped);
    const aliceIds = new Set([...file.join("\n").matchAll(/\b(?:ep|mem|seg)_[0-9a-f]{16,}\b/g)].map((m) => m[0]));

    await mnemo.import(partial, { userId: "bob" });
    const bob = await exportOf("bob");
    expect(bob).toContain("Mochi");
    expect([...aliceIds].filter((id) => bob.includes(id))).toEqual([]);
  });
});
