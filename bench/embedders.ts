/**
 * Embedder experiment: does a static word-vector embedder add retrieval signal over
 * the hashing embedder? For each LoCoMo conversation, every turn is ranked against
 * each question (categories 1–4) and we report evidence recall@k (the fraction of
 * gold evidence turns in the top k) for BM25, the embedders alone, and the RRF fusion
 * (k = 60) of BM25 with each embedder. Also: embedding throughput, the one-time
 * conversion of the word-vector package and its cache.
 *
 *   npx tsx bench/embedders.ts [--data ../shared/data/locomo/locomo-dev.json]
 *                              [--package /tmp/wemb/package] [--vocab 60000]
 *                              [--cache-dir <dir>] [--json bench/results/embedders.json]
 *
 * Without --cache-dir a fresh temporary cache is used, so the conversion is timed.
 *
 * @example
 * ```sh
 * npx tsx bench/embedders.ts --package /tmp/wemb/package --json bench/results/embedders.json
 * ```
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { splitEvidence } from "../src/bench/evidence.js";
import { episodeText } from "../src/core/embed-text.js";
import { terms } from "../src/core/text.js";
import { readLocomo } from "../src/importers/locomo.js";
import { HashingEmbedder } from "../src/providers/embeddings/hashing.js";
import type { Embedder } from "../src/providers/embeddings/types.js";
import { loadWordVectors, WordVectorEmbedder, type WordVectorTable } from "../src/providers/embeddings/word-vectors.js";

/**
 * One row of the results table: a system and its mean evidence recall at each k.
 *
 * @example
 * ```ts
 * const row: EmbedderBenchRow = { system: "bm25", recall: { 10: 0.5, 20: 0.6, 40: 0.7 }, byCategory: { 1: 0.4 } };
 * ```
 */
export interface EmbedderBenchRow {
  system: string;
  recall: Record<number, number>;
  /** Recall@20 per question category. */
  byCategory: Record<number, number>;
}

const KS = [10, 20, 40] as const;
const RRF_K = 60;

interface Args {
  data: string;
  packagePath: string;
  vocab: number;
  cacheDir: string | null;
  json: string | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { data: "../shared/data/locomo/locomo-dev.json", packagePath: "/tmp/wemb/package", vocab: 60_000, cacheDir: null, json: null };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--data") args.data = value;
    else if (flag === "--package") args.packagePath = value;
    else if (flag === "--vocab") args.vocab = Number(value);
    else if (flag === "--cache-dir") args.cacheDir = value;
    else if (flag === "--json") args.json = value;
    else throw new Error(`unknown flag ${flag}`);
  }
  return args;
}

// ---------------------------------------------------------------------------
// Rankers
// ---------------------------------------------------------------------------

/**
 * Okapi BM25 (k1 = 1.2, b = 0.75) over documents given as term lists.
 *
 * @example
 * ```ts
 * const bm = new Bm25([["paint", "sunset"], ["dog"]]);
 * bm.scores(["dog"]); // Float64Array [0, 0.98…]
 * ```
 */
export class Bm25 {
  private readonly tf: Array<Map<string, number>>;
  private readonly len: number[];
  private readonly avg: number;
  private readonly df = new Map<string, number>();

  constructor(
    docs: string[][],
    private readonly k1 = 1.2,
    private readonly b = 0.75,
  ) {
    this.tf = docs.map((d) => {
      const m = new Map<string, number>();
      for (const t of d) m.set(t, (m.get(t) ?? 0) + 1);
      for (const t of m.keys()) this.df.set(t, (this.df.get(t) ?? 0) + 1);
      return m;
    });
    this.len = docs.map((d) => d.length);
    this.avg = this.len.reduce((a, x) => a + x, 0) / Math.max(1, docs.length);
  }

  scores(query: string[]): Float64Array {
    const n = this.tf.length;
    const out = new Float64Array(n);
    for (const q of new Set(query)) {
      const df = this.df.get(q);
      if (!df) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (let i = 0; i < n; i++) {
        const f = this.tf[i]!.get(q);
        if (!f) continue;
        out[i]! += (idf * f * (this.k1 + 1)) / (f + this.k1 * (1 - this.b + (this.b * this.len[i]!) / Math.max(this.avg, 1e-9)));
      }
    }
    return out;
  }
}

