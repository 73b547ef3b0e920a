/**
 * Baselines for the recall benchmarks, run on the same turns and budget as Mnemo:
 *
 * - `bm25-turns`: Okapi BM25 (k1 = 1.2, b = 0.75) over single turns, terms from
 *   `core/text.ts` `terms()`; only turns with a positive score are ranked.
 * - `dense-turns`: cosine similarity between the query and each turn with the offline
 *   offline default embedder (bundled word vectors); only turns with a positive cosine are ranked.
 * - `full-context`: every turn, in order (recall 1 by construction; its cost is its tokens).
 *
 * A ranked list becomes a context by greedy fill: turns are taken in rank order and a
 * turn that does not fit in what is left of the budget is skipped (later, shorter ones may
 * still fit). Each turn is rendered as `[8 May 2023] Caroline: "text"` (plus
 * ` [photo: caption]` for an image) and counted with the real BPE tokenizer; lines are
 * joined with "\n" and the final context is re-counted, so `contextTokens ≤ budget`.
 */
import { formatDay } from "../core/time.js";
import { countTokens } from "../core/tokens.js";
import { terms } from "../core/text.js";
import { HashingEmbedder } from "../providers/embeddings/hashing.js";
import { defaultEmbedder } from "../providers/embeddings/word-vectors.js";

/**
 * One conversation turn as the baselines see it.
 *
 * @example
 * ```ts
 * const t: BenchTurn = { id: "D1:3", sessionId: "session_1", speaker: "Caroline", text: "I went to a support group.", occurredAt: "2023-05-08T13:56:00.000Z" };
 * ```
 */
export interface BenchTurn {
  /** External id ("D1:3"), the unit of evidence. */
  id: string;
  sessionId: string;
  speaker: string;
  text: string;
  /** Image caption or other attachment text. */
  attachmentText?: string | null | undefined;
  /** ISO 8601. */
  occurredAt: string;
}

/**
 * The names of the baseline systems.
 *
 * @example
 * ```ts
 * BASELINE_SYSTEMS.includes("bm25-turns"); // true
 * ```
 */
export const BASELINE_SYSTEMS = ["bm25-turns", "dense-turns", "full-context"] as const;

/**
 * A baseline system name.
 *
 * @example
 * ```ts
 * const s: BaselineSystem = "dense-turns";
 * ```
 */
export type BaselineSystem = (typeof BASELINE_SYSTEMS)[number];

/**
 * The context line of a turn: `[8 May 2023] Caroline: "text"` (+ ` [photo: caption]`).
 *
 * @example
 * ```ts
 * renderTurn({ id: "D1:3", sessionId: "s1", speaker: "Caroline", text: "Hi!", occurredAt: "2023-05-08T13:56:00Z" });
 * // '[8 May 2023] Caroline: "Hi!"'
 * ```
 */
export function renderTurn(t: BenchTurn): string {
  const att = t.attachmentText ? ` [photo: ${t.attachmentText}]` : "";
  return `[${formatDay(t.occurredAt)}] ${t.speaker}: "${t.text}"${att}`;
}

/**
 * The text a baseline indexes for a turn: speaker, text and attachment text (no date).
 *
 * @example
 * ```ts
 * turnSearchText({ id: "D1:1", sessionId: "s1", speaker: "Mel", text: "Hi", occurredAt: "2023-05-08T00:00:00Z" }); // "Mel: Hi"
 * ```
 */
export function turnSearchText(t: BenchTurn): string {
  return `${t.speaker}: ${t.text}${t.attachmentText ? ` ${t.attachmentText}` : ""}`;
}

/**
 * A document index and its score.
 *
 * @example
 * ```ts
 * const hit: ScoredDoc = { index: 3, score: 4.2 };
 * ```
 */
export interface ScoredDoc {
  index: number;
  score: number;
}

/**
 * BM25 parameters.
 *
 * @example
 * ```ts
 * const o: Bm25Options = { k1: 1.2, b: 0.75 };
 * ```
 */
export interface Bm25Options {
  k1?: number;
  b?: number;
  /** dense-turns: the embedder (default: the offline default, bundled word vectors). */
  embedder?: SyncEmbedder;
}

/**
 * An embedder that embeds one text synchronously (the offline ones do).
 *
 * @example
 * ```ts
 * const e: SyncEmbedder = new HashingEmbedder({ dim: 256 });
 * e.embedOne("Melanie paints sunsets").length; // 256
 * ```
 */
