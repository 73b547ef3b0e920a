import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecallResponse } from "../src/core/types.js";
import type { Mnemo } from "../src/mnemo.js";
import { CHANNELS } from "../src/recall/channels.js";
import { expectCode, ingestLocomo, locomo, openTempMnemo } from "./support/fixtures.js";

const U = { userId: "conv-26" };
let mnemo: Mnemo;
let cleanup: () => Promise<void>;
let extIds: Set<string>;

beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo({ now: () => new Date("2023-07-01T00:00:00Z") }));
  const conv = locomo("conv-26", 4);
  await ingestLocomo(mnemo, conv, U.userId);
  extIds = new Set(conv.sessions.flatMap((s) => s.messages.map((m) => m.id!)));
});
afterAll(async () => {
  await cleanup();
});

/** Rank by score of the first result citing the evidence (results are in packing order). */
function rankOf(r: RecallResponse, evidence: string[]): number {
  return [...r.results].sort((a, b) => b.score - a.score).findIndex((x) => x.sources.some((s) => evidence.includes(s)));
}

describe("recall: results", () => {
  it("cite sources as external ids of the scope's episodes and carry their time", async () => {
    const r = await mnemo.recall("When did Caroline go to the LGBTQ support group?", { ...U, reinforce: false, citeSources: true });
    expect(r.results.length).toBeGreaterThan(3);
    for (const x of r.results) {
      expect(x.sources.length).toBeGreaterThan(0);
      for (const s of x.sources) {
        expect(s).toMatch(/^D\d+:\d+$/);
        expect(extIds.has(s)).toBe(true);
      }
      expect(x.occurredAt).not.toBeNull();
      expect(new Date(x.occurredAt!).toISOString()).toBe(x.occurredAt);
      expect(x.tokens).toBeGreaterThan(0);
      expect(["memory", "episode"]).toContain(x.type);
      if (x.type === "episode") expect(x.kind).toBe("episode");
      // Every result is cited in the context when asked.
      expect(r.context).toContain(`(${x.sources[0]}`);
    }
    // Without citeSources the same lines come without ids, so the same budget holds more.
    const plain = await mnemo.recall("When did Caroline go to the LGBTQ support group?", { ...U, reinforce: false });
    expect(plain.context).not.toMatch(/\(D\d+:\d+\)/);
    expect(plain.results.length).toBeGreaterThan(r.results.length);
    const top = r.results.find((x) => x.sources.includes("D1:3"))!;
    expect(top).toBeDefined();
    // The support group visit was "yesterday" on 8 May 2023.
    if (top.type === "memory") expect(top.occurredAt).toBe("2023-05-07T00:00:00.000Z");
    else expect(top.occurredAt).toBe("2023-05-08T13:56:00.000Z");
  });

  // [question, gold turns, rank the gold must beat]. The answer to the "why" question is a
  // long turn whose short pieces (its neighbour lines) rank just below the other adoption
  // facts, so it gets a looser bound; every gold turn must also fit a 200-token context.
  const fixture: Array<[string, string[], number]> = [
    ["When did Caroline go to the LGBTQ support group?", ["D1:3"], 3],
    ["When did Melanie run a charity race?", ["D2:1"], 3],
    ["When did Caroline give a speech at a school?", ["D3:1"], 3],
    ["Why did Caroline choose the adoption agency?", ["D2:12"], 5],
    ["What does Caroline's necklace symbolize?", ["D4:3"], 3],
    ["What workshop did Caroline attend recently?", ["D4:13"], 3],
  ];
  // D4:13 is an LGBTQ+ counselling workshop (sexuality, health), D3:1 a talk about Caroline's
  // transgender journey, and the questions name neither topic: the default
  // `sensitive: "relevant"` withholds them (docs/SECURITY.md), so their ranking is checked
  // with the policy off and the withholding is checked below.
  const policyOff = new Set(["What workshop did Caroline attend recently?", "When did Caroline give a speech at a school?"]);
  it("withholds a sensitive gold turn the question does not ask about, and says so (default policy)", async () => {
    const r = await mnemo.recall("What workshop did Caroline attend recently?", { ...U, reinforce: false });
    expect(rankOf(r, ["D4:13"])).toBe(-1);
    expect(r.withheld?.sensitive).toBeGreaterThan(0);
    expect(r.withheld?.categories).toContain("sexuality");
  });
  for (const [q, evidence, within] of fixture) {
    it(`ranks the gold evidence in the top ${within} and within 200 tokens: "${q}"`, async () => {
      const r = await mnemo.recall(q, { ...U, reinforce: false, ...(policyOff.has(q) ? { sensitive: "include" as const } : {}) });
      const rank = rankOf(r, evidence);
      expect(rank, r.results.slice(0, 5).map((x) => `${x.sources.join(",")} ${x.text}`).join("\n")).toBeGreaterThanOrEqual(0);
      expect(rank).toBeLessThan(within);
      const tight = await mnemo.recall(q, { ...U, reinforce: false, budgetTokens: 200, ...(policyOff.has(q) ? { sensitive: "include" as const } : {}) });
      expect(rankOf(tight, evidence)).toBeGreaterThanOrEqual(0);
    });
  }

  it("is deterministic without reinforcement", async () => {
    const q = "What did Caroline research?";
    const a = await mnemo.recall(q, { ...U, reinforce: false, budgetTokens: 400 });
    const b = await mnemo.recall(q, { ...U, reinforce: false, budgetTokens: 400 });
    expect(b).toEqual(a);
  });

  it("reports each channel's contribution in results[].channels", async () => {
    const r = await mnemo.recall("When did Melanie run a charity race?", { ...U, reinforce: false });
    const seen = new Set<string>();
    for (const x of r.results) {
      const entries = Object.entries(x.channels);
      expect(entries.length).toBeGreaterThan(0);
      for (const [c, v] of entries) {
        expect(Number.isFinite(v) && v > 0, `${c}=${v}`).toBe(true);
        seen.add(c);
      }
      expect(Number.isFinite(x.score) && x.score > 0).toBe(true);
    }
    // The fused channels all took part for this question.
    for (const c of ["lexical", "dense", "graph"]) expect(seen.has(c), c).toBe(true);
    // The best result was found by several channels, not one.
    const top = r.results.find((x) => x.sources.includes("D2:1"))!;
    expect(Object.keys(top.channels).filter((c) => (CHANNELS as readonly string[]).includes(c)).length).toBeGreaterThanOrEqual(2);
  });

  it("uses only the channels asked for: a disabled channel contributes nothing", async () => {
    const contributors = (r: RecallResponse) => new Set(r.results.flatMap((x) => Object.keys(x.channels).filter((c) => (CHANNELS as readonly string[]).includes(c))));
    const lex = await mnemo.recall("When did Melanie run a charity race?", { ...U, reinforce: false, channels: ["lexical"] });
    expect(lex.results.length).toBeGreaterThan(0);
    expect([...contributors(lex)]).toEqual(["lexical"]);
    const d = await mnemo.recall("When did Melanie run a charity race?", { ...U, reinforce: false, channels: ["dense", "graph"] });
    expect(d.results.length).toBeGreaterThan(0);
    for (const c of contributors(d)) expect(["dense", "graph"]).toContain(c);
    const all = await mnemo.recall("When did Melanie run a charity race?", { ...U, reinforce: false });
    expect(contributors(all).size).toBeGreaterThan(contributors(lex).size);
  });

  it("filters by memory kind and then leaves episodes out", async () => {
    for (const kinds of [["event"], ["preference", "profile"]] as const) {
      const r = await mnemo.recall("What does Caroline like and do?", { ...U, reinforce: false, kinds: [...kinds] });
      expect(r.results.length).toBeGreaterThan(0);
      for (const x of r.results) {
        expect(x.type).toBe("memory");
        expect(kinds as readonly string[]).toContain(x.kind);
      }
    }
    // Control: without a kinds filter the same question does bring verbatim episodes.
    const all = await mnemo.recall("What does Caroline like and do?", { ...U, reinforce: false, budgetTokens: 4000 });
    expect(all.results.some((x) => x.type === "episode")).toBe(true);
    const noEpisodes = await mnemo.recall("What does Caroline like and do?", { ...U, reinforce: false, budgetTokens: 4000, includeEpisodes: false });
    expect(noEpisodes.results.length).toBeGreaterThan(0);
    expect(noEpisodes.results.every((x) => x.type === "memory")).toBe(true);
  });

  it("asOf only returns what was known at that time", async () => {
    // Session 1 is 8 May 2023, session 2 is 25 May 2023.
    const r = await mnemo.recall("What did Caroline and Melanie talk about?", { ...U, reinforce: false, asOf: "2023-05-20T00:00:00Z" });
    expect(r.results.length).toBeGreaterThan(0);
    for (const x of r.results) for (const s of x.sources) expect(s.startsWith("D1:"), `${s} ${x.text}`).toBe(true);
    const later = await mnemo.recall("What did Caroline and Melanie talk about?", { ...U, reinforce: false });
    expect(later.results.some((x) => x.sources.some((s) => !s.startsWith("D1:")))).toBe(true);
  });

  it("filters by session and speaker", async () => {
    const r = await mnemo.recall("adoption agency kids", { ...U, reinforce: false, filters: { sessionId: "session_2" } });
    expect(r.results.length).toBeGreaterThan(0);
    for (const x of r.results) expect(x.sources.some((s) => s.startsWith("D2:"))).toBe(true);
    const s = await mnemo.recall("painting and kids", { ...U, reinforce: false, filters: { speaker: "Melanie" } });
    expect(s.results.length).toBeGreaterThan(0);
    for (const x of s.results) expect(x.speaker).toBe("Melanie");
  });

  it("reinforces the returned memories unless told not to", async () => {
    const q = "What does Caroline's necklace symbolize?";
    const first = await mnemo.recall(q, { ...U, reinforce: false });
    const id = first.results.find((x) => x.type === "memory")!.id;
    const before = await mnemo.memory(id, U);
    await mnemo.recall(q, { ...U, reinforce: false });
    expect((await mnemo.memory(id, U)).accessCount).toBe(before.accessCount);
    const r = await mnemo.recall(q, U);
    expect(r.results.some((x) => x.id === id)).toBe(true);
    const after = await mnemo.memory(id, U);
    expect(after.accessCount).toBe(before.accessCount + 1);
    expect(after.strength).toBeGreaterThan(before.strength);
    expect(after.lastAccessedAt).toBe("2023-07-01T00:00:00.000Z");
  });

  it("returns the query analysis", async () => {
    const r = await mnemo.recall("What did Melanie paint in May 2023?", { ...U, reinforce: false });
    expect(r.query.text).toBe("What did Melanie paint in May 2023?");
    expect(r.query.entities).toContain("Melanie");
    expect(r.query.timeRange).toEqual({ from: "2023-05-01T00:00:00.000Z", to: "2023-06-01T00:00:00.000Z" });
  });
});

