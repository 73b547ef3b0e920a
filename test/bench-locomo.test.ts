import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Bm25Index, createTurnBaseline, fullContext, packTurns, renderTurn, type BenchTurn } from "../src/bench/baselines.js";
import { mean, percentile } from "../src/bench/common.js";
import { CATEGORY_ORDER, isLocomoSweep, locomoTurns, runLocomoBench, type LocomoBudgetResult, type LocomoSweepResult } from "../src/bench/locomo.js";
import { formatLocomoTable, recallVsTokensSvg } from "../src/bench/report.js";
import { countTokens } from "../src/core/tokens.js";
import { isMnemoError } from "../src/core/errors.js";
import { parseLocomo, readLocomo, type LocomoConversation } from "../src/importers/locomo.js";

const DATA = process.env.BENCH_FORCE_SYNTHETIC ? "/nonexistent" : fileURLToPath(new URL("../../shared/data/locomo/locomo-dev.json", import.meta.url));
const SYSTEMS = ["mnemo", "bm25-turns", "dense-turns", "full-context"];

/** A tiny LoCoMo-format conversation (used when the real data is absent, and for the sweep). */
function syntheticLocomo(): LocomoConversation[] {
  const turns1 = [
    ["Caroline", "Hey Mel! I went to an LGBTQ support group yesterday and it was so powerful."],
    ["Melanie", "That's great, Caroline! I painted a lake sunrise last week."],
    ["Caroline", "I'm thinking about a career in counseling for transgender people."],
    ["Melanie", "You'd be great at that. My kids love the pottery class we took."],
    ["Caroline", "I've been reading Becoming Nicole, it's inspiring."],
    ["Melanie", "We're going camping at the beach next month with the whole family."],
  ];
  const turns2 = [
    ["Caroline", "I adopted a dog named Luna from the shelter!"],
    ["Melanie", "Aww! I ran a charity race for mental health last Saturday."],
    ["Caroline", "My grandma gave me a necklace from Sweden, my home country."],
    ["Melanie", "I play the clarinet and violin to relax."],
    ["Caroline", "I'm going to a pride parade in June with my friends."],
    ["Melanie", "We went to a Matt Patterson concert with the kids."],
  ];
  const session = (n: number, ts: string[][]) => ts.map(([speaker, text], i) => ({ speaker, dia_id: `D${n}:${i + 1}`, text }));
  const sample = {
    sample_id: "conv-synth",
    conversation: {
      speaker_a: "Caroline",
      speaker_b: "Melanie",
      session_1_date_time: "1:56 pm on 8 May, 2023",
      session_1: session(1, turns1),
      session_2_date_time: "10:37 am on 27 June, 2023",
      session_2: session(2, turns2),
    },
    qa: [
      { question: "When did Caroline go to the LGBTQ support group?", answer: "7 May 2023", evidence: ["D1:1"], category: 2 },
      { question: "What did Melanie paint?", answer: "A lake sunrise", evidence: ["D1:2"], category: 4 },
      { question: "What career is Caroline considering and which book is she reading?", answer: "Counseling; Becoming Nicole", evidence: ["D1:3; D1:5"], category: 1 },
      { question: "What is the name of Caroline's dog?", answer: "Luna", evidence: ["D2:1"], category: 4 },
      { question: "Where is Caroline's grandma's necklace from?", answer: "Sweden", evidence: ["D2:3"], category: 3 },
      { question: "Which instruments does Melanie play?", answer: "clarinet and violin", evidence: ["D2:4"], category: 4 },
      // no term in common with the conversation: lexical retrieval cannot find it
      { question: "Which musical hobby is mentioned?", answer: "clarinet and violin", evidence: ["D2:4"], category: 3 },
      { question: "What did Caroline paint?", adversarial_answer: "A lake sunrise", evidence: ["D1:2"], category: 5 },
      { question: "Which concert did Melanie go to?", answer: "Matt Patterson", evidence: [], category: 4 },
    ],
  };
  return parseLocomo(JSON.stringify([sample]));
}

