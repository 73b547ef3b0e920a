/**
 * Export / import: JSONL round trip, idempotent re-import, strict validation of files.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mnemo } from "../src/mnemo.js";
import { expectCode, exportText, fingerprint, ingestLocomo, locomo, openTempMnemo } from "./support/fixtures.js";

const U = { userId: "conv-26" };
const NOW = () => new Date("2023-07-01T00:00:00Z");
let src: { mnemo: Mnemo; cleanup: () => Promise<void> };
let dst: { mnemo: Mnemo; cleanup: () => Promise<void> };
let exported: string;

beforeAll(async () => {
  src = await openTempMnemo({ now: NOW });
  dst = await openTempMnemo({ now: NOW });
  await ingestLocomo(src.mnemo, locomo("conv-26", 3), U.userId);
  // Every kind of history: contradiction (invalidate), forget, patch, reinforce.
  await src.mnemo.remember([{ id: "x1", speaker: "Caroline", content: "I'm living in Boston.", occurredAt: "2023-06-10" }], U);
  await src.mnemo.remember([{ id: "x2", speaker: "Caroline", content: "I moved to Denver.", occurredAt: "2023-06-20" }], U);
  const mems = (await src.mnemo.memories({ ...U, limit: 20 })).items.filter((m) => m.kind !== "summary" && !/Boston|Denver/.test(m.text));
  await src.mnemo.forget(mems[0]!.id, U);
  await src.mnemo.update(mems[1]!.id, { text: `${mems[1]!.text} (edited)` }, U);
  await src.mnemo.recall("When did Caroline go to the LGBTQ support group?", U);
  await src.mnemo.remember([{ id: "o1", speaker: "Other", content: "I collect vintage typewriters.", occurredAt: "2023-01-01" }], { userId: "bystander" });
  exported = await exportText(src.mnemo, U.userId);
});
afterAll(async () => {
  await src.cleanup();
  await dst.cleanup();
});

describe("export", () => {
  it("writes a header and one line per record, deterministically", async () => {
    const lines = exported.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toEqual({ type: "mnemo-export", version: 1, userId: "conv-26" });
    const count = (t: string) => lines.filter((l) => l.type === t).length;
    const stats = await src.mnemo.stats({ tenant: "default", userId: "conv-26" });
    expect(count("episode")).toBe(stats.episodes);
    expect(count("segment")).toBe(stats.segments);
    expect(count("entity")).toBe(stats.entities);
    expect(count("memory")).toBeGreaterThan(stats.memories); // includes invalidated and forgotten ones
    const ops = new Set(lines.filter((l) => l.type === "history").map((l) => l.op));
    for (const op of ["add", "invalidate", "forget", "patch"]) expect(ops.has(op), op).toBe(true);
    expect(lines.every((l) => l.type === "mnemo-export" || l.type === "history" || l.userId === "conv-26")).toBe(true);
    expect(exported).not.toContain("typewriters");
    expect(await exportText(src.mnemo, U.userId)).toBe(exported);
  });

  it("an unknown user is UNKNOWN_USER", async () => {
    await expectCode(exportText(src.mnemo, "nobody"), "UNKNOWN_USER");
    await expectCode(exportText(src.mnemo, "conv-26", "other-tenant"), "UNKNOWN_USER");
  });
});

describe("import", () => {
  it("export → import into a fresh store → export is byte-identical", async () => {
    const r = await dst.mnemo.import(exported);
    const stats = await src.mnemo.stats({ tenant: "default", userId: "conv-26" });
    expect(r.episodes).toBe(stats.episodes);
    expect(r.entities).toBe(stats.entities);
    expect(await exportText(dst.mnemo, U.userId)).toBe(exported);
    expect(await dst.mnemo.stats({ tenant: "default", userId: "conv-26" })).toEqual(stats);
    expect(await dst.mnemo.users()).toEqual(["conv-26"]);
  });

  it("recall works after import", async () => {
    for (const [q, ev] of [
      ["When did Caroline go to the LGBTQ support group?", "D1:3"],
      ["When did Melanie run a charity race?", "D2:1"],
      ["When did Caroline give a speech at a school?", "D3:1"],
    ] as const) {
      // D3:1 (a talk about Caroline's transgender journey) is withheld by the default sensitive policy, as in recall-basics.
      const r = await dst.mnemo.recall(q, { ...U, reinforce: false, ...(ev === "D3:1" ? { sensitive: "include" as const } : {}) });
      const rank = [...r.results].sort((a, b) => b.score - a.score).findIndex((x) => x.sources.includes(ev));
      expect(rank, q).toBeGreaterThanOrEqual(0);
      expect(rank, q).toBeLessThan(3);
    }
    const live = await dst.mnemo.recall("Where does Caroline live?", { ...U, reinforce: false, includeEpisodes: false });
    expect(live.context).toContain("Denver");
    expect(live.context).not.toContain("Boston");
    // Vectors were rebuilt for the imported rows.
    expect((await dst.mnemo.stats()).vectors).toBe((await src.mnemo.stats({ tenant: "default", userId: "conv-26" })).vectors);
  });

  it("re-importing the same file changes nothing", async () => {
    const before = await fingerprint(dst.mnemo, ["conv-26"]);
    const r = await dst.mnemo.import(exported);
    expect(r.episodes).toBe(0);
    expect(await fingerprint(dst.mnemo, ["conv-26"])).toEqual(before);
    expect(await exportText(dst.mnemo, U.userId)).toBe(exported);
  });

  it("imports into the tenant given by the caller", async () => {
    const t = await openTempMnemo({ now: NOW });
    try {
      await t.mnemo.import(exported, { tenant: "acme" });
      expect(await t.mnemo.users("acme")).toEqual(["conv-26"]);
      expect(await t.mnemo.users()).toEqual([]);
      const again = await exportText(t.mnemo, "conv-26", "acme");
      expect(again.split("\n").length).toBe(exported.split("\n").length);
      // Ids derived from the scope (entities, profile summaries) are rebound to the new
      // tenant; every record, text and source is otherwise the same.
      const shape = (text: string) =>
        text
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => {
            const o = JSON.parse(l) as Record<string, unknown>;
            return [o.type, o.text ?? o.name ?? o.summary ?? "", o.externalId ?? "", String(((o.sources ?? o.episodeIds ?? []) as unknown[]).length)].join("|");
          })
          .sort();
      expect(shape(again)).toEqual(shape(exported));
      expect(again).not.toContain('"tenant":"default"');
      const r = await t.mnemo.recall("When did Caroline go to the LGBTQ support group?", { ...U, tenant: "acme", reinforce: false });
      expect(r.results.some((x) => x.sources.includes("D1:3"))).toBe(true);
    } finally {
      await t.cleanup();
    }
  });

  describe("malformed files are rejected with a typed error and change nothing", () => {
    const header = JSON.stringify({ type: "mnemo-export", version: 1, userId: "newuser" });
    const lines = () => exported.trim().split("\n");
    const firstOf = (t: string) => JSON.parse(lines().find((l) => JSON.parse(l).type === t)!) as Record<string, unknown>;
    const cases: Array<[string, () => string, string]> = [
      ["empty file", () => "", "INVALID_INPUT"],
      ["blank lines only", () => "\n \n\n", "INVALID_INPUT"],
      ["not JSON", () => "this is not json\n", "INVALID_JSON"],
      ["header is an array", () => "[1,2,3]\n", "INVALID_JSON"],
      ["wrong header type", () => JSON.stringify({ type: "something-else", version: 1, userId: "newuser" }), "INVALID_INPUT"],
      ["unsupported version", () => JSON.stringify({ type: "mnemo-export", version: 2, userId: "newuser" }), "INVALID_INPUT"],
      ["header without userId", () => JSON.stringify({ type: "mnemo-export", version: 1 }), "INVALID_INPUT"],
      ["header with an invalid userId", () => JSON.stringify({ type: "mnemo-export", version: 1, userId: "../etc/passwd" }), "INVALID_SCOPE"],
      ["a bad JSON line after valid ones", () => [header, ...lines().slice(1), '{"type":"episode",'].join("\n"), "INVALID_JSON"],
      ["a bad JSON line in the middle", () => [header, ...lines().slice(1, 5), "{oops}", ...lines().slice(5)].join("\n"), "INVALID_JSON"],
      ["an unknown record type", () => [header, ...lines().slice(1), JSON.stringify({ type: "alien", id: "x" })].join("\n"), "INVALID_INPUT"],
      ["a record without a type", () => [header, JSON.stringify({ id: "x" })].join("\n"), "INVALID_INPUT"],
      ["an episode with an unknown field", () => [header, JSON.stringify({ ...firstOf("episode"), extra: 1 })].join("\n"), "INVALID_INPUT"],
      ["an episode without text", () => [header, JSON.stringify({ ...firstOf("episode"), text: undefined })].join("\n"), "INVALID_INPUT"],
      ["a memory without sources", () => [header, JSON.stringify({ ...firstOf("memory"), sources: [] })].join("\n"), "INVALID_INPUT"],
      ["a memory of an unknown kind", () => [header, JSON.stringify({ ...firstOf("memory"), kind: "rumour" })].join("\n"), "INVALID_INPUT"],
      ["a history row with an unknown op", () => [header, JSON.stringify({ ...firstOf("history"), op: "explode" })].join("\n"), "INVALID_INPUT"],
      ["an entity with an unknown type", () => [header, JSON.stringify({ ...firstOf("entity"), entityType: "planet" })].join("\n"), "INVALID_INPUT"],
    ];
    for (const [name, make, code] of cases) {
      it(name, async () => {
        const before = await fingerprint(dst.mnemo, ["conv-26", "newuser"]);
        await expectCode(dst.mnemo.import(make()), code as never);
        expect(await fingerprint(dst.mnemo, ["conv-26", "newuser"])).toEqual(before);
        expect(await dst.mnemo.users()).toEqual(["conv-26"]);
      });
    }
  });

  it("copies an export into another user or tenant of the same store with ids of its own, leaving the original untouched", async () => {
    const before = (await fingerprint(src.mnemo, ["conv-26", "bystander"])).exports;
    await src.mnemo.import(exported, { userId: "conv-26-copy" });
    await src.mnemo.import(exported, { userId: "conv-26", tenant: "other-tenant" });
    expect((await fingerprint(src.mnemo, ["conv-26", "bystander"])).exports).toEqual(before);
    expect(await exportText(src.mnemo, U.userId)).toBe(exported);
    const original = new Set(exported.split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { id?: string }).id).filter(Boolean));
    for (const [userId, tenant] of [["conv-26-copy", undefined], ["conv-26", "other-tenant"]] as const) {
      const copy = await exportText(src.mnemo, userId, tenant);
      const ids = copy.split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { id?: string }).id).filter(Boolean);
      expect(ids.length).toBe(original.size);
      expect(ids.filter((id) => original.has(id))).toEqual([]);
      const r = await src.mnemo.recall("When did Caroline go to the LGBTQ support group?", { userId, tenant, reinforce: false });
      expect(r.results.some((x) => x.sources.includes("D1:3"))).toBe(true);
      // Re-importing the same file into the copy changes nothing.
      await src.mnemo.import(exported, { userId, tenant });
      expect(await exportText(src.mnemo, userId, tenant)).toBe(copy);
    }
  });
});
