/**
 * Vector index benchmark: exact brute force vs HNSW on seeded random unit vectors.
 *
 *   npx tsx bench/vector.ts [--sizes 10000,30000] [--dim 384] [--queries 200]
 *                           [--ef 64,128] [--seed 1] [--data random|clustered]
 *                           [--json bench/results/vector.json]
 *
 * Defaults: sizes 10000,30000 (about a minute on 2 cores; HNSW build time
 * dominates), dim 384, 200 queries, efSearch 64 and 128.
 *
 * For each size: build time, query latency p50/p95 over the queries, recall@10
 * of HNSW against exact search, and the memory the index holds (JS heap plus
 * typed-array buffers, measured after a forced GC).
 *
 * `--data random` (default) draws isotropic Gaussian unit vectors: the worst
 * case for any graph index, since in high dimension every pair is nearly
 * orthogonal and "nearest" neighbours are barely nearer than the rest, so HNSW
 * recall here is a floor. `--data clustered` draws vectors with a low intrinsic
 * dimension (a random 16-dim latent projected to `dim`, plus noise), which is
 * closer to what sentence embeddings look like.
 *
 * @example
 * ```sh
 * npx tsx bench/vector.ts --sizes 10000,50000 --json bench/results/vector.json
 * ```
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ExactIndex, HnswIndex, type VectorHit, type VectorIndex } from "../src/recall/vector/index.js";
import { mulberry32 } from "../src/core/random.js";

/**
 * One row of the benchmark's results.
 *
 * @example
 * ```ts
 * const row: BenchRow = { size: 10000, index: "hnsw", efSearch: 64, buildMs: 9000, p50Ms: 0.4, p95Ms: 0.7, recallAt10: 0.8, memoryMB: 20 };
 * ```
 */
export interface BenchRow {
  size: number;
  index: "exact" | "hnsw";
  efSearch: number | null;
  buildMs: number;
  p50Ms: number;
  p95Ms: number;
  recallAt10: number;
  memoryMB: number;
}

interface Args {
  data: "random" | "clustered";
  sizes: number[];
  dim: number;
  queries: number;
  ef: number[];
  seed: number;
  json: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { data: "random", sizes: [10_000, 30_000], dim: 384, queries: 200, ef: [64, 128], seed: 1, json: "bench/results/vector.json" };
  const list = (v: string) => v.split(",").map((x) => Number(x.trim().replace(/_/g, "")));
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--sizes") args.sizes = list(value);
    else if (flag === "--dim") args.dim = Number(value);
    else if (flag === "--queries") args.queries = Number(value);
    else if (flag === "--ef") args.ef = list(value);
    else if (flag === "--seed") args.seed = Number(value);
    else if (flag === "--json") args.json = value;
    else if (flag === "--data") {
      if (value !== "random" && value !== "clustered") throw new Error("--data must be random or clustered");
      args.data = value;
    }
    else throw new Error(`unknown flag ${flag}`);
    i++;
  }
  for (const n of [...args.sizes, ...args.ef, args.dim, args.queries]) {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`not a positive integer: ${n}`);
  }
  return args;
}

const LATENT_DIM = 16;

/**
 * Seeded unit vectors, packed in one buffer. `random`: isotropic Gaussian.
 * `clustered`: a Gaussian in a 16-dim latent space through a fixed random
 * projection (same for every call with the same dim), plus isotropic noise.
 */
function unitVectors(n: number, dim: number, seed: number, data: Args["data"]): Float32Array[] {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const projection = data === "clustered" ? projectionMatrix(dim) : undefined;
  const buffer = new Float32Array(n * dim);
  const out: Float32Array[] = [];
  const z = new Float64Array(LATENT_DIM);
  for (let r = 0; r < n; r++) {
    const v = buffer.subarray(r * dim, (r + 1) * dim);
    if (projection) {
      for (let l = 0; l < LATENT_DIM; l++) z[l] = gauss();
      for (let i = 0; i < dim; i++) {
        let x = 0;
        for (let l = 0; l < LATENT_DIM; l++) x += z[l]! * projection[l * dim + i]!;
        v[i] = x + 1.2 * gauss();
      }
    } else {
      for (let i = 0; i < dim; i++) v[i] = gauss();
    }
    let s = 0;
    for (let i = 0; i < dim; i++) s += v[i]! * v[i]!;
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < dim; i++) v[i]! *= inv;
    out.push(v);
  }
  return out;
}

function projectionMatrix(dim: number): Float64Array {
  const rand = mulberry32(0x5eed);
  const m = new Float64Array(LATENT_DIM * dim);
  for (let i = 0; i < m.length; i++) m[i] = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return m;
}


