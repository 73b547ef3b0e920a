import type { Embedder } from "../providers/embeddings/types.js";
/**
 * The BEAM benchmark (text-grounded): each chat is ingested as one user (roles kept, dates
 * from `time_anchor`), each probing question is recalled under a token budget, and the
 * context is scored by answer coverage (src/bench/coverage.ts) against the question's
 * reference answer, per question type, with `bm25-turns` and `full-context` in the same run.
 * Instruction- and preference-following questions have no reference answer: they are listed
 * with whether the instruction or preference they test is present in the context.
 */
import { MnemoError } from "../core/errors.js";
import { createTurnBaselines, fullContext } from "./baselines.js";
import { BEAM_MNEMO_OPTIONS, BEAM_TYPES, beamMessages, beamTurns, readBeam, type BeamChat } from "./beam-data.js";
import { mean, openTempMnemo, percentile, round, warmUpMnemo } from "./common.js";
import { answerCoverage, contextTermSet } from "./coverage.js";

export * from "./beam-data.js";

/**
 * The systems a BEAM run knows; all but `dense-turns` run by default.
 *
 * @example
 * ```ts
 * await runBeamBench({ data: "../shared/data/beam/100K", budget: 1000, systems: [...DEFAULT_BEAM_SYSTEMS] });
 * ```
 */
export const DEFAULT_BEAM_SYSTEMS = ["mnemo", "bm25-turns", "full-context"] as const;
const KNOWN = new Set(["mnemo", "bm25-turns", "dense-turns", "full-context"]);

/**
 * An instruction or preference counts as present in a context when at least this share of
 * its content terms ({@link answerCoverage}) occur there.
 *
 * @example
 * ```ts
 * answerCoverage(instruction, context)! >= PRESENCE_THRESHOLD;
 * ```
 */
export const PRESENCE_THRESHOLD = 0.6;

/**
 * Options of {@link runBeamBench}.
 *
 * @example
 * ```ts
 * const o: BeamBenchOptions = { data: "../shared/data/beam/100K", budget: 1000, chats: ["1", "2"] };
 * ```
 */
