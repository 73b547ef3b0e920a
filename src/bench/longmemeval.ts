/**
 * LongMemEval retrieval benchmark: loader for the public JSON files (longmemeval_s /
 * _m / _oracle) and session- and turn-level recall@k / NDCG@k for Mnemo and the
 * turn-level baselines.
 */
import { defaultEmbedder } from "../providers/embeddings/word-vectors.js";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { MnemoError } from "../core/errors.js";
import { parseDate } from "../core/time.js";
import type { MessageInput } from "../core/types.js";
import { createTurnBaseline, type BenchTurn } from "./baselines.js";
import { mean, openTempMnemo, percentile, round } from "./common.js";
import { firstAppearance, ndcgAtK, recallAll, recallAny } from "./metrics.js";

const turnSchema = z.object({ role: z.string().min(1), content: z.string(), has_answer: z.boolean().optional() });

const questionSchema = z
  .object({
    question_id: z.union([z.string().min(1), z.number()]).transform(String),
    question_type: z.string().min(1),
    question: z.string().min(1),
    answer: z.union([z.string(), z.number()]).transform(String),
    question_date: z.string().min(1),
    haystack_dates: z.array(z.string()),
    haystack_session_ids: z.array(z.string().min(1)),
    haystack_sessions: z.array(z.array(turnSchema)),
    answer_session_ids: z.array(z.string()),
  })
  .superRefine((q, ctx) => {
    const n = q.haystack_sessions.length;
    if (q.haystack_session_ids.length !== n || q.haystack_dates.length !== n) {
      ctx.addIssue({ code: "custom", path: ["haystack_session_ids"], message: `haystack_sessions (${n}), haystack_session_ids (${q.haystack_session_ids.length}) and haystack_dates (${q.haystack_dates.length}) must have the same length` });
    }
  });

/**
 * One LongMemEval question, as validated.
 *
 * @example
 * ```ts
 * const q: LongMemEvalQuestion = readLongMemEval("longmemeval_s.json")[0]!;
 * console.log(q.question_type, q.answer_session_ids);
 * ```
 */
export type LongMemEvalQuestion = z.infer<typeof questionSchema>;

/**
 * Parses a LongMemEval date ("2023/05/20 (Sat) 02:21", read as UTC) or any date
 * {@link parseDate} accepts, to ISO 8601.
 *
 * @throws MnemoError("INVALID_DATE")
 * @example
 * ```ts
 * parseLongMemEvalDate("2023/05/20 (Sat) 02:21"); // "2023-05-20T02:21:00.000Z"
 * ```
 */
export function parseLongMemEvalDate(s: string, field = "date"): string {
  const m = /^\s*(\d{4})\/(\d{1,2})\/(\d{1,2})(?:\s*\([A-Za-z]+\))?(?:\s+(\d{1,2}):(\d{2}))?\s*$/.exec(s);
  if (!m) return parseDate(s, field);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0)));
  if (Number.isNaN(d.getTime()) || d.getUTCDate() !== Number(m[3])) throw new MnemoError("INVALID_DATE", `${field}: "${s}"`);
  return d.toISOString();
}

/**
 * Parses LongMemEval JSON text (an array of questions), validating the shape with zod.
 *
 * @throws MnemoError("INVALID_JSON") for bad JSON, ("INVALID_INPUT") for a bad shape, naming the path.
 * @example
 * ```ts
 * const qs = parseLongMemEval(readFileSync("longmemeval_s.json", "utf8"));
 * ```
 */
export function parseLongMemEval(text: string): LongMemEvalQuestion[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new MnemoError("INVALID_JSON", (e as Error).message);
  }
  const parsed = z.array(questionSchema).safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new MnemoError("INVALID_INPUT", `Not LongMemEval JSON: ${i?.path.join(".") || "(root)"}: ${i?.message}`, {
      hint: "Expected an array of {question_id, question_type, question, answer, question_date, haystack_dates, haystack_session_ids, haystack_sessions, answer_session_ids} as in longmemeval_s.json.",
    });
  }
  return parsed.data;
}

