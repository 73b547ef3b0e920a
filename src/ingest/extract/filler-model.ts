import { contentWords, sentences, wordTokens } from "../../core/text.js";
import { specific, vagueSelf } from "./filler.js";
import type { WordVectorTable } from "../../providers/embeddings/word-vector-table.js";
import { MnemoError } from "../../core/errors.js";

/**
 * A logistic-regression model of "this memory is chat filler", over what a line's words
 * mean (the mean word vector of its content words, from the bundled GloVe table) and a few
 * counts (content words, names, numbers, how common its words are, first and second
 * person). Trained by `scripts/train-filler.ts` on hand-labelled memories; the weights
 * live in `filler-weights.ts`. Standardisation (`mean`, `scale`) is part of the model.
 *
 * @example
 * ```ts
 * const m: FillerModel = { version: 1, dim: 100, features: FILLER_FEATURES, mean, scale, weights, bias: -1.2, threshold: 0.5 };
 * ```
 */
export interface FillerModel {
  version: 1;
  /** Word-vector dimension the model was trained with. */
  dim: number;
  /** Names of the scalar features, in order, after the `dim` vector components. */
  features: readonly string[];
  /** Per-feature mean and standard deviation used to standardise (length dim + features). */
  mean: readonly number[];
  scale: readonly number[];
  weights: readonly number[];
  bias: number;
  /** A memory whose probability of filler is at least this is dropped. */
  threshold: number;
  /**
   * A per-word filler direction (length dim): each content word's unit vector is scored
   * against it and the highest and lowest scores are two more features ("any concrete
   * word" is a maximum, which a mean vector blurs).
   */
  word: readonly number[];
}

/**
 * The scalar features after the mean word vector, in order.
 *
 * @example
 * ```ts
 * FILLER_FEATURES.length; // 15
 * ```
 */
export const FILLER_FEATURES = [
  "log content words",
  "numbers",
  "names",
  "date note",
  "share of common words",
  "log rarest word rank",
  "unknown words",
  "first person",
  "second person",
  "exclamations",
  "most particular word",
  "most filler word",
  "particular sentences",
  "feeling or resolve",
  "question and answer",
] as const;

const FIRST = new Set(["i", "i'm", "i've", "i'd", "i'll", "me", "my", "mine", "we", "we're", "we've", "our", "us"]);
const SECOND = new Set(["you", "your", "yours", "yourself", "you're", "you've", "you'll", "you'd"]);
/** Words up to this 0-based frequency rank count as common. */
const COMMON_RANK = 1_000;

/** The text a model judges: speaker labels ("Ann: ") and carried topics ("(re: job)") removed. */
function body(text: string): string {
  return text
    .replace(/(^|—\s*)[\p{Lu}][\p{L}'’.-]*(?: [\p{Lu}][\p{L}'’.-]*)?: /gu, "$1")
    .replace(/\s*\(re: [^)]*\)/g, "");
}

/**
 * The feature vector of a memory's text: `dim` mean-vector components (content words
 * found in the table, unit length; zeros when none) then {@link FILLER_FEATURES}.
 *
 * @example
 * ```ts
 * const x = fillerFeatures("Caroline: I keep my spare key under the blue flowerpot.", table);
 * x.length; // table.dim + FILLER_FEATURES.length
 * ```
 */
