/**
 * Where Mnemo's context misses an answer: for each LoCoMo question, Mnemo's and BM25-over-turns'
 * answer coverage at one budget, the answer terms Mnemo's context lacks, and (with --show) the
 * context itself. A development tool for reading failures, not a benchmark.
 *
 *   npx tsx scripts/locomo-misses.ts --budget 1000 --conv conv-26 [--show] [--worse] [--no-rerank] [--out misses.json]
 */
import { writeFileSync } from "node:fs";
import { rememberConversation, readLocomo } from "../src/importers/locomo.js";
import { createTurnBaselines } from "../src/bench/baselines.js";
import { openTempMnemo, mean } from "../src/bench/common.js";
import { answerCoverage, missingAnswerTerms } from "../src/bench/coverage.js";
import { splitEvidence } from "../src/bench/evidence.js";
import { setRerankWeights } from "../src/recall/rerank.js";
import { goldAnswerText, locomoTurns, LOCOMO_CATEGORIES } from "../src/bench/locomo.js";

const arg = (name: string, dflt?: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const budget = Number(arg("--budget", "1000"));
const only = arg("--conv")?.split(",");
const show = process.argv.includes("--show");
const worseOnly = process.argv.includes("--worse");
const data = arg("--data", "../shared/data/locomo/locomo-dev.json")!;
const tune = arg("--tune");
const channels = arg("--channels")?.split(",");
const quiet = process.argv.includes("--quiet");
// --no-rerank: the fused ranking without the learned reranker (src/recall/rerank.ts), for comparison.
if (process.argv.includes("--no-rerank")) setRerankWeights([]);

const rows: Array<Record<string, unknown>> = [];
for (const conv of readLocomo(data, only)) {
  const turns = locomoTurns(conv);
  const [bm25] = await createTurnBaselines(["bm25-turns"], turns, () => undefined);
  const last = new Date(Math.max(...turns.map((t) => Date.parse(t.occurredAt))) + 86_400_000);
  const temp = await openTempMnemo(undefined, undefined, { ...(tune ? { recall: JSON.parse(tune) } : {}), ...(process.env.ASKED_AT_END ? { now: () => last } : {}) });
  try {
    await rememberConversation(temp.mnemo, conv);
    for (const q of conv.qa) {
      const category = (LOCOMO_CATEGORIES as Record<number, string | undefined>)[q.category];
      if (!category || category === "adversarial" || splitEvidence(q.evidence).length === 0) continue;
      const answer = goldAnswerText(q.answer);
      const r = await temp.mnemo.recall(q.question, { userId: conv.sampleId, budgetTokens: budget, reinforce: false, channels });
      const b = bm25!.retrieve(q.question, budget);
      const m = answerCoverage(answer, r.context);
      const bc = answerCoverage(answer, b.context);
      if (m === null || bc === null) continue;
      const row = { conv: conv.sampleId, category, question: q.question, answer, evidence: q.evidence, mnemo: m, bm25: bc, missing: missingAnswerTerms(answer, r.context) };
      rows.push(show ? { ...row, context: r.context } : row);
      if (worseOnly && m >= bc) continue;
      if (m >= 1 || quiet) continue;
      console.log(`\n[${conv.sampleId} ${category}] ${q.question}\n  gold: ${answer} (${q.evidence})\n  mnemo ${m.toFixed(2)} bm25 ${bc.toFixed(2)} missing: ${row.missing.join(", ")}`);
      if (show) console.log(r.context.split("\n").map((l) => "    | " + l).join("\n"));
    }
  } finally {
    await temp.dispose();
  }
}
console.log(`\n${rows.length} questions; mnemo ${mean(rows.map((r) => r.mnemo as number)).toFixed(3)} bm25 ${mean(rows.map((r) => r.bm25 as number)).toFixed(3)}`);
const out = arg("--out");
if (out) writeFileSync(out, JSON.stringify(rows, null, 1));
