/**
 * Trains the recall reranker (src/recall/rerank.ts) on locomo-dev and measures it by
 * cross-validation by conversation groups (each LoCoMo conversation, and BEAM's 20 chats in
 * 5 groups): the questions of a group are reranked by weights trained on the other groups,
 * and answer coverage is compared with no reranking in the same run.
 *
 *   npx tsx scripts/train-rerank.ts [--label both] [--l2 1] [--pos 1] [--budgets 500,1000,2000] [--no-beam] [--write]
 */
import { writeFileSync } from "node:fs";
import { rememberConversation, readLocomo } from "../src/importers/locomo.js";
import { openTempMnemo, mean } from "../src/bench/common.js";
import { answerCoverage, coverageTerms } from "../src/bench/coverage.js";
import { splitEvidence } from "../src/bench/evidence.js";
import { goldAnswerText, LOCOMO_CATEGORIES } from "../src/bench/locomo.js";
import { beamMessages, BEAM_MNEMO_OPTIONS, readBeam } from "../src/bench/beam-data.js";
import { RERANK_FEATURES, setRerankProbe, setRerankWeights } from "../src/recall/rerank.js";

const arg = (name: string, dflt?: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const l2 = Number(arg("--l2", "1"));
const posWeight = Number(arg("--pos", "1"));
const budgets = arg("--budgets", "500,1000,2000")!.split(",").map(Number);
const labelMode = arg("--label", "evidence")!;
const data = arg("--data", "../shared/data/locomo/locomo-dev.json")!;
const beamDir = process.argv.includes("--no-beam") ? null : arg("--beam", "../shared/data/beam/100K")!;

interface Row { conv: string; q: number; x: number[]; y: number }

/** L2-regularised logistic regression by Newton's method. */
function train(rows: Row[]): number[] {
  const d = RERANK_FEATURES.length;
  let w = new Array<number>(d).fill(0);
  for (let it = 0; it < 30; it++) {
    const g = new Array<number>(d).fill(0);
    const H = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (const r of rows) {
      let z = 0;
      for (let j = 0; j < d; j++) z += w[j]! * r.x[j]!;
      const p = 1 / (1 + Math.exp(-z));
      const s = r.y ? posWeight : 1;
      const e = s * (p - r.y);
      const v = s * p * (1 - p);
      for (let j = 0; j < d; j++) {
        g[j]! += e * r.x[j]!;
        const vx = v * r.x[j]!;
        if (vx !== 0) for (let k = 0; k < d; k++) H[j]![k]! += vx * r.x[k]!;
      }
    }
    for (let j = 1; j < d; j++) (g[j]! += l2 * w[j]!), (H[j]![j]! += l2);
    H[0]![0]! += 1e-6;
    // Solve H Δ = g (Gaussian elimination).
    const A = H.map((row, i) => [...row, g[i]!]);
    for (let i = 0; i < d; i++) {
      let piv = i;
      for (let r = i + 1; r < d; r++) if (Math.abs(A[r]![i]!) > Math.abs(A[piv]![i]!)) piv = r;
      [A[i], A[piv]] = [A[piv]!, A[i]!];
      for (let r = i + 1; r < d; r++) {
        const f = A[r]![i]! / A[i]![i]!;
        for (let k = i; k <= d; k++) A[r]![k]! -= f * A[i]![k]!;
      }
    }
    const delta = new Array<number>(d).fill(0);
    for (let i = d - 1; i >= 0; i--) {
      let s = A[i]![d]!;
      for (let k = i + 1; k < d; k++) s -= A[i]![k]! * delta[k]!;
      delta[i] = s / A[i]![i]!;
    }
    w = w.map((x, j) => x - delta[j]!);
    if (Math.max(...delta.map(Math.abs)) < 1e-6) break;
  }
  return w;
}

interface Question { group: string; bench: "locomo" | "beam"; type: string; userId: string; mnemo: number; question: string; answer: string; evidence: Set<string> }
const temps: Array<Awaited<ReturnType<typeof openTempMnemo>>> = [];
const rows: Row[] = [];
const questions: Question[] = [];

/** Recalls once with the probe on, labelling each leading candidate (see --label). */
async function probe(q: Question, qi: number): Promise<void> {
  const asked = new Set(coverageTerms(q.question));
  const wanted = coverageTerms(q.answer).filter((t) => !asked.has(t));
  setRerankProbe((rs, snap) => {
    for (const { candidate: c, features } of rs) {
      const srcs = c.type === "memory" ? c.memory.sources : [c.episode.id];
      const ev = srcs.some((s) => q.evidence.has(snap.episodes.get(s)?.externalId ?? "")) ? 1 : 0;
      const shownText = c.type === "memory" ? c.memory.text + " " + srcs.map((s) => snap.episodes.get(s)?.text ?? "").join(" ") : c.episode.text + " " + (c.episode.attachmentText ?? "");
      const have = new Set(coverageTerms(shownText));
      const hits = wanted.filter((t) => have.has(t)).length / Math.max(1, wanted.length);
      const y = labelMode === "evidence" ? ev : labelMode === "answer" ? hits : labelMode === "both" ? (ev && hits > 0 ? 1 : 0) : ev * 0.5 + hits * 0.5;
      rows.push({ conv: q.group, q: qi, x: features, y });
    }
  });
  await temps[q.mnemo]!.mnemo.recall(q.question, { userId: q.userId, budgetTokens: 1000, reinforce: false });
  setRerankProbe(null);
}

for (const conv of process.argv.includes("--no-locomo") ? [] : readLocomo(data)) {
  temps.push(await openTempMnemo());
  await rememberConversation(temps.at(-1)!.mnemo, conv);
  for (const q of conv.qa) {
    const category = (LOCOMO_CATEGORIES as Record<number, string | undefined>)[q.category];
    const evidence = new Set(splitEvidence(q.evidence));
    if (!category || category === "adversarial" || evidence.size === 0) continue;
    const answer = goldAnswerText(q.answer);
    if (answerCoverage(answer, "x") === null) continue;
    questions.push({ group: conv.sampleId, bench: "locomo", type: category, userId: conv.sampleId, mnemo: temps.length - 1, question: q.question, answer, evidence });
  }
}
if (beamDir) {
  for (const chat of readBeam(beamDir)) {
    temps.push(await openTempMnemo(undefined, undefined, BEAM_MNEMO_OPTIONS));
    const userId = `beam-${chat.id}`;
    await temps.at(-1)!.mnemo.remember(beamMessages(chat), { userId });
    for (const q of chat.questions) {
      if (q.following || q.type === "abstention" || answerCoverage(q.reference, "x") === null) continue;
      questions.push({ group: `beam-${Number(chat.id) % 5}`, bench: "beam", type: q.type, userId, mnemo: temps.length - 1, question: q.question, answer: q.reference, evidence: new Set(q.sourceIds) });
    }
  }
}
for (const [qi, q] of questions.entries()) await probe(q, qi);
console.log(`${rows.length} rows, ${rows.filter((r) => r.y > 0).length} positive, ${questions.length} questions`);

/** Mean answer coverage per bench and budget (BEAM at 1,000 tokens only), each question reranked by its group's weights. */
async function coverage(weights: Map<string, number[]>): Promise<string> {
  const lo: number[][] = budgets.map(() => []);
  const be: number[] = [];
  for (const q of questions) {
    setRerankWeights(weights.get(q.group) ?? []);
    for (const [bi, b] of budgets.entries()) {
      if (q.bench === "beam" && b !== 1000) continue;
      const r = await temps[q.mnemo]!.mnemo.recall(q.question, { userId: q.userId, budgetTokens: b, reinforce: false });
      (q.bench === "beam" ? be : lo[bi]!).push(answerCoverage(q.answer, r.context) ?? 0);
    }
  }
  setRerankWeights(null);
  return `LoCoMo ${budgets.join(" / ")}: ${lo.map((xs) => mean(xs).toFixed(4)).join(" / ")}` + (be.length ? `; BEAM @1000 ${mean(be).toFixed(4)} (n=${be.length})` : "");
}

const base = await coverage(new Map());
const groups = [...new Set(questions.map((q) => q.group))];
const folds = new Map<string, number[]>();
for (const g of groups) folds.set(g, train(rows.filter((r) => r.conv !== g)));
const cv = await coverage(folds);
const all = train(rows);
console.log(`none: ${base}\nreranked (CV by ${groups.length} groups): ${cv}`);
console.log(RERANK_FEATURES.map((f, j) => `${f}=${all[j]!.toFixed(3)}`).join(" "));
if (process.argv.includes("--write")) {
  const file = "src/recall/rerank-weights.ts";
  const body = `/**
 * Learned weights of the recall reranker, in the order of RERANK_FEATURES (src/recall/rerank.ts).
 * Written by \`npx tsx scripts/train-rerank.ts ${process.argv.slice(2).join(" ")}\` (logistic regression on locomo-dev,
 * ${rows.length} candidates of ${questions.length} questions, ${rows.filter((r) => r.y > 0).length} positive. Answer coverage, cross-validated by
 * conversation groups: without the reranker ${base}; with it ${cv}).
 *
 * @example
 * \`\`\`ts
 * RERANK_WEIGHTS.length === RERANK_FEATURES.length; // true
 * \`\`\`
 */
export const RERANK_WEIGHTS: readonly number[] = [${all.map((x) => x.toFixed(4)).join(", ")}];
`;
  writeFileSync(file, body);
  console.log(`wrote ${file}`);
}
for (const t of temps) await t.dispose();
