import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  longMemEvalTurns,
  parseLongMemEval,
  parseLongMemEvalDate,
  rankingFromSources,
  rankMetrics,
  readLongMemEval,
  runLongMemEvalBench,
  type LongMemEvalQuestion,
} from "../src/bench/longmemeval.js";
import { dcg, firstAppearance, ndcgAtK, recallAll, recallAny } from "../src/bench/metrics.js";
import { formatLongMemEvalTable } from "../src/bench/report.js";
import { isMnemoError, MnemoError } from "../src/core/errors.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/longmemeval-mini.json", import.meta.url));
const fixtureText = readFileSync(FIXTURE, "utf8");

function errorOf(fn: () => unknown): MnemoError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MnemoError) return e;
    throw e;
  }
  throw new Error("expected a MnemoError");
}

describe("LongMemEval loader", () => {
  it("reads the mini fixture", () => {
    const qs = readLongMemEval(FIXTURE);
    expect(qs).toHaveLength(6);
    expect(new Set(qs.map((q) => q.question_type)).size).toBeGreaterThanOrEqual(4);
    expect(qs[1]!.answer).toBe("2"); // numeric answers become strings
    const turns = longMemEvalTurns(qs[0]!);
    expect(turns[0]).toMatchObject({ id: "q1_s1:0", sessionId: "q1_s1", speaker: "user", occurredAt: "2023-05-01T10:00:00.000Z" });
    expect(turns.filter((t) => t.hasAnswer).map((t) => t.id)).toEqual(["answer_q1_1:0"]);
  });

  it("rejects malformed files with INVALID_INPUT naming the path", () => {
    const good = JSON.parse(fixtureText) as Array<Record<string, unknown>>;
    const variant = (edit: (q: Record<string, unknown>) => void): string => {
      const copy = JSON.parse(JSON.stringify(good)) as Array<Record<string, unknown>>;
      edit(copy[0]!);
      return JSON.stringify(copy);
    };
    const missing = errorOf(() => parseLongMemEval(variant((q) => delete q["question"])));
    expect(missing.code).toBe("INVALID_INPUT");
    expect(missing.message).toMatch(/0\.question/);
    expect(missing.hint).toMatch(/haystack_sessions/);

    const badTurn = errorOf(() => parseLongMemEval(variant((q) => ((q["haystack_sessions"] as Array<Array<Record<string, unknown>>>)[1]![0]!["content"] = 42))));
    expect(badTurn.code).toBe("INVALID_INPUT");
    expect(badTurn.message).toMatch(/0\.haystack_sessions\.1\.0\.content/);

    const lengths = errorOf(() => parseLongMemEval(variant((q) => (q["haystack_dates"] as string[]).pop())));
    expect(lengths.code).toBe("INVALID_INPUT");
    expect(lengths.message).toMatch(/same length/);

    expect(errorOf(() => parseLongMemEval('{"question_id": "x"}')).code).toBe("INVALID_INPUT");
    expect(errorOf(() => parseLongMemEval("[{")).code).toBe("INVALID_JSON");
    expect(errorOf(() => readLongMemEval("/nonexistent/longmemeval.json")).code).toBe("INVALID_INPUT");
  });

  it("parses LongMemEval dates", () => {
    expect(parseLongMemEvalDate("2023/05/20 (Sat) 02:21")).toBe("2023-05-20T02:21:00.000Z");
    expect(parseLongMemEvalDate("2023/05/20")).toBe("2023-05-20T00:00:00.000Z");
    expect(parseLongMemEvalDate("2023-05-20T10:00:00Z")).toBe("2023-05-20T10:00:00.000Z");
    expect(errorOf(() => parseLongMemEvalDate("2023/02/30 (Thu) 10:00")).code).toBe("INVALID_DATE");
    expect(errorOf(() => parseLongMemEvalDate("yesterday-ish")).code).toBe("INVALID_DATE");
  });
});

