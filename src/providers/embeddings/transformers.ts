import { stat } from "node:fs/promises";
import path from "node:path";
import { MnemoError } from "../../core/errors.js";
import { normalize, type Embedder } from "./types.js";

/**
 * Options of {@link LocalTransformerEmbedder.load}.
 *
 * @example
 * ```ts
 * const options: LocalTransformerOptions = { modelDir: "./models/all-MiniLM-L6-v2", pooling: "mean" };
 * ```
 */
export interface LocalTransformerOptions {
  /** A directory holding a transformers.js model: `config.json`, tokenizer files and `onnx/model*.onnx`. */
  modelDir: string;
  /** How token vectors become one vector: `"mean"` (sentence-transformers) or `"cls"` (BGE, E5-style). Default `"mean"`. */
  pooling?: "mean" | "cls";
  /** Expected dimension; loading fails with EMBEDDER_MISMATCH when the model disagrees. */
  dim?: number;
  /** ONNX weights variant passed to transformers.js (`"fp32"`, `"q8"`, …), e.g. for `model_quantized.onnx`. */
  dtype?: string;
}

/** The output of a feature-extraction pipeline after pooling: a `[batch, dim]` tensor. */
interface FeatureTensor {
  data: ArrayLike<number>;
  dims: number[];
}

/** The callable pipeline returned by `pipeline("feature-extraction", …)`. */
interface FeatureExtractor {
  (texts: string[], options: { pooling: "mean" | "cls"; normalize: boolean }): Promise<FeatureTensor>;
  dispose?: () => Promise<void> | void;
}

/** The few parts of `@huggingface/transformers` this module uses. */
interface TransformersModule {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; localModelPath: string };
  pipeline(task: "feature-extraction", model: string, options: { local_files_only: boolean; dtype?: string }): Promise<FeatureExtractor>;
}

const PACKAGE = "@huggingface/transformers";
const BATCH = 32;
const INSTALL_HINT = `npm install ${PACKAGE}  (an optional peer dependency of Mnemo, needed only for local: embedders)`;

function looksLikeTransformers(mod: unknown): mod is TransformersModule {
  if (typeof mod !== "object" || mod === null) return false;
  const m = mod as { pipeline?: unknown; env?: unknown };
  return typeof m.pipeline === "function" && typeof m.env === "object" && m.env !== null;
}

async function importTransformers(): Promise<unknown> {
  const name: string = PACKAGE; // a variable, so TypeScript and bundlers leave the optional peer alone
  return import(name);
}

/**
 * Embeds texts with a sentence-embedding model on local disk, run by
 * `@huggingface/transformers` (ONNX Runtime) — no network, no API key.
 * The package is an optional peer dependency, loaded only here. Remote model
 * downloads are switched off: the model directory must already hold the files.
 *
 * @example
 * ```ts
 * const embedder = await LocalTransformerEmbedder.load({ modelDir: "./models/all-MiniLM-L6-v2" });
 * const [v] = await embedder.embed(["Melanie paints sunsets"]); // embedder.dim === 384
 * ```
 */
export class LocalTransformerEmbedder implements Embedder {
  readonly id: string;
  readonly dim: number;
  readonly modelDir: string;
  readonly pooling: "mean" | "cls";
  private readonly extractor: FeatureExtractor;

  private constructor(modelDir: string, pooling: "mean" | "cls", dim: number, extractor: FeatureExtractor) {
    this.modelDir = modelDir;
    this.pooling = pooling;
    this.dim = dim;
    this.extractor = extractor;
    this.id = `local/${path.basename(modelDir)}/${pooling}`;
  }

