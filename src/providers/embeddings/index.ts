import { defaultEmbedder } from "./word-vectors.js";
import { MnemoError } from "../../core/errors.js";
import { HashingEmbedder } from "./hashing.js";
import { OpenAIEmbedder } from "./openai.js";
import { LocalTransformerEmbedder } from "./transformers.js";
import type { Embedder } from "./types.js";

export { HashingEmbedder } from "./hashing.js";
export { WordVectorEmbedder, defaultEmbedder, loadWordVectorFile } from "./word-vectors.js";
export { OpenAIEmbedder, type OpenAIEmbedderOptions } from "./openai.js";
export { LocalTransformerEmbedder, type LocalTransformerOptions } from "./transformers.js";
export { normalize, type Embedder } from "./types.js";

/** Default base URL of Ollama's OpenAI-compatible API. */
const OLLAMA_BASE_URL = "http://localhost:11434/v1";

const SPEC_HINT =
  "Use one of: hashing, hashing:<dim>, openai/<model>, openai-compatible/<model> (with MNEMO_EMBED_BASE_URL), ollama/<model>, local:<model dir>.";

function parseDim(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_536) {
    throw new MnemoError("INVALID_CONFIG", `${what} must be an integer between 1 and 65536, got ${JSON.stringify(value)}.`, { hint: SPEC_HINT });
  }
  return n;
}

function modelOf(spec: string, prefix: string): string {
  const model = spec.slice(prefix.length).trim();
  if (model === "") throw new MnemoError("INVALID_CONFIG", `The embedder spec ${JSON.stringify(spec)} names no model.`, { hint: SPEC_HINT });
  return model;
}

/**
 * Builds an embedder from a spec string (the `embedder` option, `--embedder`
 * flag or `MNEMO_EMBEDDER` variable). Remote embedders are initialised before
 * they are returned, so `dim` is known (that costs one probe request unless
 * `MNEMO_EMBED_DIM` declares it).
 *
 * | spec | embedder | environment |
 * |---|---|---|
 * | `word-vectors` (default, also `""`) | the bundled offline word vectors ({@link defaultEmbedder}) | — |
 * | `hashing`, `hashing:<dim>` | {@link HashingEmbedder}, offline | — |
 * | `openai/<model>` | {@link OpenAIEmbedder} | `OPENAI_API_KEY` (required), `OPENAI_BASE_URL` |
 * | `openai-compatible/<model>` | {@link OpenAIEmbedder} | `MNEMO_EMBED_BASE_URL` (required), `MNEMO_EMBED_API_KEY` |
 * | `ollama/<model>` | {@link OpenAIEmbedder} on `http://localhost:11434/v1` | `MNEMO_EMBED_BASE_URL` overrides the URL |
 * | `local:<dir>` | {@link LocalTransformerEmbedder} | `MNEMO_EMBED_POOLING` (`mean` or `cls`) |
 *
 * `MNEMO_EMBED_DIM` declares the dimension of remote and local models.
 * Unknown specs and missing required variables throw `INVALID_CONFIG`.
 *
 * @example
 * ```ts
 * const offline = await createEmbedder("hashing:512");
 * const remote = await createEmbedder("openai/text-embedding-3-small", { OPENAI_API_KEY: "sk-..." });
 * const local = await createEmbedder("ollama/nomic-embed-text");
 * ```
 */
export async function createEmbedder(spec: string, env: Record<string, string | undefined> = process.env): Promise<Embedder> {
  const s = spec.trim();
  if (s === "" || s === "word-vectors") return defaultEmbedder();
  if (s === "hashing") return new HashingEmbedder();
  if (s.startsWith("hashing:")) {
    const dim = parseDim(s.slice("hashing:".length), "The hashing dimension");
    return new HashingEmbedder(dim === undefined ? {} : { dim });
  }

  if (s.startsWith("local:")) {
    const dir = modelOf(s, "local:");
    const pooling = env.MNEMO_EMBED_POOLING?.trim() || "mean";
    if (pooling !== "mean" && pooling !== "cls") {
      throw new MnemoError("INVALID_CONFIG", `MNEMO_EMBED_POOLING must be 'mean' or 'cls', got ${JSON.stringify(pooling)}.`);
    }
    const dim = parseDim(env.MNEMO_EMBED_DIM, "MNEMO_EMBED_DIM");
    return LocalTransformerEmbedder.load(dim === undefined ? { modelDir: dir, pooling } : { modelDir: dir, pooling, dim });
  }

  let options: { baseUrl: string; apiKey?: string; model: string; dim?: number };
  if (s.startsWith("openai/")) {
    const apiKey = env.OPENAI_API_KEY?.trim();
    if (!apiKey) {
      throw new MnemoError("INVALID_CONFIG", `The embedder ${s} needs OPENAI_API_KEY.`, {
        hint: "Set OPENAI_API_KEY, or use openai-compatible/<model> with MNEMO_EMBED_BASE_URL for a server without a key.",
      });
    }
    options = { baseUrl: env.OPENAI_BASE_URL?.trim() || "https://api.openai.com/v1", apiKey, model: modelOf(s, "openai/") };
  } else if (s.startsWith("openai-compatible/")) {
    const baseUrl = env.MNEMO_EMBED_BASE_URL?.trim();
    if (!baseUrl) {
      throw new MnemoError("INVALID_CONFIG", `The embedder ${s} needs MNEMO_EMBED_BASE_URL.`, {
        hint: "Set MNEMO_EMBED_BASE_URL to the server's API root, e.g. http://localhost:8080/v1.",
      });
    }
    options = { baseUrl, model: modelOf(s, "openai-compatible/") };
    const apiKey = env.MNEMO_EMBED_API_KEY?.trim();
    if (apiKey) options.apiKey = apiKey;
  } else if (s.startsWith("ollama/")) {
    options = { baseUrl: env.MNEMO_EMBED_BASE_URL?.trim() || OLLAMA_BASE_URL, model: modelOf(s, "ollama/") };
  } else {
    throw new MnemoError("INVALID_CONFIG", `Unknown embedder ${JSON.stringify(spec)}.`, { hint: SPEC_HINT });
  }
  const dim = parseDim(env.MNEMO_EMBED_DIM, "MNEMO_EMBED_DIM");
  if (dim !== undefined) options.dim = dim;
  const embedder = new OpenAIEmbedder(options);
  await embedder.init();
  return embedder;
}
