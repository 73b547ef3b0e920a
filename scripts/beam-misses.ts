/**
 * Where Mnemo's BEAM context misses an answer: per question of the chosen types, Mnemo's and
 * BM25-over-turns' answer coverage, the missing answer terms and (with --show) the context.
 * A development tool for reading failures, not a benchmark.
 *
 *   npx tsx scripts/beam-misses.ts --types knowledge_update --chats 1,2 [--show] [--budget 1000]
 */
import { answerCoverage, missingAnswerTerms } from "../src/bench/coverage.js";
import { createTurnBaselines } from "../src/bench/baselines.js";
import { openTempMnemo, mean } from "../src/bench/common.js";
import { BEAM_MNEMO_OPTIONS, beamMessages, beamTurns, readBeam } from "../src/bench/beam.js";

const arg = (name: string, dflt?: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const budget = Number(arg("--budget", "1000"));
const types = new Set(arg("--types", "knowledge_update")!.split(","));
const show = process.argv.includes("--show");
const rows: Array<{ m: number; b: number }> = [];
for (const chat of readBeam(arg("--data", "../shared/data/beam/100K")!, arg("--chats")?.split(","))) {
  const [bm25] = await createTurnBaselines(["bm25-turns"], beamTurns(chat), () => undefined);
  const last = new Date(Math.max(...beamTurns(chat).map((t) => Date.parse(t.occurredAt))) + 86_400_000);
  const temp = await openTempMnemo("mnemo-beam-", undefined, { ...BEAM_MNEMO_OPTIONS, ...(process.env.ASKED_AT_END ? { now: () => last } : {}) });
  try {
    await temp.mnemo.remember(beamMessages(chat), { userId: "u" });
    for (const q of chat.questions) {
      if (!types.has(q.type)) continue;
      const r = await temp.mnemo.recall(q.question, { userId: "u", budgetTokens: budget, reinforce: false });
      const b = bm25!.retrieve(q.question, budget);
      const m = answerCoverage(q.reference, r.context) ?? 0;
      const bc = answerCoverage(q.reference, b.context) ?? 0;
      rows.push({ m, b: bc });
      if (!process.argv.includes("--quiet")) console.log(`\n[${chat.id} ${q.type}] ${q.question}\n  gold: ${q.reference.slice(0, 300)}\n  mnemo ${m.toFixed(2)} bm25 ${bc.toFixed(2)} missing: ${missingAnswerTerms(q.reference, r.context).join(", ")}`);
      if (show) console.log(r.context.split("\n").map((l) => "    | " + l.slice(0, 400)).join("\n"));
    }
  } finally {
    await temp.dispose();
  }
}
console.log(`\n${rows.length} questions; mnemo ${mean(rows.map((r) => r.m)).toFixed(3)} bm25 ${mean(rows.map((r) => r.b)).toFixed(3)}`);