  /**
   * Checks the model directory, imports `@huggingface/transformers`, builds the
   * pipeline from local files only and embeds a probe to learn the dimension.
   * Throws `INVALID_CONFIG` when the directory, its `config.json` or the package
   * is missing; `EMBEDDER_MISMATCH` when `dim` is declared and wrong.
   * `deps.importModule` replaces the dynamic import (for tests).
   *
   * @example
   * ```ts
   * const e = await LocalTransformerEmbedder.load({ modelDir: "/models/bge-small-en-v1.5", pooling: "cls" });
   * ```
   */
  static async load(options: LocalTransformerOptions, deps: { importModule?: () => Promise<unknown> } = {}): Promise<LocalTransformerEmbedder> {
    const modelDir = path.resolve(options.modelDir);
    const pooling = options.pooling ?? "mean";
    if (pooling !== "mean" && pooling !== "cls") {
      throw new MnemoError("INVALID_CONFIG", `Unknown pooling ${JSON.stringify(pooling)}.`, { hint: "Use pooling 'mean' or 'cls'." });
    }
    const dirStat = await stat(modelDir).catch(() => undefined);
    if (!dirStat?.isDirectory()) {
      throw new MnemoError("INVALID_CONFIG", `The local embedding model directory ${modelDir} does not exist.`, {
        hint: "Download a transformers.js feature-extraction model (config.json, tokenizer files, onnx/model.onnx — e.g. Xenova/all-MiniLM-L6-v2) into that directory.",
        details: { modelDir },
      });
    }
    const configStat = await stat(path.join(modelDir, "config.json")).catch(() => undefined);
    if (!configStat?.isFile()) {
      throw new MnemoError("INVALID_CONFIG", `${modelDir} has no config.json, so it is not a transformers model directory.`, {
        hint: "Point local:<dir> at the folder that holds config.json, the tokenizer files and onnx/model.onnx.",
        details: { modelDir },
      });
    }

    let mod: unknown;
    try {
      mod = await (deps.importModule ?? importTransformers)();
    } catch (e) {
      throw new MnemoError("INVALID_CONFIG", `The package ${PACKAGE} could not be loaded: ${e instanceof Error ? e.message : String(e)}`, {
        hint: INSTALL_HINT,
        cause: e,
      });
    }
    if (!looksLikeTransformers(mod)) {
      throw new MnemoError("INVALID_CONFIG", `The module loaded as ${PACKAGE} has no pipeline() or env.`, { hint: INSTALL_HINT });
    }

    mod.env.allowRemoteModels = false;
    mod.env.allowLocalModels = true;
    mod.env.localModelPath = path.dirname(modelDir);
    let extractor: FeatureExtractor;
    try {
      const pipelineOptions: { local_files_only: boolean; dtype?: string } = { local_files_only: true };
      if (options.dtype !== undefined) pipelineOptions.dtype = options.dtype;
      extractor = await mod.pipeline("feature-extraction", path.basename(modelDir), pipelineOptions);
    } catch (e) {
      throw new MnemoError("INVALID_CONFIG", `Could not load the model in ${modelDir}: ${e instanceof Error ? e.message : String(e)}`, {
        hint: "The directory needs the tokenizer files and onnx/model.onnx (or pass dtype 'q8' for onnx/model_quantized.onnx).",
        details: { modelDir },
        cause: e,
      });
    }

    const [probe] = await runExtractor(extractor, ["dimension probe"], pooling);
    const dim = probe?.length ?? 0;
    if (dim === 0) throw new MnemoError("PROVIDER_ERROR", `The model in ${modelDir} returned an empty vector.`);
    if (options.dim !== undefined && options.dim !== dim) {
      throw new MnemoError("EMBEDDER_MISMATCH", `The model in ${modelDir} makes ${dim}-dimensional vectors, not ${options.dim}.`, {
        details: { expected: options.dim, actual: dim },
      });
    }
    return new LocalTransformerEmbedder(modelDir, pooling, dim, extractor);
  }

  /**
   * Embeds texts in batches of 32, in input order; vectors are L2-normalised.
   *
   * @example
   * ```ts
   * const [a, b] = await embedder.embed(["first", "second"]);
   * ```
   */
  async embed(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += BATCH) {
      const vectors = await runExtractor(this.extractor, texts.slice(start, start + BATCH), this.pooling);
      for (const v of vectors) {
        if (v.length !== this.dim) {
          throw new MnemoError("EMBEDDER_MISMATCH", `The model returned a ${v.length}-dimensional vector; expected ${this.dim}.`);
        }
        out.push(v);
      }
    }
    return out;
  }

  /**
   * Releases the ONNX session, when the pipeline supports it.
   *
   * @example
   * ```ts
   * await embedder.dispose();
   * ```
   */
  async dispose(): Promise<void> {
    await this.extractor.dispose?.();
  }
}

/** Runs the pipeline and splits its `[batch, dim]` output into one vector per text. */
async function runExtractor(extractor: FeatureExtractor, texts: string[], pooling: "mean" | "cls"): Promise<Float32Array[]> {
  if (texts.length === 0) return [];
  let tensor: FeatureTensor;
  try {
    tensor = await extractor(texts, { pooling, normalize: true });
  } catch (e) {
    throw new MnemoError("PROVIDER_ERROR", `The local embedding model failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const [rows, dim] = tensor.dims;
  if (tensor.dims.length !== 2 || rows !== texts.length || dim === undefined || tensor.data.length !== rows * dim) {
    throw new MnemoError("PROVIDER_ERROR", `The local embedding model returned a tensor of shape [${tensor.dims.join(", ")}] for ${texts.length} texts.`);
  }
  const out: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const v = new Float32Array(dim);
    for (let j = 0; j < dim; j++) v[j] = tensor.data[r * dim + j]!;
    out.push(normalize(v));
  }
  return out;
}