const conversations: LocomoConversation[] = existsSync(DATA) ? readLocomo(DATA, ["conv-26"]) : syntheticLocomo();
let result: LocomoBudgetResult;

beforeAll(async () => {
  const r = await runLocomoBench({ data: conversations, budgets: [300] });
  if (isLocomoSweep(r)) throw new Error("one budget must give a single result");
  result = r;
});

describe("runLocomoBench (one conversation, budget 300, all systems)", () => {
  it("has the documented JSON shape", () => {
    expect(result.benchmark).toBe("locomo");
    expect(result.budgetTokens).toBe(300);
    expect(Object.keys(result.systems)).toEqual(SYSTEMS);
    expect(result.questions).toBeGreaterThan(0);
    const mnemo = result.systems["mnemo"]!;
    expect(mnemo.ingest!.turns).toBe(locomoTurns(conversations[0]!).length);
    expect(mnemo.ingest!.seconds).toBeGreaterThan(0);
    expect(mnemo.ingest!.turnsPerSecond).toBeGreaterThan(0);
    // the one-time library and word-vector load is measured apart from the rate
    expect(mnemo.ingest!.warmUpSeconds).toBeGreaterThan(0);
    expect(result.systems["bm25-turns"]?.ingest?.warmUpSeconds).toBeUndefined();
    expect(mnemo.storeBytes).toBeGreaterThan(0);
    expect(mnemo.deltaVsBm25).toBeCloseTo(mnemo.overall.recall - result.systems["bm25-turns"]!.overall.recall, 3);
    for (const name of SYSTEMS) {
      const s = result.systems[name]!;
      expect(Object.keys(s.overall)).toEqual(expect.arrayContaining(["answerCoverage", "coverageQuestions", "citedEvidenceRecall", "recall", "meanContextTokens", "p50Ms", "p95Ms"]));
      expect(s.overall.recall).toBe(s.overall.citedEvidenceRecall);
      expect(Object.keys(s.byCategory)).toEqual([...CATEGORY_ORDER]);
      expect(s.overall.questions).toBe(result.questions);
      const n14 = CATEGORY_ORDER.filter((c) => c !== "adversarial").reduce((t, c) => t + s.byCategory[c].questions, 0);
      expect(n14).toBe(result.questions);
      expect(s.overall.p95Ms).toBeGreaterThanOrEqual(s.overall.p50Ms);
    }
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it("keeps every recall in [0, 1]; full-context is 1; bm25 at 300 tokens is below it", () => {
    for (const name of SYSTEMS) {
      const s = result.systems[name]!;
      for (const r of [s.overall.recall, ...CATEGORY_ORDER.map((c) => s.byCategory[c].recall)]) {
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThanOrEqual(1);
      }
    }
    expect(result.systems["full-context"]!.overall.recall).toBe(1);
    expect(result.systems["bm25-turns"]!.overall.recall).toBeLessThan(result.systems["full-context"]!.overall.recall);
  });

  it("reports answer coverage in [0, 1]; the full context is the ceiling", () => {
    const full = result.systems["full-context"]!.overall.answerCoverage;
    for (const name of SYSTEMS) {
      const s = result.systems[name]!;
      for (const r of [s.overall.answerCoverage, ...CATEGORY_ORDER.map((c) => s.byCategory[c].answerCoverage)]) {
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThanOrEqual(1);
      }
      expect(s.overall.answerCoverage).toBeLessThanOrEqual(full);
    }
    expect(full).toBeGreaterThan(0.8);
    const mnemo = result.systems["mnemo"]!;
    expect(mnemo.coverageDeltaVsBm25).toBeCloseTo(mnemo.overall.answerCoverage - result.systems["bm25-turns"]!.overall.answerCoverage, 3);
  });

  it("stays within the budget for mnemo and bm25, and full-context reports its size", () => {
    for (const name of ["mnemo", "bm25-turns", "dense-turns"]) {
      expect(result.systems[name]!.overall.maxContextTokens).toBeLessThanOrEqual(300);
      expect(result.systems[name]!.overall.meanContextTokens).toBeGreaterThan(0);
    }
    expect(result.systems["full-context"]!.overall.meanContextTokens).toBe(fullContext(locomoTurns(conversations[0]!)).contextTokens);
  });

  it("formats a table naming every system", () => {
    const table = formatLocomoTable(result);
    for (const name of SYSTEMS) expect(table).toContain(name);
    for (const c of CATEGORY_ORDER) expect(table).toContain(c);
    expect(table).toMatch(/mean context tokens/);
    expect(table).toMatch(/answer coverage/);
    expect(table).toMatch(/cited evidence recall/);
    expect(table).toMatch(/p95 ms/);
    expect(table).toMatch(/ingest turns\/s/);
    expect(table).toMatch(/ingest warm-up s \(once per process, not in the rate\)/);
  });

  it("rejects unknown systems and bad budgets", async () => {
    await expect(runLocomoBench({ data: conversations, budgets: [300], systems: ["nope"] })).rejects.toSatisfy((e) => isMnemoError(e, "INVALID_INPUT"));
    await expect(runLocomoBench({ data: conversations, budgets: [] })).rejects.toSatisfy((e) => isMnemoError(e, "INVALID_INPUT"));
    await expect(runLocomoBench({ data: conversations, budgets: [100], conversations: ["conv-404"] })).rejects.toSatisfy((e) => isMnemoError(e, "INVALID_INPUT"));
  });
});

describe("sweep and SVG", () => {
  let sweep: LocomoSweepResult;
  beforeAll(async () => {
    const r = await runLocomoBench({ data: syntheticLocomo(), budgets: [100, 40], systems: SYSTEMS });
    if (!isLocomoSweep(r)) throw new Error("several budgets must give a sweep");
    sweep = r;
  });

  it("returns one result per budget, ascending, with progress reported", async () => {
    expect(sweep.benchmark).toBe("locomo");
    expect(sweep.sweep.map((r) => r.budgetTokens)).toEqual([40, 100]);
    const calls: Array<[number, number]> = [];
    await runLocomoBench({ data: syntheticLocomo(), budgets: [50], systems: ["bm25-turns"], onProgress: (d, t) => calls.push([d, t]) });
    expect(calls.at(-1)).toEqual([8, 8]); // 8 questions have evidence
    expect(formatLocomoTable(sweep)).toContain("by budget");
  });

  it("cited context lines cost tokens: same data and budget, recall no higher, flag recorded", async () => {
    const plain = await runLocomoBench({ data: syntheticLocomo(), budgets: [60], systems: ["mnemo"] });
    const cited = await runLocomoBench({ data: syntheticLocomo(), budgets: [60], systems: ["mnemo"], citeSources: true });
    if (isLocomoSweep(plain) || isLocomoSweep(cited)) throw new Error("one budget must give a single result");
    expect(cited.citeSources).toBe(true);
    expect(plain).not.toHaveProperty("citeSources");
    expect(cited.systems.mnemo!.overall.recall).toBeLessThanOrEqual(plain.systems.mnemo!.overall.recall);
  });

  it("draws an SVG with a path or polyline per system", () => {
    const svg = recallVsTokensSvg(sweep);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    for (const name of SYSTEMS) {
      const group = new RegExp(`<g data-system="${name}">([\\s\\S]*?)</g>`).exec(svg);
      expect(group, name).not.toBeNull();
      expect(group![1]).toMatch(/<(path|polyline) /);
    }
    // balanced tags (XML-ish): every opened element is closed or self-closed
    const opens = svg.match(/<(svg|g|text)\b/g)?.length ?? 0;
    const closes = svg.match(/<\/(svg|g|text)>/g)?.length ?? 0;
    expect(opens).toBe(closes);
    expect(svg).toContain("answer coverage");
    expect(svg).not.toMatch(/NaN|undefined/);
  });
});

// ---- BM25 and packing -------------------------------------------------------------

function referenceBm25(docs: string[][], query: string[], k1 = 1.2, b = 0.75): number[] {
  const N = docs.length;
  const avgdl = docs.reduce((s, d) => s + d.length, 0) / N;
  return docs.map((d) => {
    let score = 0;
    for (const t of new Set(query)) {
      const df = docs.filter((x) => x.includes(t)).length;
      if (df === 0) continue;
      const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5));
      const tf = d.filter((x) => x === t).length;
      score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * d.length) / avgdl));
    }
    return score;
  });
}