/**
 * Reads and parses a LongMemEval file.
 *
 * @example
 * ```ts
 * const qs = readLongMemEval("data/longmemeval_s.json");
 * ```
 */
export function readLongMemEval(path: string): LongMemEvalQuestion[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new MnemoError("INVALID_INPUT", `Cannot read ${path}: ${(e as Error).message}`);
  }
  return parseLongMemEval(text);
}

/**
 * The turns of a question's haystack: id `${session_id}:${turn_index}` (0-based), speaker = role.
 *
 * @example
 * ```ts
 * longMemEvalTurns(q)[0]?.id; // e.g. "answer_280352e9_1:0"
 * ```
 */
export function longMemEvalTurns(q: LongMemEvalQuestion): Array<BenchTurn & { hasAnswer: boolean }> {
  return q.haystack_sessions.flatMap((session, s) => {
    const sid = q.haystack_session_ids[s]!;
    const at = parseLongMemEvalDate(q.haystack_dates[s]!, `haystack_dates[${s}]`);
    return session.map((t, i) => ({ id: `${sid}:${i}`, sessionId: sid, speaker: t.role, text: t.content, occurredAt: at, hasAnswer: t.has_answer === true }));
  });
}

/** Session ids Mnemo accepts as a scope id; others are kept only in the message ids. */
const SESSION_ID = /^[\p{L}\p{N}_.:@-]{1,200}$/u;

/** Session id of a turn id `${session_id}:${turn_index}`. */
function sessionOf(turnId: string): string {
  const i = turnId.lastIndexOf(":");
  return i < 0 ? turnId : turnId.slice(0, i);
}

/**
 * Turn and session rankings from recall results: turns in the order their ids first appear
 * among the results' sources, sessions in the order their turns first appear.
 *
 * @example
 * ```ts
 * rankingFromSources([["s2:1", "s1:0"], ["s2:1", "s3:4"]]);
 * // { turns: ["s2:1", "s1:0", "s3:4"], sessions: ["s2", "s1", "s3"] }
 * ```
 */
export function rankingFromSources(sources: readonly (readonly string[])[]): { turns: string[]; sessions: string[] } {
  const turns = firstAppearance(sources.flat());
  return { turns, sessions: firstAppearance(turns.map(sessionOf)) };
}

/**
 * Default systems of {@link runLongMemEvalBench}.
 *
 * @example
 * ```ts
 * DEFAULT_LONGMEMEVAL_SYSTEMS; // ["mnemo", "bm25-turns", "dense-turns"]
 * ```
 */
export const DEFAULT_LONGMEMEVAL_SYSTEMS = ["mnemo", "bm25-turns", "dense-turns"] as const;

/**
 * Options of {@link runLongMemEvalBench}.
 *
 * @example
 * ```ts
 * const o: LongMemEvalOptions = { data: "longmemeval_s.json", k: [5, 10], limit: 50 };
 * ```
 */