describe("recall: validation", () => {
  it("rejects an empty or blank query with INVALID_INPUT", async () => {
    await expectCode(mnemo.recall("", U), "INVALID_INPUT");
    await expectCode(mnemo.recall("   \n", U), "INVALID_INPUT");
    await expectCode(mnemo.recall(undefined as unknown as string, U), "INVALID_INPUT");
    await expectCode(mnemo.recall(42 as unknown as string, U), "INVALID_INPUT");
    await expectCode(mnemo.recall("Where?", { ...U, citeSources: "yes" as unknown as boolean }), "INVALID_INPUT");
  });

  it("rejects an oversized query with PAYLOAD_TOO_LARGE", async () => {
    await expectCode(mnemo.recall("word ".repeat(2001), U), "PAYLOAD_TOO_LARGE");
  });

  it("rejects a bad asOf or period filter with INVALID_DATE", async () => {
    await expectCode(mnemo.recall("support group", { ...U, asOf: "2023-02-30" }), "INVALID_DATE");
    await expectCode(mnemo.recall("support group", { ...U, asOf: "last tuesday-ish" }), "INVALID_DATE");
    await expectCode(mnemo.recall("support group", { ...U, asOf: new Date("nope") }), "INVALID_DATE");
    await expectCode(mnemo.recall("support group", { ...U, filters: { from: "soon" } }), "INVALID_DATE");
    await expectCode(mnemo.recall("support group", { ...U, filters: { to: "2023-13-01" } }), "INVALID_DATE");
  });

  it("rejects bad options with INVALID_INPUT and a bad scope with INVALID_SCOPE", async () => {
    for (const o of [{ budgetTokens: 0 }, { budgetTokens: -5 }, { budgetTokens: 10.5 }, { budgetTokens: "100" }, { kinds: ["bogus"] }, { channels: ["telepathy"] }, { filters: { mood: "happy" } }]) {
      await expectCode(mnemo.recall("support group", { ...U, ...(o as object) }), "INVALID_INPUT");
    }
    await expectCode(mnemo.recall("support group", { userId: "../etc" }), "INVALID_SCOPE");
    await expectCode(mnemo.recall("support group", { userId: "" }), "INVALID_SCOPE");
  });

  it("an unknown user gets an empty answer, not an error, and is not created", async () => {
    const usersBefore = await mnemo.users();
    const r = await mnemo.recall("When did Caroline go to the LGBTQ support group?", { userId: "nobody-here" });
    expect(r).toMatchObject({ context: "", contextTokens: 0, results: [] });
    const t = await mnemo.recall("support group", { userId: "conv-26", tenant: "other-tenant" });
    expect(t.results).toEqual([]);
    expect(await mnemo.users()).toEqual(usersBefore);
    expect(await mnemo.users("other-tenant")).toEqual([]);
  });
});
