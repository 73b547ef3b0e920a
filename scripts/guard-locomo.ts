/**
 * What the default `sensitive: "relevant"` policy costs on LoCoMo (docs/SECURITY.md): evidence
 * recall at 1,000 tokens with `include`, `relevant` and `exclude`, and the questions that lose
 * evidence. Usage: npx tsx scripts/guard-locomo.ts conv-26 conv-30
 */
import { Mnemo } from "../src/mnemo.js";
import { readLocomo } from "../src/importers/locomo.js";
import { evidenceRecall, splitEvidence } from "../src/bench/evidence.js";
const ids = process.argv.slice(2);
const convs = readLocomo("../shared/data/locomo/locomo-dev.json", ids.length ? ids : undefined);
const m = await Mnemo.open({ path: ":memory:" });
const sums = { include: 0, relevant: 0, exclude: 0 }; let n = 0; let withheldQ = 0; const diffs: string[] = [];
for (const c of convs) {
  for (const s of c.sessions) await m.remember(s.messages, { userId: c.sampleId });
  for (const q of c.qa) {
    const gold = splitEvidence(q.evidence ?? []); if (!gold.length) continue; n++;
    const r: Record<string, number> = {};
    for (const p of ["include", "relevant", "exclude"] as const) { const res = await m.recall(String(q.question), { userId: c.sampleId, reinforce: false, budgetTokens: 1000, sensitive: p }); r[p] = evidenceRecall(gold, res.results.map((x) => x.sources)) ?? 0; sums[p] += r[p]; if (p === "relevant" && res.withheld?.sensitive) withheldQ++; }
    if (r.relevant! < r.include!) diffs.push(`${c.sampleId} ${q.question} ${r.include!.toFixed(2)}→${r.relevant!.toFixed(2)}`);
  }
}
console.log(`questions ${n}; evidence recall@1000: include ${(sums.include/n).toFixed(3)}, relevant ${(sums.relevant/n).toFixed(3)}, exclude ${(sums.exclude/n).toFixed(3)}; questions with something withheld (relevant): ${withheldQ}; lower under relevant: ${diffs.length}`);
console.log(diffs.slice(0, 40).join("\n"));
await m.close();