/** Indices sorted by descending score, ties in document order. */
function rankOf(scores: ArrayLike<number>): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  return idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/** Reciprocal-rank fusion of full rankings. */
function rrf(rankings: number[][], weights: number[]): number[] {
  const n = rankings[0]?.length ?? 0;
  const s = new Float64Array(n);
  rankings.forEach((r, j) => r.forEach((doc, i) => (s[doc]! += (weights[j] ?? 1) / (RRF_K + i + 1))));
  return rankOf(s);
}

function cosines(q: Float32Array, docs: Float32Array[]): Float64Array {
  const out = new Float64Array(docs.length);
  docs.forEach((d, i) => {
    let s = 0;
    for (let j = 0; j < q.length; j++) s += q[j]! * d[j]!;
    out[i] = s;
  });
  return out;
}

// ---------------------------------------------------------------------------
// Experiment
// ---------------------------------------------------------------------------

interface Question {
  category: number;
  gold: number[];
  /** Per system: the full ranking of turn indices. */
  rankings: Map<string, number[]>;
}

function recallAt(gold: number[], ranking: number[], k: number): number {
  const top = new Set(ranking.slice(0, k));
  return gold.filter((g) => top.has(g)).length / gold.length;
}

function mean(xs: number[]): number {
  return xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
}

/** Paired bootstrap 95% interval of mean(a − b). */
function bootstrap(a: number[], b: number[], rounds = 2000): [number, number] {
  const d = a.map((x, i) => x - b[i]!);
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const means: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[Math.floor(rand() * d.length)]!;
    means.push(s / d.length);
  }
  means.sort((x, y) => x - y);
  return [means[Math.floor(rounds * 0.025)]!, means[Math.floor(rounds * 0.975)]!];
}

/** Best of three timed passes over all texts (texts per second). */
async function throughputOf(e: Embedder, texts: string[]): Promise<number> {
  await e.embed(texts.slice(0, 200)); // warm-up
  let best = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await e.embed(texts);
    best = Math.max(best, texts.length / ((performance.now() - t0) / 1000));
  }
  return best;
}

interface ConversionStats {
  convertMs: number;
  bytesRead: number;
  cacheBytes: number;
  peakRssMB: number;
  rssBeforeMB: number;
  loadMs: number;
  /** JS heap + array buffers held by the loaded table and one embedder over it (after GC; needs --expose-gc). */
  tableMB: number;
}

async function convertOnce(args: Args, dir: string): Promise<Pick<ConversionStats, "convertMs" | "bytesRead" | "cacheBytes" | "peakRssMB" | "rssBeforeMB">> {
  const rssBeforeMB = process.memoryUsage().rss / 1e6;
  let peak = rssBeforeMB;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / 1e6)), 20);
  const first = await loadWordVectors({ packagePath: args.packagePath, cacheDir: dir, vocabulary: args.vocab });
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss / 1e6);
  if (!first.conversion) throw new Error(`${dir} already held a cache: pass an empty --cache-dir to time the conversion`);
  return { convertMs: first.conversion.ms, bytesRead: first.conversion.bytesRead, cacheBytes: first.conversion.cacheBytes, peakRssMB: peak, rssBeforeMB };
}

