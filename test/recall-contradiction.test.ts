/**
 * Contradicted facts: the newer value wins by default, the older one is still the answer
 * "as of" a date before the change, and history shows add → invalidate.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Memory } from "../src/core/types.js";
import type { Mnemo } from "../src/mnemo.js";
import { openTempMnemo } from "./support/fixtures.js";

let mnemo: Mnemo;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo({ now: () => new Date("2023-07-01T00:00:00Z") }));
});
afterAll(async () => {
  await cleanup();
});

async function setup(userId: string, first: string, second: string): Promise<{ all: Memory[] }> {
  const u = { userId };
  await mnemo.remember([{ id: "c1", speaker: "Caroline", content: first, occurredAt: "2023-01-01T10:00:00Z" }], u);
  await mnemo.remember([{ id: "c2", speaker: "Caroline", content: second, occurredAt: "2023-06-01T10:00:00Z" }], u);
  const all = (await mnemo.memories({ ...u, includeInvalidated: true, limit: 100 })).items;
  return { all };
}

describe("contradictions (slot-based invalidation)", () => {
  const u = { userId: "living" };
  let all: Memory[];
  beforeAll(async () => {
    ({ all } = await setup(u.userId, "I'm living in Boston.", "I moved to Denver."));
  });

  it("invalidates the old value, keeps the new one active", () => {
    const boston = all.find((m) => m.text.includes("Boston") && m.kind !== "summary")!;
    const denver = all.find((m) => m.text.includes("Denver") && m.kind !== "summary")!;
    expect(boston.slot).toBe("caroline|lives_in");
    expect(denver.slot).toBe("caroline|lives_in");
    expect(boston.invalidatedAt).not.toBeNull();
    expect(boston.validTo).toBe("2023-06-01T10:00:00.000Z");
    expect(denver.invalidatedAt).toBeNull();
    expect(denver.validTo).toBeNull();
  });

  it("default recall (memories) shows Denver, not Boston", async () => {
    const r = await mnemo.recall("Where does Caroline live?", { ...u, reinforce: false, includeEpisodes: false });
    expect(r.context).toContain("Denver");
    expect(r.context).not.toContain("Boston");
  });

  it("asOf before the move shows Boston, not Denver", async () => {
    const r = await mnemo.recall("Where does Caroline live?", { ...u, reinforce: false, asOf: "2023-03-01" });
    expect(r.context).toContain("Boston");
    expect(r.context).not.toContain("Denver");
    const after = await mnemo.recall("Where does Caroline live?", { ...u, reinforce: false, asOf: "2023-06-15", includeEpisodes: false });
    expect(after.context).toContain("Denver");
    expect(after.context).not.toContain("Boston");
  });

  it("history of the old memory shows add then invalidate", async () => {
    const boston = all.find((m) => m.text.includes("Boston") && m.kind !== "summary")!;
    const h = await mnemo.history(boston.id, u);
    expect(h.map((x) => x.op)).toEqual(["add", "invalidate"]);
    expect(h[0]!.validTo).toBeNull();
    expect(h[1]!.validTo).toBe("2023-06-01T10:00:00.000Z");
    expect(h[1]!.reason).toContain("Denver");
    expect(h.map((x) => x.version)).toEqual([1, 2]);
  });

  it("BUG recall: the verbatim episode of a contradicted fact is still recalled by default (shows Boston)", async () => {
    const r = await mnemo.recall("Where does Caroline live?", { ...u, reinforce: false });
    expect(r.context).toContain("Denver");
    expect(r.context).not.toContain("Boston");
  });
});

describe("contradictions stated in the plain first person", () => {
  it("BUG extractor: 'I live in Boston' gets no lives_in slot, so 'I moved to Denver' never invalidates it", async () => {
    const { all } = await setup("live-moved", "I live in Boston.", "I moved to Denver.");
    const boston = all.find((m) => m.text.includes("Boston") && m.kind !== "summary")!;
    expect(boston.slot).toBe("caroline|lives_in");
    expect(boston.invalidatedAt).not.toBeNull();
    const r = await mnemo.recall("Where does Caroline live?", { userId: "live-moved", reinforce: false, includeEpisodes: false });
    expect(r.context).toContain("Denver");
    expect(r.context).not.toContain("Boston");
    const asOf = await mnemo.recall("Where does Caroline live?", { userId: "live-moved", reinforce: false, asOf: "2023-03-01" });
    expect(asOf.context).toContain("Boston");
    expect(asOf.context).not.toContain("Denver");
  });

  it("BUG extractor: 'I live in Boston' then 'I live in Denver' keeps both as current", async () => {
    const { all } = await setup("live-live", "I live in Boston.", "I live in Denver.");
    const boston = all.find((m) => m.text.includes("Boston") && m.kind !== "summary")!;
    expect(boston.invalidatedAt).not.toBeNull();
    const r = await mnemo.recall("Where does Caroline live?", { userId: "live-live", reinforce: false, includeEpisodes: false });
    expect(r.context).toContain("Denver");
    expect(r.context).not.toContain("Boston");
  });

  it("BUG extractor: 'I work as a nurse' then 'I work as a teacher' keeps both jobs current", async () => {
    const { all } = await setup("work-work", "I work as a nurse at Mercy Hospital.", "I work as a teacher at Lincoln High.");
    const nurse = all.find((m) => m.text.includes("nurse") && m.kind !== "summary")!;
    expect(nurse.slot).toBe("caroline|job");
    expect(nurse.invalidatedAt).not.toBeNull();
  });
});