describe("Bm25Index", () => {
  const vocab = fc.constantFrom("paint", "lake", "dog", "luna", "race", "camp", "beach", "pottery", "book", "sweden");
  it("matches a naive reference implementation", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(vocab, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 15 }),
        fc.array(vocab, { minLength: 1, maxLength: 4 }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (docs, query, k1, b) => {
          const got = new Bm25Index(docs, { k1, b }).scores(query);
          const want = referenceBm25(docs, query, k1, b);
          want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 9));
          const ranked = new Bm25Index(docs, { k1, b }).searchTerms(query);
          const expected = want.map((score, index) => ({ index, score })).filter((x) => x.score > 0).sort((x, y) => y.score - x.score || x.index - y.index);
          expect(ranked.map((r) => r.index)).toEqual(expected.map((r) => r.index));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("uses the default parameters and terms() tokenisation", () => {
    const bm = Bm25Index.fromTexts(["Caroline went to a support group", "Melanie paints sunsets", "Melanie painted a lake"]);
    expect([bm.k1, bm.b]).toEqual([1.2, 0.75]);
    expect(bm.search("painting").map((h) => h.index).sort()).toEqual([1, 2]);
    expect(bm.search("the of and")).toEqual([]);
  });
});

describe("turn rendering and greedy packing", () => {
  const turns: BenchTurn[] = locomoTurns(syntheticLocomo()[0]!);

  it("renders turns with date and speaker", () => {
    expect(renderTurn(turns[0]!)).toBe('[8 May 2023] Caroline: "Hey Mel! I went to an LGBTQ support group yesterday and it was so powerful."');
    expect(renderTurn({ ...turns[0]!, attachmentText: "a dog" })).toMatch(/\[photo: a dog\]$/);
  });

  it("fills greedily in rank order, skipping what does not fit, never over budget", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...turns.keys()]), fc.integer({ min: 1, max: 200 }), (ranking, budget) => {
        const p = packTurns(turns, ranking, budget);
        expect(p.contextTokens).toBe(countTokens(p.context));
        expect(p.contextTokens).toBeLessThanOrEqual(budget);
        const order = p.turnIds.map((id) => ranking.indexOf(turns.findIndex((t) => t.id === id)));
        expect([...order].sort((a, b) => a - b)).toEqual(order);
      }),
      { numRuns: 60 },
    );
    const big = packTurns(turns, [...turns.keys()], 1_000_000);
    expect(big.turnIds).toHaveLength(turns.length);
    expect(big.context).toBe(fullContext(turns).context);
  });

  it("ranks the matching turn first for both retrieval baselines", () => {
    for (const name of ["bm25-turns", "dense-turns"] as const) {
      const b = createTurnBaseline(name, turns);
      expect(turns[b.rank("dog named Luna shelter")[0]!]!.id).toBe("D2:1");
      expect(b.retrieve("dog named Luna shelter", 40).turnIds[0]).toBe("D2:1");
    }
  });

  it("computes nearest-rank percentiles and means", () => {
    expect(percentile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 0.95)).toBe(5);
    expect(percentile([], 0.5)).toBe(0);
    expect(mean([1, 2, 3])).toBe(2);
  });
});