describe("ranking metrics (hand-computed)", () => {
  const rel = new Set(["a", "b"]);
  const ranked = ["a", "x", "b", "y"];

  it("recall_any and recall_all", () => {
    expect(recallAny(ranked, rel, 1)).toBe(1);
    expect(recallAny(["x", "y", "a"], new Set(["a"]), 2)).toBe(0);
    expect(recallAll(ranked, rel, 1)).toBe(0.5);
    expect(recallAll(ranked, rel, 2)).toBe(0.5);
    expect(recallAll(ranked, rel, 3)).toBe(1);
    expect(recallAll(ranked, new Set(), 3)).toBe(0);
  });

  it("NDCG with LongMemEval's DCG (rel_1 + Σ rel_i / log2 i)", () => {
    expect(dcg([1, 0, 1])).toBeCloseTo(1 + 1 / Math.log2(3), 12);
    expect(ndcgAtK(ranked, rel, 1)).toBe(1);
    expect(ndcgAtK(ranked, rel, 3)).toBeCloseTo((1 + 1 / Math.log2(3)) / 2, 12); // ≈ 0.8155
    expect(ndcgAtK(["x", "y", "a"], new Set(["a"]), 5)).toBeCloseTo(1 / Math.log2(3), 12); // ≈ 0.6309
    expect(ndcgAtK(["x", "y", "a"], new Set(["a"]), 2)).toBe(0);
    expect(ndcgAtK(["x", "a"], new Set(["a"]), 2)).toBe(1); // rank 2 is not discounted in this DCG
    expect(ndcgAtK(ranked, new Set(), 5)).toBe(0);
  });

  it("bundles metrics per k, and ranks by first appearance of sources", () => {
    expect(rankMetrics(ranked, rel, [2])).toEqual({ "recall_any@2": 1, "recall_all@2": 0.5, "recall_all_strict@2": 0, "ndcg@2": 0.5 });
    expect(firstAppearance(["b", "a", "b", "c"])).toEqual(["b", "a", "c"]);
    expect(rankingFromSources([["s2:1", "s1:0"], ["s2:1", "s3:4"], ["s1:2"]])).toEqual({ turns: ["s2:1", "s1:0", "s3:4", "s1:2"], sessions: ["s2", "s1", "s3"] });
    expect(rankingFromSources([["sess:with:colon:3"]]).sessions).toEqual(["sess:with:colon"]);
  });
});