async function measureConversion(args: Args): Promise<{ table: WordVectorTable; stats: ConversionStats }> {
  const dir = args.cacheDir ?? mkdtempSync(path.join(os.tmpdir(), "mnemo-wv-"));
  const conv = await convertOnce(args, dir);
  const gc = (globalThis as { gc?: () => void }).gc;
  const used = () => {
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const t0 = performance.now();
  const table = await loadWordVectors({ packagePath: args.packagePath, cacheDir: dir, vocabulary: args.vocab });
  const loadMs = performance.now() - t0;
  const probe = new WordVectorEmbedder(table);
  const tableMB = gc ? (used() - before) / 1e6 : Number.NaN;
  void probe;
  if (!args.cacheDir) rmSync(dir, { recursive: true, force: true });
  return { table, stats: { ...conv, loadMs, tableMB } };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { table, stats: conv } = await measureConversion(args);

  const embedders: Array<[string, Embedder]> = [
    ["hashing", new HashingEmbedder()],
    ["wv", new WordVectorEmbedder(table)],
    ["wv+oov", new WordVectorEmbedder(table, { hashed: "oov", hashedWeight: 0.3 })],
    ["wv+rnd", new WordVectorEmbedder(table, { oovRandom: true })],
    ["wv+all", new WordVectorEmbedder(table, { hashed: "all", hashedWeight: 0.5 })],
    // ablations
    ["wv rc", new WordVectorEmbedder(table, { removeCommon: true })],
    ["wv sw", new WordVectorEmbedder(table, { dropStopWords: false })],
    ["wv+all .3", new WordVectorEmbedder(table, { hashed: "all", hashedWeight: 0.3 })],
    ["wv+all .7", new WordVectorEmbedder(table, { hashed: "all", hashedWeight: 0.7 })],
  ];
  // [name, parts, weights]: RRF k = 60; weights other than 1 are a weighted RRF
  const fusions: Array<[string, string[], number[]]> = [
    ["bm25+hashing", ["bm25", "hashing"], [1, 1]],
    ["bm25+wv", ["bm25", "wv"], [1, 1]],
    ["bm25+wv+oov", ["bm25", "wv+oov"], [1, 1]],
    ["bm25+wv+rnd", ["bm25", "wv+rnd"], [1, 1]],
    ["bm25+wv+all", ["bm25", "wv+all"], [1, 1]],
    ["bm25+hashing+wv", ["bm25", "hashing", "wv"], [1, 1, 1]],
    ["bm25+hashing+wv+oov", ["bm25", "hashing", "wv+oov"], [1, 1, 1]],
    ["bm25+½hashing", ["bm25", "hashing"], [1, 0.5]],
    ["bm25+½wv", ["bm25", "wv"], [1, 0.5]],
    ["bm25+⅓wv", ["bm25", "wv"], [1, 1 / 3]],
    ["bm25+½wv+rnd", ["bm25", "wv+rnd"], [1, 0.5]],
    ["bm25+½(wv+all .3)", ["bm25", "wv+all .3"], [1, 0.5]],
  ];

  const convs = readLocomo(args.data);
  const questions: Question[] = [];
  const allTexts: string[] = [];
  let droppedGold = 0;
  let turnsTotal = 0;
  for (const c of convs) {
    const turns = c.sessions.flatMap((s) => s.messages);
    turnsTotal += turns.length;
    const texts = turns.map((m) => episodeText({ text: m.content, attachmentText: m.attachmentText ?? null }));
    const pos = new Map(turns.map((m, i) => [m.id ?? "", i]));
    const qs = c.qa.filter((q) => q.category >= 1 && q.category <= 4);
    const bm = new Bm25(texts.map((t) => terms(t)));
    const docVecs = new Map<string, Float32Array[]>();
    const qVecs = new Map<string, Float32Array[]>();
    allTexts.push(...texts);
    for (const [name, e] of embedders) {
      docVecs.set(name, await e.embed(texts));
      qVecs.set(name, await e.embed(qs.map((q) => q.question)));
    }
    qs.forEach((q, qi) => {
      const ids = splitEvidence(q.evidence);
      const gold = ids.map((id) => pos.get(id)).filter((x): x is number => x !== undefined);
      droppedGold += ids.length - gold.length;
      if (gold.length === 0) return;
      const rankings = new Map<string, number[]>();
      rankings.set("bm25", rankOf(bm.scores(terms(q.question))));
      for (const [name] of embedders) rankings.set(name, rankOf(cosines(qVecs.get(name)![qi]!, docVecs.get(name)!)));
      for (const [name, parts, weights] of fusions) rankings.set(name, rrf(parts.map((p) => rankings.get(p)!), weights));
      questions.push({ category: q.category, gold, rankings });
    });
  }

  const throughput = new Map<string, number>();
  for (const [name, e] of embedders) throughput.set(name, await throughputOf(e, allTexts));

  const systems = ["bm25", ...embedders.map(([n]) => n), ...fusions.map(([n]) => n)];
  const rows: EmbedderBenchRow[] = systems.map((system) => {
    const recall: Record<number, number> = {};
    for (const k of KS) recall[k] = mean(questions.map((q) => recallAt(q.gold, q.rankings.get(system)!, k)));
    const byCategory: Record<number, number> = {};
    for (const cat of [1, 2, 3, 4]) byCategory[cat] = mean(questions.filter((q) => q.category === cat).map((q) => recallAt(q.gold, q.rankings.get(system)!, 20)));
    return { system, recall, byCategory };
  });

  const cats = [1, 2, 3, 4].map((c) => questions.filter((q) => q.category === c).length);
  console.log(`LoCoMo ${path.basename(args.data)}: ${convs.length} conversations, ${turnsTotal} turns, ${questions.length} questions (cat 1–4: ${cats.join("/")}), ${droppedGold} gold ids not found among turns`);
  console.log("");
  console.log("| system | dim | R@10 | R@20 | R@40 | R@20 c1 | c2 | c3 | c4 | embed texts/s |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  const dims = new Map(embedders.map(([n, e]) => [n, e.dim]));
  for (const r of rows) {
    const tp = throughput.get(r.system);
    console.log(
      `| ${r.system} | ${dims.get(r.system) ?? "–"} | ${KS.map((k) => r.recall[k]!.toFixed(3)).join(" | ")} | ${[1, 2, 3, 4].map((c) => r.byCategory[c]!.toFixed(3)).join(" | ")} | ${tp ? Math.round(tp).toLocaleString("en-US") : "–"} |`,
    );
  }

  console.log("");
  console.log("Paired bootstrap 95% CI of the recall difference (per question):");
  const pairs: Array<[string, string]> = [
    ["wv", "hashing"],
    ["wv+oov", "hashing"],
    ["wv+all", "hashing"],
    ["bm25+wv", "bm25+hashing"],
    ["bm25+wv+oov", "bm25+hashing"],
    ["bm25+wv+all", "bm25+hashing"],
    ["bm25+hashing+wv", "bm25+hashing"],
    ["bm25+hashing", "bm25"],
    ["bm25+wv", "bm25"],
    ["bm25+½wv", "bm25"],
    ["bm25+½wv", "bm25+½hashing"],
  ];
  for (const [a, b] of pairs) {
    const parts = KS.map((k) => {
      const ra = questions.map((q) => recallAt(q.gold, q.rankings.get(a)!, k));
      const rb = questions.map((q) => recallAt(q.gold, q.rankings.get(b)!, k));
      const [lo, hi] = bootstrap(ra, rb);
      return `@${k} ${(mean(ra) - mean(rb) >= 0 ? "+" : "") + (mean(ra) - mean(rb)).toFixed(3)} [${lo.toFixed(3)}, ${hi.toFixed(3)}]`;
    });
    console.log(`  ${a} − ${b}: ${parts.join("  ")}`);
  }

  console.log("");
  console.log(
    `word vectors: vocabulary ${table.size} (source ${table.sourceVocabulary}), conversion ${(conv.convertMs / 1000).toFixed(2)} s ` +
      `(read ${(conv.bytesRead / 1e6).toFixed(0)} MB of the JSON, peak RSS ${conv.peakRssMB.toFixed(0)} MB from ${conv.rssBeforeMB.toFixed(0)} MB), ` +
      `cache ${(conv.cacheBytes / 1e6).toFixed(2)} MB, load from cache ${conv.loadMs.toFixed(0)} ms, table + embedder in memory ≈ ${conv.tableMB.toFixed(1)} MB`,
  );

  if (args.json) {
    mkdirSync(path.dirname(args.json), { recursive: true });
    writeFileSync(
      args.json,
      JSON.stringify({ data: args.data, questions: questions.length, turns: turnsTotal, rows, throughput: Object.fromEntries(throughput), conversion: conv }, null, 2),
    );
  }
}

await main();