setFlagsFromString("--expose-gc");
const gcFn: unknown = runInNewContext("typeof gc === 'function' ? gc : undefined");
function collect(): void {
  if (typeof gcFn === "function") {
    (gcFn as () => void)();
    (gcFn as () => void)();
  }
}

function memoryBytes(): number {
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function timeQueries(index: VectorIndex, queries: Float32Array[]): { results: VectorHit[][]; p50: number; p95: number } {
  for (const q of queries.slice(0, 10)) index.search(q, 10); // warm-up
  const times: number[] = [];
  const results: VectorHit[][] = [];
  for (const q of queries) {
    const t = performance.now();
    results.push(index.search(q, 10));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { results, p50: percentile(times, 50), p95: percentile(times, 95) };
}

function recall(truth: VectorHit[][], got: VectorHit[][]): number {
  let hits = 0;
  let total = 0;
  truth.forEach((t, i) => {
    const ids = new Set(t.map((h) => h.id));
    for (const h of got[i] ?? []) if (ids.has(h.id)) hits++;
    total += t.length;
  });
  return total === 0 ? 1 : hits / total;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

function benchSize(size: number, args: Args, log: (row: BenchRow) => void): void {
  const vectors = unitVectors(size, args.dim, args.seed + size, args.data);
  const ids = vectors.map((_, i) => `m${i}`);
  const queries = unitVectors(args.queries, args.dim, args.seed + size + 1, args.data);

  let before = memoryBytes();
  let t = performance.now();
  const exact = new ExactIndex(args.dim);
  exact.add(ids, vectors);
  const exactBuild = performance.now() - t;
  const exactMem = memoryBytes() - before;
  const truth = timeQueries(exact, queries);
  log({ size, index: "exact", efSearch: null, buildMs: round(exactBuild, 1), p50Ms: round(truth.p50, 3), p95Ms: round(truth.p95, 3), recallAt10: 1, memoryMB: round(exactMem / 2 ** 20, 1) });

  before = memoryBytes();
  t = performance.now();
  const hnsw = new HnswIndex(args.dim, { seed: args.seed });
  hnsw.add(ids, vectors);
  const hnswBuild = performance.now() - t;
  const hnswMem = memoryBytes() - before;
  for (const ef of args.ef) {
    hnsw.efSearch = ef;
    const run = timeQueries(hnsw, queries);
    log({
      size,
      index: "hnsw",
      efSearch: ef,
      buildMs: round(hnswBuild, 1),
      p50Ms: round(run.p50, 3),
      p95Ms: round(run.p95, 3),
      recallAt10: round(recall(truth.results, run.results), 4),
      memoryMB: round(hnswMem / 2 ** 20, 1),
    });
  }
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const header = ["size", "index", "efSearch", "build s", "p50 ms", "p95 ms", "recall@10", "mem MB"];
  const widths = [8, 6, 9, 9, 8, 8, 10, 8];
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join(" | ");
  console.log(`vector bench: ${args.data} data, dim ${args.dim}, ${args.queries} queries, k=10, seed ${args.seed}, node ${process.version}, ${os.cpus().length} CPUs${typeof gcFn === "function" ? "" : " (no gc: memory is approximate)"}`);
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  const rows: BenchRow[] = [];
  const started = performance.now();
  for (const size of args.sizes) {
    benchSize(size, args, (row) => {
      rows.push(row);
      console.log(
        line([
          String(row.size),
          row.index,
          row.efSearch === null ? "-" : String(row.efSearch),
          (row.buildMs / 1000).toFixed(2),
          row.p50Ms.toFixed(3),
          row.p95Ms.toFixed(3),
          row.recallAt10.toFixed(4),
          row.memoryMB.toFixed(1),
        ]),
      );
    });
  }
  const report = {
    benchmark: "vector",
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model ?? "unknown",
    cpus: os.cpus().length,
    dim: args.dim,
    queries: args.queries,
    k: 10,
    seed: args.seed,
    hnsw: { M: 16, efConstruction: 100 },
    data:
      args.data === "random"
        ? "seeded random unit vectors (isotropic Gaussian, normalised)"
        : `seeded clustered unit vectors (${LATENT_DIM}-dim Gaussian latent, random projection, noise, normalised)`,
    totalSeconds: round((performance.now() - started) / 1000, 1),
    results: rows,
  };
  mkdirSync(path.dirname(path.resolve(args.json)), { recursive: true });
  writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`total ${report.totalSeconds} s; wrote ${args.json}`);
}

main();
