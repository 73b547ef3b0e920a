/**
 * Regression: recall `asOf` showed a memory as refined by a later turn (its current text
 * and sources), i.e. what was learnt after `asOf`. It must show the version known then.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mnemo } from "../src/mnemo.js";
import { openTempMnemo } from "./support/fixtures.js";

let mnemo: Mnemo;
let cleanup: () => Promise<void>;
const u = { userId: "asof-refined" };

beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo({ now: () => new Date("2023-07-01T00:00:00Z") }));
  await mnemo.remember([{ id: "a", speaker: "Ann", content: "I adopted a puppy named Rex from the shelter.", occurredAt: "2023-05-01T10:00:00Z" }], u);
  await mnemo.remember([{ id: "b", speaker: "Ann", content: "I adopted a puppy named Rex from the shelter in Porto, a golden retriever.", occurredAt: "2023-06-01T10:00:00Z" }], u);
});
afterAll(async () => {
  await cleanup();
});

describe("regression: asOf showed later refinements", () => {
  it("the memory was refined in place (one memory, two versions)", async () => {
    const page = await mnemo.memories({ ...u, includeInvalidated: true });
    const rex = page.items.filter((m) => m.text.includes("Rex"));
    expect(rex).toHaveLength(1);
    expect(rex[0]!.text).toContain("Porto");
    expect(rex[0]!.version).toBe(2);
  });

  it("recall now shows the refined memory citing both turns", async () => {
    const r = await mnemo.recall("Where did Ann adopt Rex?", { ...u, reinforce: false, includeEpisodes: false });
    const hit = r.results.find((x) => x.text.includes("Rex"))!;
    expect(hit.text).toContain("Porto");
    expect(hit.sources.sort()).toEqual(["a", "b"]);
  });

  it("recall as of before the second turn shows the first version, citing only the first turn", async () => {
    const r = await mnemo.recall("Where did Ann adopt Rex?", { ...u, reinforce: false, asOf: "2023-05-15T00:00:00Z" });
    expect(r.results.length).toBeGreaterThan(0);
    for (const x of r.results) expect(x.sources).toEqual(["a"]);
    expect(r.context).not.toContain("Porto");
    expect(r.context).toContain("Rex");
  });

  it("recall as of before the first turn shows nothing", async () => {
    const r = await mnemo.recall("Where did Ann adopt Rex?", { ...u, reinforce: false, asOf: "2023-04-01T00:00:00Z" });
    expect(r.results).toEqual([]);
  });
});