export interface LongMemEvalOptions {
  /** Path of a LongMemEval JSON file, or questions already parsed. */
  data: string | LongMemEvalQuestion[];
  /** Cut-offs (default [5, 10]). */
  k?: number[];
  /** Systems (default {@link DEFAULT_LONGMEMEVAL_SYSTEMS}). */
  systems?: string[];
  /** Token budget of each retrieval, for Mnemo and the baselines alike (default 2000). */
  budgetTokens?: number;
  /** At most this many questions. */
  limit?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Metric name → mean value, e.g. `{"recall_any@5": 0.9, "recall_all@5": 0.8, "recall_all_strict@5": 0.7, "ndcg@5": 0.75}`.
 * `recall_all` is the fraction of relevant ids in the top k; `recall_all_strict` is 1 only
 * when all of them are (as in LongMemEval's own code).
 *
 * @example
 * ```ts
 * const m: RankMetrics = { "recall_any@5": 1, "recall_all@5": 0.5, "recall_all_strict@5": 0, "ndcg@5": 0.63 };
 * ```
 */
export type RankMetrics = Record<string, number>;

/**
 * Session- and turn-level metrics of a group of questions (each level over the questions
 * that have relevant items at that level).
 *
 * @example
 * ```ts
 * const g: LevelMetrics = { questions: 6, session: { questions: 5, metrics: {} }, turn: { questions: 5, metrics: {} } };
 * ```
 */
export interface LevelMetrics {
  questions: number;
  session: { questions: number; metrics: RankMetrics };
  turn: { questions: number; metrics: RankMetrics };
}

/**
 * What {@link runLongMemEvalBench} returns.
 *
 * @example
 * ```ts
 * const r = await runLongMemEvalBench({ data: "longmemeval_s.json" });
 * r.systems["mnemo"]?.overall.session.metrics["recall_any@5"];
 * ```
 */
export interface LongMemEvalResult {
  benchmark: "longmemeval";
  k: number[];
  budgetTokens: number;
  questions: number;
  systems: Record<string, { overall: LevelMetrics; byType: Record<string, LevelMetrics>; p50Ms: number; p95Ms: number }>;
  createdAt: string;
}

/**
 * Recall_any / recall_all (fraction) / recall_all_strict / NDCG at each k for one ranking.
 *
 * @example
 * ```ts
 * rankMetrics(["s2", "s1"], new Set(["s1"]), [1, 2]); // { "recall_any@1": 0, ..., "ndcg@2": 1 }
 * ```
 */
export function rankMetrics(ranked: readonly string[], relevant: ReadonlySet<string>, ks: readonly number[]): RankMetrics {
  const out: RankMetrics = {};
  for (const k of ks) {
    out[`recall_any@${k}`] = recallAny(ranked, relevant, k);
    const all = recallAll(ranked, relevant, k);
    out[`recall_all@${k}`] = all;
    out[`recall_all_strict@${k}`] = all === 1 ? 1 : 0;
    out[`ndcg@${k}`] = ndcgAtK(ranked, relevant, k);
  }
  return out;
}

interface QObs {
  type: string;
  session: RankMetrics | null;
  turn: RankMetrics | null;
  ms: number;
}

function averageMetrics(list: readonly RankMetrics[]): RankMetrics {
  const keys = list.length ? Object.keys(list[0]!) : [];
  return Object.fromEntries(keys.map((k) => [k, round(mean(list.map((m) => m[k] ?? 0)))]));
}

function group(obs: readonly QObs[]): LevelMetrics {
  const s = obs.map((o) => o.session).filter((m): m is RankMetrics => m !== null);
  const t = obs.map((o) => o.turn).filter((m): m is RankMetrics => m !== null);
  return { questions: obs.length, session: { questions: s.length, metrics: averageMetrics(s) }, turn: { questions: t.length, metrics: averageMetrics(t) } };
}

/**
 * Runs the LongMemEval retrieval benchmark. For each question, Mnemo ingests the haystack
 * into a fresh temporary store as one user (one session per haystack session, dated from
 * `haystack_dates`, message ids `${session_id}:${turn_index}`), then recalls the question
 * (reinforce false; `question_date` is not applied as `asOf`). Turns are ranked by the
 * order in which they first appear among the results' sources, sessions by the order in
 * which their turns first appear. Baselines rank turns the same way from the greedy-filled
 * context under the same budget. Relevant sessions: `answer_session_ids`; relevant turns:
 * `has_answer: true`. Questions without relevant items at a level are left out of that level.
 *
 * @example
 * ```ts
 * const r = await runLongMemEvalBench({ data: "longmemeval_s.json", k: [5, 10], limit: 100 });
 * console.log(r.systems["mnemo"]?.overall.session.metrics);
 * ```
 */
export async function runLongMemEvalBench(opts: LongMemEvalOptions): Promise<LongMemEvalResult> {
  const ks = opts.k && opts.k.length ? [...new Set(opts.k)].sort((a, b) => a - b) : [5, 10];
  if (ks.some((k) => !Number.isInteger(k) || k < 1)) throw new MnemoError("INVALID_INPUT", `k must be positive integers, got ${JSON.stringify(opts.k)}.`);
  const systems = opts.systems && opts.systems.length ? [...new Set(opts.systems)] : [...DEFAULT_LONGMEMEVAL_SYSTEMS];
  const known = new Set<string>(DEFAULT_LONGMEMEVAL_SYSTEMS);
  const unknown = systems.filter((s) => !known.has(s));
  if (unknown.length) throw new MnemoError("INVALID_INPUT", `Unknown system(s): ${unknown.join(", ")}. Known: ${[...known].join(", ")}.`);
  const budget = opts.budgetTokens ?? 2000;
  const all = typeof opts.data === "string" ? readLongMemEval(opts.data) : opts.data;
  const questions = opts.limit !== undefined ? all.slice(0, opts.limit) : all;
  const obs = new Map<string, QObs[]>(systems.map((s) => [s, []]));

  for (const [qi, q] of questions.entries()) {
    const turns = longMemEvalTurns(q);
    const relSessions = new Set(q.answer_session_ids);
    const relTurns = new Set(turns.filter((t) => t.hasAnswer).map((t) => t.id));
    const record = (system: string, rankedTurns: string[], ms: number): void => {
      const rankedSessions = rankingFromSources([rankedTurns]).sessions;
      obs.get(system)!.push({
        type: q.question_type,
        session: relSessions.size ? rankMetrics(rankedSessions, relSessions, ks) : null,
        turn: relTurns.size ? rankMetrics(rankedTurns, relTurns, ks) : null,
        ms,
      });
    };
    if (systems.includes("mnemo")) {
      const temp = await openTempMnemo("mnemo-lme-");
      try {
        for (const [s, session] of q.haystack_sessions.entries()) {
          const sid = q.haystack_session_ids[s]!;
          const at = parseLongMemEvalDate(q.haystack_dates[s]!, `haystack_dates[${s}]`);
          // Empty turns are not accepted by remember(); ids keep the original turn indices.
          const messages: MessageInput[] = session
            .map((t, i) => ({ id: `${sid}:${i}`, speaker: t.role, role: t.role, content: t.content, occurredAt: at, ...(SESSION_ID.test(sid) ? { sessionId: sid } : {}) }))
            .filter((m) => m.content.trim() !== "");
          if (messages.length) await temp.mnemo.remember(messages, { userId: "longmemeval" });
        }
        const t0 = performance.now();
        const r = await temp.mnemo.recall(q.question, { userId: "longmemeval", budgetTokens: budget, reinforce: false });
        record("mnemo", rankingFromSources(r.results.map((x) => x.sources)).turns, performance.now() - t0);
      } finally {
        await temp.dispose();
      }
    }
    for (const name of ["bm25-turns", "dense-turns"] as const) {
      if (!systems.includes(name)) continue;
      const baseline = createTurnBaseline(name, turns, { embedder: await defaultEmbedder() });
      const t0 = performance.now();
      const packed = baseline.retrieve(q.question, budget);
      record(name, packed.turnIds, performance.now() - t0);
    }
    opts.onProgress?.(qi + 1, questions.length);
  }

  const out: LongMemEvalResult["systems"] = {};
  for (const s of systems) {
    const list = obs.get(s)!;
    const types = [...new Set(list.map((o) => o.type))].sort();
    out[s] = {
      overall: group(list),
      byType: Object.fromEntries(types.map((t) => [t, group(list.filter((o) => o.type === t))])),
      p50Ms: round(percentile(list.map((o) => o.ms), 0.5), 2),
      p95Ms: round(percentile(list.map((o) => o.ms), 0.95), 2),
    };
  }
  return { benchmark: "longmemeval", k: ks, budgetTokens: budget, questions: questions.length, systems: out, createdAt: new Date().toISOString() };
}
