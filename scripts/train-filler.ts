/**
 * Trains the filler model (src/ingest/extract/filler-model.ts) on hand-labelled memories and
 * writes its weights to src/ingest/extract/filler-weights.ts: L2-regularised logistic
 * regression by full-batch gradient descent on standardised features; the regularisation
 * strength and the threshold are chosen by 5-fold cross-validation (the threshold is the
 * highest probability cut at which at most --max-loss of the informative memories would be
 * dropped). Labels: JSON lines {"text", "label": "informative" | "filler" | "garbled"}.
 *
 * The committed training set (test/fixtures/filler-train.json) holds no text: each label is
 * keyed by the first 16 hex digits of the SHA-256 of a memory's text, and the texts are
 * re-made by running the rules-only extractor over locomo-dev (../shared), so the dataset is
 * never copied into the repository.
 *
 *   npx tsx scripts/train-filler.ts --fixture test/fixtures/filler-train.json --holdout test/fixtures/filler-holdout.json --max-loss 0.15 [--write]
 *   npx tsx scripts/train-filler.ts --labels a.jsonl,b.jsonl --save-fixture test/fixtures/filler-train.json   # labels with texts → the hashed fixture
 */
import { storedMemoryTexts, textId } from "../src/bench/memory-texts.js";
import { isPhotoCaption, OfflineExtractor } from "../src/ingest/extract/offline.js";
import { readFileSync, writeFileSync } from "node:fs";
import { FILLER_FEATURES, fillerFeatures, predict, type FillerModel } from "../src/ingest/extract/filler-model.js";
import { loadWordVectorFile } from "../src/providers/embeddings/word-vector-table.js";
import { mulberry32 } from "../src/core/random.js";

const arg = (name: string, dflt?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
type Row = { text: string; label: string };
const readRows = (file: string): Row[] =>
  file.endsWith(".json") ? (JSON.parse(readFileSync(file, "utf8")) as { items: Row[] }).items : readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Row);

const table = await loadWordVectorFile();
/** Photo captions are always kept: the model never judges them. */
const judged = (r: Row) => !isPhotoCaption(r.text);
let rulesOnly: Promise<Map<string, string>> | undefined;
/** Every memory text the rules-only extractor stores for locomo-dev, by id (extracted once per run). */
function rulesOnlyTexts(data: string): Promise<Map<string, string>> {
  rulesOnly ??= storedMemoryTexts(data, new OfflineExtractor({ fillerModel: false })).then((texts) => new Map(texts.map((t) => [textId(t), t])));
  return rulesOnly;
}

let labelled = arg("labels", "")!.split(",").filter(Boolean).flatMap(readRows);
const fixture = arg("fixture");
if (fixture) {
  const items = (JSON.parse(readFileSync(fixture, "utf8")) as { items: Array<{ id: string; label: string }> }).items;
  const texts = await rulesOnlyTexts(arg("data", "../shared/data/locomo/locomo-dev.json")!);
  const found = items.filter((x) => texts.has(x.id));
  console.log(`fixture ${fixture}: ${found.length}/${items.length} labelled texts re-made by the rules-only extractor`);
  labelled = found.map((x) => ({ text: texts.get(x.id)!, label: x.label }));
}
const save = arg("save-fixture");
if (save) {
  const seen = new Set<string>();
  const items = labelled.filter((r) => !seen.has(r.text) && seen.add(r.text)).map((r) => ({ id: textId(r.text), label: r.label }));
  writeFileSync(
    save,
    JSON.stringify(
      {
        description: "Hand-labelled training set of the learned filler filter: memory texts stored by the rules-only offline extractor on locomo-dev, each read and labelled informative / filler / garbled. Keyed by the first 16 hex digits of the SHA-256 of the text (no dataset text is committed); scripts/train-filler.ts re-makes the texts from ../shared.",
        command: "npx tsx scripts/filler-sample.ts --rules-only --n 400 --seed 17 (and --seed 18), excluding the texts of test/fixtures/filler-sample.json",
        labelledBy: "four readers (engineers' helper sessions), 200 texts each, by reading",
        items,
      },
      null,
      1,
    ) + "\n",
  );
  console.log(`wrote ${save}: ${items.length} labels`);
}
const rows = labelled.filter(judged);
const maxLoss = Number(arg("max-loss", "0.03"));
let X = rows.map((r) => fillerFeatures(r.text, table));
const y = rows.map((r) => (r.label === "informative" ? 0 : 1));
const D = X[0]!.length;