describe("runLongMemEvalBench", () => {
  it("scores a tiny case exactly (bm25-turns)", async () => {
    const q: LongMemEvalQuestion = {
      question_id: "t1",
      question_type: "single-session-user",
      question: "Which tea do I like?",
      answer: "jasmine oolong",
      question_date: "2023/06/01 (Thu) 10:00",
      haystack_dates: ["2023/05/01 (Mon) 10:00", "2023/05/02 (Tue) 10:00", "2023/05/03 (Wed) 10:00"],
      haystack_session_ids: ["s_b", "s_c", "s_a"],
      haystack_sessions: [
        [{ role: "user", content: "Tea?" }, { role: "assistant", content: "Sure, with milk." }],
        [{ role: "user", content: "Tea time!" }, { role: "assistant", content: "Enjoy." }],
        [{ role: "user", content: "My favourite tea is jasmine oolong.", has_answer: true }, { role: "assistant", content: "Lovely choice." }],
      ],
      answer_session_ids: ["s_a"],
    };
    // BM25 ranks the three "tea" turns shortest first: s_b:0, s_c:0, s_a:0
    const r = await runLongMemEvalBench({ data: [q], k: [1, 2, 5], systems: ["bm25-turns"] });
    const want = { "recall_any@1": 0, "recall_all@1": 0, "recall_all_strict@1": 0, "ndcg@1": 0, "recall_any@2": 0, "recall_all@2": 0, "recall_all_strict@2": 0, "ndcg@2": 0, "recall_any@5": 1, "recall_all@5": 1, "recall_all_strict@5": 1, "ndcg@5": 0.6309 };
    expect(r.systems["bm25-turns"]!.overall.session.metrics).toEqual(want);
    expect(r.systems["bm25-turns"]!.overall.turn.metrics).toEqual(want);
    expect(r.systems["bm25-turns"]!.byType["single-session-user"]!.session.questions).toBe(1);
  });

  it("runs every system on the mini fixture", async () => {
    const r = await runLongMemEvalBench({ data: FIXTURE });
    expect(r).toMatchObject({ benchmark: "longmemeval", k: [5, 10], questions: 6, budgetTokens: 2000 });
    expect(Object.keys(r.systems)).toEqual(["mnemo", "bm25-turns", "dense-turns"]);
    for (const s of Object.values(r.systems)) {
      expect(s.overall.questions).toBe(6);
      expect(s.overall.session.questions).toBe(5); // the abstention question has no answer session
      expect(s.overall.turn.questions).toBe(5);
      expect(Object.keys(s.byType).sort()).toEqual(["knowledge-update", "multi-session", "single-session-assistant", "single-session-user", "temporal-reasoning"]);
      for (const level of [s.overall.session, s.overall.turn]) {
        expect(Object.keys(level.metrics)).toHaveLength(8);
        for (const v of Object.values(level.metrics)) expect(v >= 0 && v <= 1).toBe(true);
        for (const k of [5, 10]) {
          expect(level.metrics[`recall_any@${k}`]!).toBeGreaterThanOrEqual(level.metrics[`recall_all@${k}`]!);
          expect(level.metrics[`recall_all@${k}`]!).toBeGreaterThanOrEqual(level.metrics[`recall_all_strict@${k}`]!);
        }
      }
    }
    // plumbing: Mnemo's sources map back to haystack turns and sessions
    expect(r.systems["mnemo"]!.overall.session.metrics["recall_any@10"]!).toBeGreaterThan(0);
    expect(r.systems["mnemo"]!.overall.turn.metrics["recall_any@10"]!).toBeGreaterThan(0);
    const table = formatLongMemEvalTable(r);
    for (const name of ["mnemo", "bm25-turns", "dense-turns", "recall_any@5", "ndcg@10", "temporal-reasoning"]) expect(table).toContain(name);
  });

  it("ingests haystacks with empty turns and unusual session ids into Mnemo", async () => {
    const q: LongMemEvalQuestion = {
      question_id: "t2",
      question_type: "single-session-user",
      question: "Which tea do I like?",
      answer: "jasmine oolong",
      question_date: "2023/06/01 (Thu) 10:00",
      haystack_dates: ["2023/05/01 (Mon) 10:00", "2023/05/02 (Tue) 10:00"],
      haystack_session_ids: ["session with spaces", "s/2"],
      haystack_sessions: [
        [{ role: "user", content: "" }, { role: "user", content: "My favourite tea is jasmine oolong.", has_answer: true }],
        [{ role: "user", content: "Any marathon tips?" }, { role: "assistant", content: "Train slowly and rest." }],
      ],
      answer_session_ids: ["session with spaces"],
    };
    const r = await runLongMemEvalBench({ data: [q], k: [1], systems: ["mnemo"] });
    expect(r.systems["mnemo"]!.overall.turn.questions).toBe(1);
    expect(r.systems["mnemo"]!.overall.session.metrics["recall_any@1"]).toBe(1); // turn id "session with spaces:1" maps back
  });

  it("honours limit and rejects unknown systems", async () => {
    const r = await runLongMemEvalBench({ data: FIXTURE, limit: 2, systems: ["dense-turns"], k: [3] });
    expect(r.questions).toBe(2);
    expect(Object.keys(r.systems["dense-turns"]!.overall.session.metrics)).toEqual(["recall_any@3", "recall_all@3", "recall_all_strict@3", "ndcg@3"]);
    await expect(runLongMemEvalBench({ data: FIXTURE, systems: ["full-context"] })).rejects.toSatisfy((e) => isMnemoError(e, "INVALID_INPUT"));
  });
});
