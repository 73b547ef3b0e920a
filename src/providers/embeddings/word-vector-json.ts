/**
 * Streaming conversion of the word-vector package's one large JSON file into the rows
 * kept for the cache (see word-vector-table.ts): reads only as far as it needs.
 */
import { open, type FileHandle } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { words } from "../../core/text.js";


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
/**
 * Rows kept from the package, in frequency order (quantised).
 *
 * @example
 * ```ts
 * const rows = new KeptRows(100, 1024);
 * rows.push("boston", 0, new Float32Array(100));
 * rows.length; // 1
 * ```
 */
export class KeptRows {
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
/**
 * Stream-parses the package JSON, keeping the `vocabulary` most frequent words.
 *
 * @example
 * ```ts
 * const { kept, sourceVocabulary } = await parsePackage(jsonPath, 60_000);
 * kept.length; // ≤ 60000 rows, most frequent first
 * ```
 */
export async function parsePackage(jsonPath: string, vocabulary: number): Promise<{ kept: KeptRows; sourceVocabulary: number; bytesRead: number }> {
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