function fit(xs: Float64Array[], ys: number[], lambda: number): Omit<FillerModel, "threshold" | "word"> {
  const mean = new Array<number>(D).fill(0);
  const scale = new Array<number>(D).fill(0);
  for (const x of xs) for (let j = 0; j < D; j++) mean[j]! += x[j]! / xs.length;
  for (const x of xs) for (let j = 0; j < D; j++) scale[j]! += (x[j]! - mean[j]!) ** 2 / xs.length;
  for (let j = 0; j < D; j++) scale[j] = Math.sqrt(scale[j]!) || 1;
  const z = xs.map((x) => x.map((v, j) => (v - mean[j]!) / scale[j]!));
  const w = new Array<number>(D).fill(0);
  let b = 0;
  // Class weights: filler is the rarer class.
  const pos = ys.filter((v) => v === 1).length;
  const cw = [xs.length / (2 * (xs.length - pos)), xs.length / (2 * pos)];
  const lr = 0.1;
  for (let it = 0; it < 1500; it++) {
    const gw = new Array<number>(D).fill(0);
    let gb = 0;
    for (let i = 0; i < z.length; i++) {
      let s = b;
      for (let j = 0; j < D; j++) s += w[j]! * z[i]![j]!;
      const p = 1 / (1 + Math.exp(-s));
      const g = (p - ys[i]!) * cw[ys[i]!]!;
      for (let j = 0; j < D; j++) gw[j]! += g * z[i]![j]!;
      gb += g;
    }
    for (let j = 0; j < D; j++) w[j]! -= lr * (gw[j]! / z.length + lambda * w[j]!);
    b -= lr * (gb / z.length);
  }
  return { version: 1, dim: table.dim, features: FILLER_FEATURES, mean, scale, weights: w, bias: b };
}

/** Highest cut at which at most maxLoss of the informative rows are at or above it. */
function cutFor(scores: number[], ys: number[]): number {
  const inf = scores.filter((_, i) => ys[i] === 0).sort((a, b) => b - a);
  const allowed = Math.floor(inf.length * maxLoss);
  return (inf[allowed] ?? 0) + 1e-9;
}

function report(name: string, scores: number[], ys: number[], cut: number) {
  const n = ys.length;
  const filler = ys.filter((v) => v === 1).length;
  const caught = scores.filter((s, i) => ys[i] === 1 && s >= cut).length;
  const lost = scores.filter((s, i) => ys[i] === 0 && s >= cut).length;
  const keptFiller = filler - caught;
  const kept = n - caught - lost;
  // AUC by pairs.
  let auc = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (ys[i] === 1 && ys[j] === 0) auc += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
  auc /= filler * (n - filler);
  console.log(`${name}: n ${n}, filler ${filler} (${((100 * filler) / n).toFixed(1)}%), AUC ${auc.toFixed(3)}, cut ${cut.toFixed(3)}: caught ${caught}/${filler}, informative lost ${lost}/${n - filler}, filler share after ${((100 * keptFiller) / kept).toFixed(1)}%`);
}

