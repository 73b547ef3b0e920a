/**
 * Decay: a memory reinforced by repetition fades more slowly, so it ranks above an
 * otherwise equal one. Built through the public API with mirrored scopes, so the text
 * of either memory cannot be what decides the order. ("I adore …" is a preference, so Jon's
 * profile summary quotes both lines; it is left out of these checks.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mnemo } from "../src/mnemo.js";
import { openTempMnemo } from "./support/fixtures.js";

const SAID = "2023-01-01T10:00:00Z";
const HIKING = "I adore hiking near the glacier lakes of Norway.";
const BIKING = "I adore biking near the glacier lakes of Norway.";
const QUERY = "glacier lakes of Norway";

let clock = new Date("2023-05-01T00:00:00Z");
let mnemo: Mnemo;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo({ now: () => clock }));
  // "rep-hiking" repeats the hiking sentence, "rep-biking" the biking one, "no-rep" neither.
  for (const [userId, repeated] of [["rep-hiking", HIKING], ["rep-biking", BIKING], ["no-rep", null]] as const) {
    const msgs = [
      { id: "1", speaker: "Jon", content: HIKING, occurredAt: SAID },
      { id: "2", speaker: "Jon", content: BIKING, occurredAt: SAID },
    ];
    if (repeated) msgs.push({ id: "3", speaker: "Jon", content: repeated, occurredAt: SAID });
    await mnemo.remember(msgs, { userId });
  }
});
afterAll(async () => {
  await cleanup();
});

/** The two memories by recall score, best first (results themselves are in packing order). */
async function order(userId: string): Promise<string[]> {
  const r = await mnemo.recall(QUERY, { userId, reinforce: false, includeEpisodes: false });
  return r.results
    .filter((x) => x.kind !== "summary" && /adore/.test(x.text))
    .sort((a, b) => b.score - a.score)
    .map((x) => (x.text.includes("hiking") ? "hiking" : "biking"));
}

describe("decay and reinforcement", () => {
  it("repetition reinforces the memory instead of duplicating it", async () => {
    for (const [userId, word] of [["rep-hiking", "hiking"], ["rep-biking", "biking"]] as const) {
      const mems = (await mnemo.memories({ userId })).items.filter((m) => m.kind !== "summary" && /adore/.test(m.text));
      expect(mems).toHaveLength(2);
      const rep = mems.find((m) => m.text.includes(word))!;
      const other = mems.find((m) => !m.text.includes(word))!;
      expect(rep.strength).toBeGreaterThan(other.strength);
      expect(rep.sources).toHaveLength(2);
      expect(other.sources).toHaveLength(1);
      expect(rep.lastAccessedAt).toBe(other.lastAccessedAt);
      expect((await mnemo.history(rep.id, { userId })).map((h) => h.op)).toEqual(["add", "reinforce"]);
    }
  });

  it("a reinforced memory ranks above an otherwise equal one, whichever it is", async () => {
    clock = new Date("2023-05-01T00:00:00Z");
    expect((await order("rep-hiking")).slice(0, 2)).toEqual(["hiking", "biking"]);
    expect((await order("rep-biking")).slice(0, 2)).toEqual(["biking", "hiking"]);
  });

  it("the reinforced memory keeps more of its score as time passes", async () => {
    const scores = async (userId: string) => {
      const r = await mnemo.recall(QUERY, { userId, reinforce: false, includeEpisodes: false });
      return Object.fromEntries(r.results.filter((x) => x.kind !== "summary" && /adore/.test(x.text)).map((x) => [x.text.includes("hiking") ? "hiking" : "biking", x.score]));
    };
    clock = new Date(SAID);
    const fresh = await scores("rep-hiking");
    clock = new Date("2023-05-01T00:00:00Z");
    const later = await scores("rep-hiking");
    clock = new Date("2023-05-01T00:00:00Z");
    expect(later.hiking!).toBeLessThan(fresh.hiking!);
    expect(later.biking!).toBeLessThan(fresh.biking!);
    expect(later.hiking! / fresh.hiking!).toBeGreaterThan(later.biking! / fresh.biking!);
  });

  it("recall itself reinforces: the recalled memory gains strength", async () => {
    const before = (await mnemo.memories({ userId: "no-rep" })).items.filter((m) => m.kind !== "summary" && /adore/.test(m.text));
    await mnemo.recall(QUERY, { userId: "no-rep", includeEpisodes: false });
    const after = (await mnemo.memories({ userId: "no-rep" })).items.filter((m) => m.kind !== "summary" && /adore/.test(m.text));
    for (const m of after) {
      const b = before.find((x) => x.id === m.id)!;
      expect(m.strength).toBeGreaterThan(b.strength);
      expect(m.accessCount).toBe(b.accessCount + 1);
    }
  });
});
