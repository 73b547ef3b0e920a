import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countTokens } from "../src/core/tokens.js";
import type { Mnemo } from "../src/mnemo.js";
import { ingestLocomo, locomo, openTempMnemo } from "./support/fixtures.js";

const U = { userId: "conv-26" };
let mnemo: Mnemo;
let cleanup: () => Promise<void>;
let questions: string[];

beforeAll(async () => {
  ({ mnemo, cleanup } = await openTempMnemo({ now: () => new Date("2023-07-01T00:00:00Z") }));
  const conv = locomo("conv-26", 2);
  await ingestLocomo(mnemo, conv, U.userId);
  questions = conv.qa.slice(0, 40).map((q) => q.question);
});
afterAll(async () => {
  await cleanup();
});

describe("recall: token budget", () => {
  it("property: contextTokens ≤ budget and equals countTokens(context), for random budgets and questions", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 20, max: 2000 }), fc.nat({ max: 39 }), fc.boolean(), fc.boolean(), async (budget, qi, includeEpisodes, citeSources) => {
        const r = await mnemo.recall(questions[qi]!, { ...U, budgetTokens: budget, reinforce: false, includeEpisodes, citeSources });
        expect(r.contextTokens).toBeLessThanOrEqual(budget);
        expect(r.contextTokens).toBe(countTokens(r.context));
        // Results and context agree: one line per result (cited when asked), nothing twice.
        expect(r.context.split("\n").filter((l) => l.startsWith("- ")).length).toBe(r.results.length);
        if (citeSources) for (const x of r.results) expect(r.context).toContain(`(${x.sources[0]!})`);
        else expect(r.context).not.toMatch(/\(D\d+:\d+\)/);
        expect(new Set(r.results.map((x) => x.id)).size).toBe(r.results.length);
      }),
      { numRuns: 60 },
    );
  });

  it("fills a larger budget with more, and a tiny one with little", async () => {
    const q = "What did Caroline and Melanie talk about?";
    const small = await mnemo.recall(q, { ...U, budgetTokens: 60, reinforce: false });
    const big = await mnemo.recall(q, { ...U, budgetTokens: 1500, reinforce: false });
    expect(small.results.length).toBeGreaterThan(0);
    expect(big.results.length).toBeGreaterThan(small.results.length);
    expect(big.contextTokens).toBeGreaterThan(small.contextTokens);
    // A generous budget covers most of a small conversation (each turn at most once).
    const turns = (await mnemo.stats({ tenant: "default", userId: U.userId })).episodes;
    expect(new Set(big.results.flatMap((x) => x.sources)).size).toBeGreaterThan(turns * 0.7);
    const tiny = await mnemo.recall(q, { ...U, budgetTokens: 1, reinforce: false });
    expect(tiny.contextTokens).toBeLessThanOrEqual(1);
    expect(countTokens(tiny.context)).toBe(tiny.contextTokens);
  });

  it("defaults to a 1000-token budget", async () => {
    const r = await mnemo.recall("What did Caroline and Melanie talk about?", { ...U, reinforce: false });
    expect(r.contextTokens).toBeLessThanOrEqual(1000);
    expect(r.contextTokens).toBeGreaterThan(500);
  });
});
