/**
 * Dot products of a query with every row of a matrix of 8-bit codes, in WebAssembly SIMD
 * (16 components per instruction; about 6–8× the scalar JavaScript loop on 100-d rows). The
 * query is quantised to 16 bits (relative error ≈ 6e-5, far below the 8-bit codes' own), so
 * the order it gives is the exact order of the codes up to near-ties; callers re-score their
 * shortlist with the Float32 query.
 *
 * The module is assembled here from its opcodes (no toolchain, no file to load): one
 * function `dots(codes, rows, dim, q, dimPad, out)` over its own linear memory, laid out by
 * {@link Int8Matrix} as [query: dimPad × i16][codes: capacity × dim + slack][scores: rows × i32].
 * A row is read 16 bytes at a time up to `dimPad` (dim rounded up to 16): the bytes past its
 * end (the next row's, or the slack) meet the query's zero padding.
 */

const I32 = 0x7f;
const V128 = 0x7b;

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...leb(body.length), ...body];
}

function name(s: string): number[] {
  return [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
}

/** The module's bytes. Locals: 0 codes, 1 rows, 2 dim, 3 q, 4 dimPad, 5 out, 6 r, 7 p, 8 c, 9 acc, 10 v. */
function moduleBytes(): Uint8Array {
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const tee = (i: number) => [0x22, i];
  const i32c = (n: number) => [0x41, ...leb(n)]; // non-negative and < 64 here: one LEB byte, sign bit clear
  const simd = (op: number) => [0xfd, ...leb(op)];
  const load = (offset: number) => [...simd(0x00), 0x00, ...leb(offset)];
  const body = [
    // locals: 3 × i32 (r, p, c), 2 × v128 (acc, v)
    0x02, 3, I32, 2, V128,
    ...get(0), ...set(7), // p = codes
    0x02, 0x40, // block $done
    ...get(1), 0x45, 0x0d, 0x00, // if rows == 0 break
    0x03, 0x40, // loop $row
    ...simd(0x0c), ...new Array<number>(16).fill(0), ...set(9), // acc = 0
    ...i32c(0), ...set(8), // c = 0
    0x03, 0x40, // loop $col
    ...get(7), ...get(8), 0x6a, ...load(0), ...set(10), // v = codes[p + c .. +16]
    ...get(9),
    ...get(10), ...simd(0x87), // i16x8.extend_low_i8x16_s
    ...get(3), ...get(8), ...i32c(1), 0x74, 0x6a, ...load(0), // q[c .. c+8] (i16)
    ...simd(0xba), ...simd(0xae), // i32x4.dot_i16x8_s, i32x4.add
    ...get(10), ...simd(0x88), // i16x8.extend_high_i8x16_s
    ...get(3), ...get(8), ...i32c(1), 0x74, 0x6a, ...load(16), // q[c+8 .. c+16]
    ...simd(0xba), ...simd(0xae),
    ...set(9),
    ...get(8), ...i32c(16), 0x6a, ...tee(8), ...get(4), 0x49, 0x0d, 0x00, // c += 16; continue while c < dimPad
    0x0b, // end $col
    ...get(5), ...get(6), ...i32c(2), 0x74, 0x6a, // &out[r]
    ...get(9), ...simd(0x1b), 0, ...get(9), ...simd(0x1b), 1, 0x6a,
    ...get(9), ...simd(0x1b), 2, 0x6a, ...get(9), ...simd(0x1b), 3, 0x6a,
    0x36, 0x02, 0x00, // i32.store
    ...get(7), ...get(2), 0x6a, ...set(7), // p += dim
    ...get(6), ...i32c(1), 0x6a, ...tee(6), ...get(1), 0x49, 0x0d, 0x00, // r++; continue while r < rows
    0x0b, // end $row
    0x0b, // end $done
    0x0b, // end function
  ];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 6, I32, I32, I32, I32, I32, I32, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [2, ...name("dots"), 0x00, 0, ...name("mem"), 0x02, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ];
  return new Uint8Array(bytes);
}

/** The little of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is not available (callers scan in JavaScript). */
function wasmModule(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = moduleBytes();
    compiled = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/**
 * Whether {@link Int8Matrix} can be used here (WebAssembly with SIMD).
 *
 * @example
 * ```ts
 * const scan = int8DotsAvailable() ? "simd" : "javascript";
 * ```
 */
export function int8DotsAvailable(): boolean {
  return wasmModule() !== null;
}

const PAGE = 65536;
const SLACK = 16;

/**
 * A growable row-major matrix of 8-bit codes in WebAssembly memory, scanned with SIMD.
 *
 * @example
 * ```ts
 * const m = Int8Matrix.create(100, 1024)!; // null without WebAssembly SIMD
 * m.codes.set(codes); // rows × 100 signed bytes
 * const dots = m.dots(query, rows); // Int32Array view: dots[i] × m.queryScale ≈ Σ codes[i, j] · query[j]
 * ```
 */
export class Int8Matrix {
  readonly dim: number;
  private readonly dimPad: number;
  private readonly qBytes: number;
  private readonly memory: WasmMemory;
  private readonly run: (codes: number, rows: number, dim: number, q: number, dimPad: number, out: number) => void;
  /** Rows the codes region holds. */
  capacity = 0;
  /** View of the codes region (capacity × dim); replaced when the memory grows. */
  codes: Int8Array = new Int8Array(0);
  /** The factor from the last {@link dots} call's integers to the query's units. */
  queryScale = 1;

  private constructor(dim: number, instance: { exports: unknown }) {
    this.dim = dim;
    this.dimPad = Math.ceil(dim / 16) * 16;
    this.qBytes = Math.ceil((this.dimPad * 2) / 64) * 64;
    const ex = instance.exports as { mem: WasmMemory; dots: Int8Matrix["run"] };
    this.memory = ex.mem;
    this.run = ex.dots;
  }

  /** A matrix for `capacity` rows of `dim` codes, or null without WebAssembly SIMD. */
  static create(dim: number, capacity: number): Int8Matrix | null {
    const mod = wasmModule();
    if (!mod || dim <= 0 || dim > 4096) return null; // 4,096 × 127 × 16,383 stays within an i32 lane
    const m = new Int8Matrix(dim, new wasm!.Instance(mod, {}));
    m.reserve(capacity);
    return m;
  }

  /** Bytes of the WebAssembly memory. */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Grows the codes region to at least `rows` rows, keeping its contents. */
  reserve(rows: number): void {
    if (rows <= this.capacity && this.codes.buffer === this.memory.buffer) return;
    const cap = Math.max(rows, this.capacity);
    // Codes, their slack, and the scores of every row (4 bytes each) after them.
    const need = this.qBytes + cap * this.dim + SLACK + 64 + cap * 4;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE));
    this.capacity = cap;
    this.codes = new Int8Array(this.memory.buffer, this.qBytes, cap * this.dim);
  }

  /**
   * The integer dot product of the query with each of the first `rows` rows (a view valid
   * until the next call); multiply by {@link queryScale} (and the row's own scale) for the
   * query's units.
   */
  dots(q: Float32Array, rows: number): Int32Array {
    if (rows > this.capacity) throw new RangeError(`${rows} rows asked of a matrix of ${this.capacity}`);
    let max = 0;
    for (let j = 0; j < this.dim; j++) max = Math.max(max, Math.abs(q[j]!));
    const scale = max > 0 ? max / 16383 : 1;
    const buf = this.memory.buffer;
    const qi = new Int16Array(buf, 0, this.dimPad);
    for (let j = 0; j < this.dim; j++) qi[j] = Math.round(q[j]! / scale);
    qi.fill(0, this.dim);
    const out = Math.ceil((this.qBytes + this.capacity * this.dim + SLACK) / 64) * 64;
    // The slack after the last row is read against zeros; keep it finite-valued (any bytes do).
    this.run(this.qBytes, rows, this.dim, 0, this.dimPad, out);
    this.queryScale = scale;
    return new Int32Array(buf, out, rows);
  }
}