export interface BeamBenchOptions {
  /** A directory of BEAM chat folders, or chats already parsed. */
  data: string | BeamChat[];
  /** Token budget of each recall. */
  budget: number;
  /** Systems (default {@link DEFAULT_BEAM_SYSTEMS}). */
  systems?: string[];
  /** Only these chat folders ("1", "2", …). */
  chats?: string[];
  /** Presence threshold of the following types (default {@link PRESENCE_THRESHOLD}). */
  presenceThreshold?: number;
  /** Mnemo's embedder (default: the offline default). */
  embedder?: Embedder;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Coverage of a group of questions.
 *
 * @example
 * ```ts
 * const g: BeamGroup = { answerCoverage: 0.41, questions: 40, meanContextTokens: 980 };
 * ```
 */
export interface BeamGroup {
  answerCoverage: number;
  questions: number;
  meanContextTokens: number;
}

/**
 * One system's figures.
 *
 * @example
 * ```ts
 * result.systems["mnemo"]?.byType["knowledge_update"]?.answerCoverage;
 * ```
 */
export interface BeamSystemResult {
  /** Mean over questions with a reference answer, abstention and the following types excluded. */
  overall: BeamGroup & { maxContextTokens: number; p50Ms: number; p95Ms: number };
  /** Every type; for the following types the coverage is of the tested instruction / preference. */
  byType: Record<string, BeamGroup>;
  /** Following questions whose instruction / preference is present in the context. */
  following: { present: number; questions: number; share: number };
  ingest?: { turns: number; seconds: number; turnsPerSecond: number; warmUpSeconds?: number };
}

/**
 * One instruction- or preference-following question and, per system, whether what it tests is in the context.
 *
 * @example
 * ```ts
 * const f: BeamFollowingItem = result.following[0]!; // f.systems.mnemo.present
 * ```
 */
export interface BeamFollowingItem {
  chat: string;
  type: string;
  question: string;
  tested: string;
  systems: Record<string, { coverage: number; present: boolean; sourceCited: boolean | null }>;
}

/**
 * What {@link runBeamBench} returns.
 *
 * @example
 * ```ts
 * const r: BeamBenchResult = await runBeamBench({ data: "../shared/data/beam/100K", budget: 1000 });
 * ```
 */
export interface BeamBenchResult {
  benchmark: "beam";
  budgetTokens: number;
  chats: string[];
  questions: number;
  presenceThreshold: number;
  systems: Record<string, BeamSystemResult>;
  following: BeamFollowingItem[];
  createdAt: string;
}

interface Obs {
  type: string;
  coverage: number | null;
  tokens: number;
  ms: number;
  following: boolean;
  present: boolean;
}

function group(xs: readonly Obs[]): BeamGroup {
  const cov = xs.map((o) => o.coverage).filter((c): c is number => c !== null);
  return { answerCoverage: round(mean(cov)), questions: cov.length, meanContextTokens: round(mean(xs.map((o) => o.tokens)), 1) };
}

function summarize(obs: readonly Obs[]): BeamSystemResult {
  const scored = obs.filter((o) => !o.following && o.type !== "abstention");
  const ms = obs.map((o) => o.ms);
  const byType: Record<string, BeamGroup> = {};
  const types = [...new Set([...BEAM_TYPES, ...obs.map((o) => o.type)])].filter((t) => obs.some((o) => o.type === t));
  for (const t of types) byType[t] = group(obs.filter((o) => o.type === t));
  const fol = obs.filter((o) => o.following);
  const present = fol.filter((o) => o.present).length;
  return {
    overall: { ...group(scored), maxContextTokens: Math.max(0, ...obs.map((o) => o.tokens)), p50Ms: round(percentile(ms, 0.5), 2), p95Ms: round(percentile(ms, 0.95), 2) },
    byType,
    following: { present, questions: fol.length, share: round(fol.length ? present / fol.length : 0) },
  };
}

/**
 * Runs BEAM: per chat, Mnemo ingests every message into a fresh temporary SQLite store
 * (offline defaults, timed), the baselines index the same turns; every probing question is
 * recalled under `budget` (`reinforce: false`) and its context scored with {@link answerCoverage}.
 *
 * @throws MnemoError("INVALID_INPUT") for an unknown system or chat, a bad budget or bad data.
 * @example
 * ```ts
 * const r = await runBeamBench({ data: "../shared/data/beam/100K", budget: 1000, chats: ["1"] });
 * console.log(formatBeamTable(r));
 * ```
 */
export async function runBeamBench(opts: BeamBenchOptions): Promise<BeamBenchResult> {
  const systems = opts.systems?.length ? [...new Set(opts.systems)] : [...DEFAULT_BEAM_SYSTEMS];
  const unknown = systems.filter((s) => !KNOWN.has(s));
  if (unknown.length) throw new MnemoError("INVALID_INPUT", `Unknown system(s): ${unknown.join(", ")}. Known: ${[...KNOWN].join(", ")}.`);
  if (!Number.isInteger(opts.budget) || opts.budget < 1) throw new MnemoError("INVALID_INPUT", `Budget must be a positive integer, got ${JSON.stringify(opts.budget)}.`);
  const threshold = opts.presenceThreshold ?? PRESENCE_THRESHOLD;
  const chats = typeof opts.data === "string" ? readBeam(opts.data, opts.chats) : opts.data.filter((c) => !opts.chats?.length || opts.chats.includes(c.id));
  const obs = new Map<string, Obs[]>(systems.map((s) => [s, []]));
  const ingest = new Map<string, { turns: number; seconds: number }>(systems.map((s) => [s, { turns: 0, seconds: 0 }]));
  const following: BeamFollowingItem[] = [];
  const total = chats.reduce((s, c) => s + c.questions.length, 0);
  let done = 0;
  // One-time loads (NLP libraries, word vectors) are reported apart from the ingest rate.
  const warmUpSeconds = systems.includes("mnemo") ? await warmUpMnemo(opts.embedder, BEAM_MNEMO_OPTIONS) : undefined;

  for (const chat of chats) {
    const turns = beamTurns(chat);
    const addIngest = (s: string, seconds: number): void => {
      const i = ingest.get(s)!;
      i.turns += turns.length;
      i.seconds += seconds;
    };
    const baselines = await createTurnBaselines(systems, turns, addIngest);
    let full: { tokens: number; ms: number; terms: Set<string> } | null = null;
    if (systems.includes("full-context")) {
      const t0 = performance.now();
      const p = fullContext(turns);
      full = { tokens: p.contextTokens, ms: performance.now() - t0, terms: contextTermSet(p.context) };
    }
    const temp = systems.includes("mnemo") ? await openTempMnemo("mnemo-beam-", opts.embedder, BEAM_MNEMO_OPTIONS) : null;
    try {
      const userId = `beam-${chat.id}`;
      if (temp) {
        const t0 = performance.now();
        await temp.mnemo.remember(beamMessages(chat), { userId });
        addIngest("mnemo", (performance.now() - t0) / 1000);
      }
      for (const q of chat.questions) {
        const item: BeamFollowingItem | null = q.following ? { chat: chat.id, type: q.type, question: q.question, tested: q.reference, systems: {} } : null;
        const record = (system: string, context: string | Set<string>, sources: string[] | null, tokens: number, ms: number): void => {
          const coverage = answerCoverage(q.reference, context);
          const present = coverage !== null && coverage >= threshold;
          obs.get(system)!.push({ type: q.type, coverage, tokens, ms, following: q.following, present });
          if (item) item.systems[system] = { coverage: round(coverage ?? 0), present, sourceCited: q.sourceIds.length && sources ? q.sourceIds.some((id) => sources.includes(id)) : null };
        };
        if (temp) {
          const t0 = performance.now();
          const r = await temp.mnemo.recall(q.question, { userId, budgetTokens: opts.budget, reinforce: false });
          record("mnemo", r.context, r.results.flatMap((x) => x.sources), r.contextTokens, performance.now() - t0);
        }
        for (const b of baselines) {
          const t0 = performance.now();
          const p = b.retrieve(q.question, opts.budget);
          record(b.name, p.context, p.turnIds, p.contextTokens, performance.now() - t0);
        }
        if (full) record("full-context", full.terms, turns.map((t) => t.id), full.tokens, full.ms);
        if (item) following.push(item);
        opts.onProgress?.(++done, total);
      }
    } finally {
      await temp?.dispose();
    }
  }

  const out: Record<string, BeamSystemResult> = {};
  for (const s of systems) {
    const r = summarize(obs.get(s)!);
    const i = ingest.get(s)!;
    const warm = s === "mnemo" && warmUpSeconds !== undefined ? { warmUpSeconds: round(warmUpSeconds, 3) } : {};
    out[s] = s === "full-context" ? r : { ...r, ingest: { turns: i.turns, seconds: round(i.seconds, 3), turnsPerSecond: round(i.seconds > 0 ? i.turns / i.seconds : 0, 1), ...warm } };
  }
  return {
    benchmark: "beam",
    budgetTokens: opts.budget,
    chats: chats.map((c) => c.id),
    questions: total,
    presenceThreshold: threshold,
    systems: out,
    following,
    createdAt: new Date().toISOString(),
  };
}