export interface SyncEmbedder {
  embedOne(text: string): Float32Array;
}

/** Positive scores, best first; ties keep document order. */
function rankPositive(scores: ArrayLike<number>): ScoredDoc[] {
  const out: ScoredDoc[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i]! > 0) out.push({ index: i, score: scores[i]! });
  return out.sort((a, b) => b.score - a.score || a.index - b.index);
}

/**
 * Okapi BM25 over pre-tokenised documents, with an inverted index:
 * `score(d, q) = Σ_{t ∈ unique(q)} idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avgdl))`,
 * `idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))`.
 *
 * @example
 * ```ts
 * const bm = Bm25Index.fromTexts(["Caroline went to a support group", "Melanie paints"]);
 * bm.search("support group")[0]?.index; // 0
 * ```
 */
export class Bm25Index {
  readonly k1: number;
  readonly b: number;
  readonly size: number;
  private readonly lengths: Float64Array;
  private readonly avgdl: number;
  private readonly postings = new Map<string, Array<[doc: number, tf: number]>>();

  constructor(docs: readonly (readonly string[])[], options: Bm25Options = {}) {
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
    this.size = docs.length;
    this.lengths = new Float64Array(docs.length);
    let total = 0;
    docs.forEach((doc, i) => {
      this.lengths[i] = doc.length;
      total += doc.length;
      const tf = new Map<string, number>();
      for (const t of doc) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, n] of tf) {
        let list = this.postings.get(t);
        if (!list) this.postings.set(t, (list = []));
        list.push([i, n]);
      }
    });
    this.avgdl = docs.length > 0 ? total / docs.length : 0;
  }

  /** Builds an index of texts tokenised with `terms()`. */
  static fromTexts(texts: readonly string[], options: Bm25Options = {}): Bm25Index {
    return new Bm25Index(texts.map((t) => terms(t)), options);
  }

  /** The BM25 score of every document for the query terms (duplicates count once). */
  scores(queryTerms: readonly string[]): Float64Array {
    const out = new Float64Array(this.size);
    const n = this.size;
    for (const t of new Set(queryTerms)) {
      const list = this.postings.get(t);
      if (!list) continue;
      const df = list.length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (const [doc, tf] of list) {
        const norm = this.avgdl > 0 ? 1 - this.b + (this.b * this.lengths[doc]!) / this.avgdl : 1;
        out[doc]! += (idf * tf * (this.k1 + 1)) / (tf + this.k1 * norm);
      }
    }
    return out;
  }

  /** Documents with a positive score for the query terms, best first (ties: document order). */
  searchTerms(queryTerms: readonly string[]): ScoredDoc[] {
    return rankPositive(this.scores(queryTerms));
  }

  /** {@link searchTerms} on `terms(query)`. */
  search(query: string): ScoredDoc[] {
    return this.searchTerms(terms(query));
  }
}

/**
 * Cosine ranking with an embedder's L2-normalised vectors (an offline embedder).
 *
 * @example
 * ```ts
 * const dense = new DenseIndex(["Melanie paints sunsets", "Caroline runs"]);
 * dense.search("painting")[0]?.index; // 0
 * ```
 */
export class DenseIndex {
  private readonly embedder: SyncEmbedder;
  private readonly vectors: Float32Array[];

  constructor(texts: readonly string[], embedder: SyncEmbedder = new HashingEmbedder()) {
    this.embedder = embedder;
    this.vectors = texts.map((t) => embedder.embedOne(t));
  }

  /** Documents with a positive cosine, best first (ties: document order). */
  search(query: string): ScoredDoc[] {
    const q = this.embedder.embedOne(query);
    const scores = this.vectors.map((v) => {
      let s = 0;
      for (let i = 0; i < v.length; i++) s += v[i]! * q[i]!;
      return s;
    });
    return rankPositive(scores);
  }
}

/**
 * A context assembled from turns.
 *
 * @example
 * ```ts
 * const p: PackedTurns = { context: '[8 May 2023] Caroline: "Hi"', contextTokens: 12, turnIds: ["D1:1"] };
 * ```
 */
export interface PackedTurns {
  context: string;
  contextTokens: number;
  /** Ids of the turns in the context, in rank order. */
  turnIds: string[];
}