// Stage 1: the mean-vector weights (in raw units) are the per-word filler direction; stage 2
// refits with each line's highest and lowest word scores along it.
const stage1 = fit(X, y, 0.03);
const word = Array.from({ length: table.dim }, (_, j) => stage1.weights[j]! / stage1.scale[j]!);
const wnorm = Math.hypot(...word);
for (let j = 0; j < word.length; j++) word[j] = word[j]! / wnorm;
X = rows.map((r) => fillerFeatures(r.text, table, word));
const rand = mulberry32(17);
const order = rows.map((_, i) => i).sort(() => rand() - 0.5);
let best = { lambda: 0, share: Infinity };
for (const lambda of [0.003, 0.01, 0.03, 0.1, 0.3]) {
  const scores = new Array<number>(rows.length).fill(0);
  for (let k = 0; k < 5; k++) {
    const test = new Set(order.filter((_, i) => i % 5 === k));
    const tr = order.filter((i) => !test.has(i));
    const m = fit(tr.map((i) => X[i]!), tr.map((i) => y[i]!), lambda);
    for (const i of test) scores[i] = predict(X[i]!, m);
  }
  const cut = cutFor(scores, y);
  report(`cv λ=${lambda}`, scores, y, cut);
  const caught = scores.filter((s, i) => y[i] === 1 && s >= cut).length;
  const lost = scores.filter((s, i) => y[i] === 0 && s >= cut).length;
  const share = (y.filter((v) => v === 1).length - caught) / (rows.length - caught - lost);
  if (share < best.share) best = { lambda, share };
}
const model = fit(X, y, best.lambda);
// The threshold: the cross-validated cut of the chosen λ, re-found on the whole set's CV scores.
const cvScores = new Array<number>(rows.length).fill(0);
for (let k = 0; k < 5; k++) {
  const test = new Set(order.filter((_, i) => i % 5 === k));
  const tr = order.filter((i) => !test.has(i));
  const m = fit(tr.map((i) => X[i]!), tr.map((i) => y[i]!), best.lambda);
  for (const i of test) cvScores[i] = predict(X[i]!, m);
}
const threshold = cutFor(cvScores, y);
console.log(`chosen λ=${best.lambda}, threshold ${threshold.toFixed(3)}`);
const holdout = arg("holdout");
if (holdout) {
  const raw = JSON.parse(readFileSync(holdout, "utf8")) as { items: Array<{ id: string; label: string }> };
  const texts = await rulesOnlyTexts(arg("data", "../shared/data/locomo/locomo-dev.json")!);
  const all = raw.items.filter((x) => texts.has(x.id)).map((x) => ({ text: texts.get(x.id)!, label: x.label }));
  console.log(`holdout: ${all.length}/${raw.items.length} labelled texts re-made by the rules-only extractor`);
  const h = all.filter(judged);
  console.log(`holdout: ${all.length - h.length} photo captions kept without judging`);
  report(`holdout ${holdout}`, h.map((r) => predict(fillerFeatures(r.text, table, word), model)), h.map((r) => (r.label === "informative" ? 0 : 1)), threshold);
  if (process.argv.includes("--verbose"))
    for (const r of h) {
      const p = predict(fillerFeatures(r.text, table, word), model);
      if ((p >= threshold) !== (r.label !== "informative")) console.log(`  ${r.label} ${p.toFixed(2)} ${r.text}`);
    }
}
if (process.argv.includes("--write")) {
  const round = (v: number) => Number(v.toPrecision(5));
  const full: FillerModel = { ...model, word: word.map(round), mean: model.mean.map(round), scale: model.scale.map(round), weights: model.weights.map(round), bias: round(model.bias), threshold: round(threshold) };
  writeFileSync(
    "src/ingest/extract/filler-weights.ts",
    `import type { FillerModel } from "./filler-model.js";\n\n/**\n * The trained filler model (generated by scripts/train-filler.ts from ${rows.length} hand-labelled memories; λ ${best.lambda}; do not edit).\n *\n * @example\n * \`\`\`ts\n * fillerProbability(text, table, FILLER_MODEL) >= FILLER_MODEL.threshold; // filler\n * \`\`\`\n */\nexport const FILLER_MODEL: FillerModel = ${JSON.stringify(full)};\n`,
  );
  console.log("wrote src/ingest/extract/filler-weights.ts");
}