export function fillerFeatures(text: string, table: WordVectorTable, word?: readonly number[]): Float64Array {
  const dim = table.dim;
  const out = new Float64Array(dim + FILLER_FEATURES.length);
  const said = body(text);
  const content = contentWords(said);
  let found = 0;
  let common = 0;
  let rarest = 0;
  let lowest = 0;
  let highest = 0;
  for (const w of content) {
    const row = table.lookup(w);
    if (row < 0) continue;
    found++;
    const rank = table.ranks[row]!;
    if (rank < COMMON_RANK) common++;
    rarest = Math.max(rarest, rank);
    const s = table.scales[row]!;
    const base = row * dim;
    let dot = 0;
    let sq = 0;
    for (let j = 0; j < dim; j++) {
      const v = table.vectors[base + j]!;
      out[j]! += v * s;
      if (word) dot += v * word[j]!;
      sq += v * v;
    }
    if (word && sq > 0) {
      const score = dot / Math.sqrt(sq);
      lowest = found === 1 ? score : Math.min(lowest, score);
      highest = found === 1 ? score : Math.max(highest, score);
    }
  }
  let norm = 0;
  for (let j = 0; j < dim; j++) norm += out[j]! * out[j]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let j = 0; j < dim; j++) out[j]! /= norm;
  const tokens = wordTokens(said);
  // A capitalised word that does not open a sentence: a name (speaker labels are already gone).
  const names = [...said.matchAll(/(?<![.!?]\s|^)\b[\p{Lu}][\p{Ll}][\p{L}'’-]*/gu)].length;
  let f = dim;
  out[f++] = Math.log1p(content.length);
  out[f++] = Math.min(3, (said.match(/\d+/g) ?? []).length);
  out[f++] = Math.min(4, names);
  out[f++] = said.includes("[= ") ? 1 : 0;
  out[f++] = found ? common / found : 1;
  out[f++] = Math.log1p(rarest);
  out[f++] = content.length - found;
  out[f++] = tokens.filter((t) => FIRST.has(t)).length / Math.max(1, tokens.length);
  out[f++] = tokens.filter((t) => SECOND.has(t)).length / Math.max(1, tokens.length);
  out[f++] = Math.min(3, (said.match(/!/g) ?? []).length);
  out[f++] = lowest;
  out[f++] = highest;
  const said1 = sentences(said);
  out[f++] = said1.filter((x) => specific(x)).length / Math.max(1, said1.length);
  out[f++] = said1.filter((x) => vagueSelf(x)).length / Math.max(1, said1.length);
  out[f++] = text.includes(" — ") ? 1 : 0;
  return out;
}

/**
 * The model's probability that a memory's text is filler.
 *
 * @example
 * ```ts
 * fillerProbability("Caroline: Our loved ones give us strength to tackle any challenge!", table, FILLER_MODEL); // ≈ 0.9
 * ```
 */
export function fillerProbability(text: string, table: WordVectorTable, model: FillerModel): number {
  return predict(fillerFeatures(text, table, model.word), model);
}

/**
 * Logistic prediction for one feature vector (standardised with the model's mean and scale).
 *
 * @example
 * ```ts
 * predict(fillerFeatures(text, table), model); // in [0, 1]
 * ```
 */
export function predict(x: ArrayLike<number>, model: Pick<FillerModel, "mean" | "scale" | "weights" | "bias">): number {
  let z = model.bias;
  for (let j = 0; j < model.weights.length; j++) z += model.weights[j]! * ((x[j]! - model.mean[j]!) / model.scale[j]!);
  return 1 / (1 + Math.exp(-z));
}

/**
 * Checks a filler model's shape before it is used: version 1, vectors of the bundled word
 * table's dimension (100), `dim` + {@link FILLER_FEATURES} finite weights, means and positive
 * scales, a `word` direction of `dim`, a threshold in (0, 1]. A malformed model would make
 * every probability NaN and silently keep or drop everything; it is an `INVALID_CONFIG` instead.
 *
 * @example
 * ```ts
 * checkFillerModel(FILLER_MODEL); // returns it
 * checkFillerModel({ ...FILLER_MODEL, weights: [] }); // throws MnemoError INVALID_CONFIG
 * ```
 */
export function checkFillerModel(model: FillerModel): FillerModel {
  const n = model?.dim + FILLER_FEATURES.length;
  const finite = (xs: unknown, len: number) => Array.isArray(xs) && xs.length === len && xs.every((x) => typeof x === "number" && Number.isFinite(x));
  const problem =
    model?.version !== 1
      ? "version must be 1"
      : model.dim !== FILLER_DIM
        ? `dim must be ${FILLER_DIM} (the bundled word table's), got ${String(model.dim)}`
        : !finite(model.weights, n) || !finite(model.mean, n) || !finite(model.scale, n) || !model.scale.every((x) => x > 0)
          ? `weights, mean and scale must be ${n} finite numbers (scale > 0)`
          : !finite(model.word, model.dim)
            ? `word must be ${model.dim} finite numbers`
            : !(typeof model.bias === "number" && Number.isFinite(model.bias)) || !(model.threshold > 0 && model.threshold <= 1)
              ? "bias must be finite and threshold in (0, 1]"
              : null;
  if (problem) throw new MnemoError("INVALID_CONFIG", `fillerModel: ${problem}.`, { hint: "Pass a model written by scripts/train-filler.ts, or false to keep everything the rules keep." });
  return model;
}

/** Dimension of the bundled word table the filler model reads. */
const FILLER_DIM = 100;