/** Turns with their rendered line and its token count, computed once. */
interface Prepared {
  turns: readonly BenchTurn[];
  lines: string[];
  tokens: number[];
}

function prepare(turns: readonly BenchTurn[]): Prepared {
  const lines = turns.map(renderTurn);
  return { turns, lines, tokens: lines.map(countTokens) };
}

function packPrepared(p: Prepared, ranking: readonly number[], budget: number): PackedTurns {
  const chosen: number[] = [];
  let used = 0;
  for (const i of ranking) {
    if (used >= budget) break;
    const cost = p.tokens[i]! + (chosen.length > 0 ? 1 : 0);
    if (used + cost > budget) continue;
    used += cost;
    chosen.push(i);
  }
  let context = chosen.map((i) => p.lines[i]!).join("\n");
  let contextTokens = countTokens(context);
  while (contextTokens > budget && chosen.length > 0) {
    chosen.pop();
    context = chosen.map((i) => p.lines[i]!).join("\n");
    contextTokens = countTokens(context);
  }
  return { context, contextTokens, turnIds: chosen.map((i) => p.turns[i]!.id) };
}

/**
 * Greedy fill of `budget` tokens with turns taken in `ranking` order (indices into `turns`);
 * a turn that does not fit is skipped.
 *
 * @example
 * ```ts
 * const { contextTokens, turnIds } = packTurns(turns, [4, 0, 7], 300);
 * ```
 */
export function packTurns(turns: readonly BenchTurn[], ranking: readonly number[], budget: number): PackedTurns {
  return packPrepared(prepare(turns), ranking, budget);
}

/**
 * A turn-level retrieval baseline built over one conversation's turns.
 *
 * @example
 * ```ts
 * const bm25 = createTurnBaseline("bm25-turns", turns);
 * const { context, turnIds } = bm25.retrieve("When did Caroline go to the support group?", 1000);
 * ```
 */
export interface TurnBaseline {
  readonly name: "bm25-turns" | "dense-turns";
  /** Indices of the turns in rank order (only positive scores). */
  rank(query: string): number[];
  /** The greedy-filled context for a query under a budget. */
  retrieve(query: string, budget: number): PackedTurns;
}

/**
 * Builds `bm25-turns` or `dense-turns` over `turns` (each indexed by {@link turnSearchText}).
 *
 * @example
 * ```ts
 * const dense = createTurnBaseline("dense-turns", turns);
 * dense.rank("pottery class").slice(0, 5);
 * ```
 */
export function createTurnBaseline(name: "bm25-turns" | "dense-turns", turns: readonly BenchTurn[], options: Bm25Options = {}): TurnBaseline {
  const texts = turns.map(turnSearchText);
  const index: { search(q: string): ScoredDoc[] } = name === "bm25-turns" ? Bm25Index.fromTexts(texts, options) : new DenseIndex(texts, options.embedder);
  const prepared = prepare(turns);
  const rank = (query: string): number[] => index.search(query).map((h) => h.index);
  return { name, rank, retrieve: (query, budget) => packPrepared(prepared, rank(query), budget) };
}

/**
 * The `full-context` baseline: every turn, in conversation order, with no budget.
 *
 * @example
 * ```ts
 * fullContext(turns).contextTokens; // e.g. 21000 for a LoCoMo conversation
 * ```
 */
export function fullContext(turns: readonly BenchTurn[]): PackedTurns {
  const context = turns.map(renderTurn).join("\n");
  return { context, contextTokens: countTokens(context), turnIds: turns.map((t) => t.id) };
}

/**
 * Builds the turn baselines among `systems` (bm25-turns, dense-turns with the offline default
 * embedder) over one conversation, reporting each one's indexing time in seconds.
 *
 * @example
 * ```ts
 * const baselines = await createTurnBaselines(["mnemo", "bm25-turns"], turns, (name, s) => console.log(name, s));
 * ```
 */
export async function createTurnBaselines(systems: readonly string[], turns: readonly BenchTurn[], onIndexed: (name: string, seconds: number) => void): Promise<TurnBaseline[]> {
  const baselines: TurnBaseline[] = [];
  for (const name of ["bm25-turns", "dense-turns"] as const) {
    if (!systems.includes(name)) continue;
    const t0 = performance.now();
    baselines.push(createTurnBaseline(name, turns, { embedder: await defaultEmbedder() }));
    onIndexed(name, (performance.now() - t0) / 1000);
  }
  return baselines;
}
