import type { Embedder } from "../providers/embeddings/types.js";
/**
 * The LoCoMo recall benchmark: Mnemo and the turn-level baselines (src/bench/baselines.ts)
 * on the same conversations, questions and token budgets, scored by answer coverage
 * (src/bench/coverage.ts, on the context text) and cited evidence recall (src/bench/evidence.ts,
 * on the sources the results cite).
 */
import { rememberConversation } from "../importers/locomo.js";
import { MnemoError } from "../core/errors.js";
import { readLocomo, type LocomoConversation } from "../importers/locomo.js";
import { BASELINE_SYSTEMS, createTurnBaselines, fullContext, type BenchTurn, type PackedTurns } from "./baselines.js";
import { mean, openTempMnemo, percentile, round, sqliteBytes, warmUpMnemo } from "./common.js";
import { answerCoverage, contextTermSet } from "./coverage.js";
import { citedEvidenceRecall, splitEvidence } from "./evidence.js";
import {
  CATEGORY_ORDER,
  LOCOMO_CATEGORIES,
  type CategorySummary,
  type IngestSummary,
  type LocomoBenchResult,
  type LocomoBudgetResult,
  type LocomoCategory,
  type LocomoSweepResult,
  type SystemResult,
} from "./locomo-types.js";

export * from "./locomo-types.js";

/**
 * The systems run by default.
 *
 * @example
 * ```ts
 * await runLocomoBench({ data: "locomo.json", budgets: [1000], systems: [...DEFAULT_LOCOMO_SYSTEMS] });
 * ```
 */
export const DEFAULT_LOCOMO_SYSTEMS = ["mnemo", "bm25-turns", "dense-turns", "full-context"] as const;

/**
 * Options of {@link runLocomoBench}.
 *
 * @example
 * ```ts
 * const o: LocomoBenchOptions = { data: "../shared/data/locomo/locomo-dev.json", budgets: [250, 500, 1000, 2000] };
 * ```
 */
export interface LocomoBenchOptions {
  /** Path of a LoCoMo JSON file, or conversations already parsed. */
  data: string | LocomoConversation[];
  /** Token budgets; one → a single result, several → a sweep. */
  budgets: number[];
  /** Systems to run (default {@link DEFAULT_LOCOMO_SYSTEMS}). */
  systems?: string[];
  /** Only these sample ids. */
  conversations?: string[];
  /** Mnemo recall channels (ablations); default all. */
  channels?: string[];
  /** Mnemo context lines end with their source id (`citeSources`); default false. */
  citeSources?: boolean;
  /** Mnemo's embedder (default: the offline default). */
  embedder?: Embedder;
  /** A postgres:// URL: Mnemo runs on PostgreSQL (a fresh schema per conversation) instead of a temporary SQLite file. */
  pgUrl?: string | undefined;
  /** Called after each question (all systems and budgets done). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * True when a result is a sweep.
 *
 * @example
 * ```ts
 * if (isLocomoSweep(r)) console.log(r.sweep.length);
 * ```
 */
export function isLocomoSweep(r: LocomoBenchResult): r is LocomoSweepResult {
  return "sweep" in r;
}

/**
 * The per-budget results of any result (a single one → a list of one).
 *
 * @example
 * ```ts
 * for (const b of budgetResults(r)) console.log(b.budgetTokens, b.systems["mnemo"]?.overall.recall);
 * ```
 */
export function budgetResults(r: LocomoBenchResult): LocomoBudgetResult[] {
  return isLocomoSweep(r) ? r.sweep : [r];
}

/**
 * The turns of a LoCoMo conversation, in order, as the baselines see them.
 *
 * @example
 * ```ts
 * const turns = locomoTurns(readLocomo("locomo.json", ["conv-26"])[0]!);
 * ```
 */
export function locomoTurns(conv: LocomoConversation): BenchTurn[] {
  return conv.sessions.flatMap((s) =>
    s.messages.map((m, i) => ({
      id: m.id ?? `${s.sessionId}:${i}`,
      sessionId: s.sessionId,
      speaker: m.speaker ?? "unknown",
      text: m.content,
      attachmentText: m.attachmentText ?? null,
      occurredAt: typeof m.occurredAt === "string" ? m.occurredAt : (m.occurredAt ?? new Date(s.date)).toISOString(),
    })),
  );
}

interface Obs {
  category: LocomoCategory;
  recall: number;
  /** Answer coverage; null when the gold answer has no content term. */
  coverage: number | null;
  tokens: number;
  ms: number;
}

interface Question {
  question: string;
  category: LocomoCategory;
  gold: string[];
  /** The gold answer text ("" for adversarial questions). */
  answer: string;
}

function coverageMean(obs: readonly Obs[]): { answerCoverage: number; coverageQuestions: number } {
  const xs = obs.map((o) => o.coverage).filter((c): c is number => c !== null);
  return { answerCoverage: round(mean(xs)), coverageQuestions: xs.length };
}

const KNOWN_SYSTEMS = new Set<string>(["mnemo", ...BASELINE_SYSTEMS]);

function summarize(obs: readonly Obs[]): SystemResult {
  const overall = obs.filter((o) => o.category !== "adversarial");
  const byCategory = {} as Record<LocomoCategory, CategorySummary>;
  for (const c of CATEGORY_ORDER) {
    const xs = obs.filter((o) => o.category === c);
    const cited = round(mean(xs.map((o) => o.recall)));
    byCategory[c] = { ...coverageMean(xs), citedEvidenceRecall: cited, recall: cited, questions: xs.length, meanContextTokens: round(mean(xs.map((o) => o.tokens)), 1) };
  }
  const ms = overall.map((o) => o.ms);
  const cited = round(mean(overall.map((o) => o.recall)));
  return {
    overall: {
      ...coverageMean(overall),
      citedEvidenceRecall: cited,
      recall: cited,
      meanContextTokens: round(mean(overall.map((o) => o.tokens)), 1),
      maxContextTokens: Math.max(0, ...obs.map((o) => o.tokens)),
      p50Ms: round(percentile(ms, 0.5), 2),
      p95Ms: round(percentile(ms, 0.95), 2),
      questions: overall.length,
    },
    byCategory,
  };
}

function ingestSummary(turns: number, seconds: number): IngestSummary {
  return { turns, seconds: round(seconds, 3), turnsPerSecond: round(seconds > 0 ? turns / seconds : 0, 1) };
}

/**
 * Runs the LoCoMo recall benchmark. Per conversation, Mnemo ingests into a fresh
 * temporary SQLite store (offline defaults; timed; db + WAL size measured), then every
 * question with evidence is recalled at every budget (`reinforce: false`) and scored with
 * {@link answerCoverage} on the returned context text and {@link citedEvidenceRecall} on the
 * returned sources; the baselines answer the same questions under the same budgets. One budget → a {@link LocomoBudgetResult}; several → a
 * {@link LocomoSweepResult} (ingestion is shared by the budgets).
 *
 * @throws MnemoError("INVALID_INPUT") for an unknown system, an empty or invalid budget list, or bad data.
 * @example
 * ```ts
 * const r = await runLocomoBench({ data: "../shared/data/locomo/locomo-dev.json", budgets: [1000] });
 * console.log(formatLocomoTable(r));
 * ```
 */
export async function runLocomoBench(opts: LocomoBenchOptions): Promise<LocomoBenchResult> {
  const systems = opts.systems && opts.systems.length > 0 ? [...new Set(opts.systems)] : [...DEFAULT_LOCOMO_SYSTEMS];
  const unknown = systems.filter((s) => !KNOWN_SYSTEMS.has(s));
  if (unknown.length) throw new MnemoError("INVALID_INPUT", `Unknown system(s): ${unknown.join(", ")}. Known: ${[...KNOWN_SYSTEMS].join(", ")}.`);
  const budgets = [...new Set(opts.budgets)].sort((a, b) => a - b);
  if (budgets.length === 0 || budgets.some((b) => !Number.isInteger(b) || b < 1)) {
    throw new MnemoError("INVALID_INPUT", `Budgets must be positive integers, got ${JSON.stringify(opts.budgets)}.`);
  }
  const convs = selectConversations(opts.data, opts.conversations);

  const obs = new Map<string, Map<number, Obs[]>>(systems.map((s) => [s, new Map(budgets.map((b) => [b, []]))]));
  const ingest = new Map<string, { turns: number; seconds: number }>(systems.map((s) => [s, { turns: 0, seconds: 0 }]));
  let storeBytes = 0;
  let missingEvidence = 0;
  const perConv = convs.map((c) => ({ conv: c, questions: questionsOf(c) }));
  const total = perConv.reduce((s, p) => s + p.questions.length, 0);
  let done = 0;
  // One-time loads (NLP libraries, word vectors) are reported apart from the ingest rate.
  const warmUpSeconds = systems.includes("mnemo") ? await warmUpMnemo(opts.embedder) : undefined;

  for (const { conv, questions } of perConv) {
    const turns = locomoTurns(conv);
    const turnIds = new Set(turns.map((t) => t.id));
    for (const q of questions) missingEvidence += q.gold.filter((g) => !turnIds.has(g)).length;
    const add = (system: string, budget: number, o: Obs): void => void obs.get(system)!.get(budget)!.push(o);
    const addIngest = (system: string, seconds: number): void => {
      const i = ingest.get(system)!;
      i.turns += turns.length;
      i.seconds += seconds;
    };

    const baselines = await createTurnBaselines(systems, turns, addIngest);
    let full: { packed: PackedTurns; ms: number; terms: Set<string> } | null = null;
    if (systems.includes("full-context")) {
      const t0 = performance.now();
      const packed = fullContext(turns);
      const ms = performance.now() - t0;
      full = { packed, ms, terms: contextTermSet(packed.context) };
    }

    const temp = systems.includes("mnemo") ? await openTempMnemo(undefined, opts.embedder, {}, opts.pgUrl) : null;
    try {
      if (temp) {
        const t0 = performance.now();
        await rememberConversation(temp.mnemo, conv);
        addIngest("mnemo", (performance.now() - t0) / 1000);
        storeBytes += sqliteBytes(temp.path);
      }
      for (const q of questions) {
        for (const budget of budgets) {
          if (temp) {
            const t0 = performance.now();
            const r = await temp.mnemo.recall(q.question, { userId: conv.sampleId, budgetTokens: budget, reinforce: false, channels: opts.channels, citeSources: opts.citeSources === true });
            const ms = performance.now() - t0;
            const recall = citedEvidenceRecall(q.gold, r.results.map((x) => x.sources)) ?? 0;
            add("mnemo", budget, { category: q.category, recall, coverage: answerCoverage(q.answer, r.context), tokens: r.contextTokens, ms });
          }
          for (const b of baselines) {
            const t0 = performance.now();
            const p = b.retrieve(q.question, budget);
            const ms = performance.now() - t0;
            add(b.name, budget, { category: q.category, recall: citedEvidenceRecall(q.gold, [p.turnIds]) ?? 0, coverage: answerCoverage(q.answer, p.context), tokens: p.contextTokens, ms });
          }
          if (full) add("full-context", budget, { category: q.category, recall: 1, coverage: answerCoverage(q.answer, full.terms), tokens: full.packed.contextTokens, ms: full.ms });
        }
        opts.onProgress?.(++done, total);
      }
    } finally {
      await temp?.dispose();
    }
  }

  const createdAt = new Date().toISOString();
  const results: LocomoBudgetResult[] = budgets.map((budget) => {
    const out: Record<string, SystemResult> = {};
    for (const s of systems) {
      const r = summarize(obs.get(s)!.get(budget)!);
      const i = ingest.get(s)!;
      out[s] = s === "full-context" ? r : { ...r, ingest: { ...ingestSummary(i.turns, i.seconds), ...(s === "mnemo" && warmUpSeconds !== undefined ? { warmUpSeconds: round(warmUpSeconds, 3) } : {}) } };
    }
    const mnemo = out["mnemo"];
    if (mnemo) {
      mnemo.storeBytes = storeBytes;
      const bm = out["bm25-turns"];
      mnemo.deltaVsBm25 = bm ? round(mnemo.overall.recall - bm.overall.recall) : null;
      mnemo.coverageDeltaVsBm25 = bm ? round(mnemo.overall.answerCoverage - bm.overall.answerCoverage) : null;
    }
    const first = out[systems[0]!]!;
    return {
      benchmark: "locomo",
      budgetTokens: budget,
      questions: first.overall.questions,
      systems: out,
      conversations: convs.map((c) => c.sampleId),
      evidenceNotInConversation: missingEvidence,
      ...(opts.channels ? { channels: opts.channels } : {}),
      ...(opts.citeSources ? { citeSources: true } : {}),
      createdAt,
    };
  });
  return results.length === 1 ? results[0]! : { benchmark: "locomo", sweep: results };
}

/**
 * Conversations from a LoCoMo file or a parsed list, optionally only the given sample ids.
 *
 * @throws MnemoError("INVALID_INPUT") for an unknown sample id.
 * @example
 * ```ts
 * selectConversations("../shared/data/locomo/locomo-dev.json", ["conv-26"]).length; // 1
 * ```
 */
export function selectConversations(data: string | LocomoConversation[], only?: string[]): LocomoConversation[] {
  if (typeof data === "string") return readLocomo(data, only);
  if (!only?.length) return data;
  const missing = only.filter((id) => !data.some((c) => c.sampleId === id));
  if (missing.length) throw new MnemoError("INVALID_INPUT", `Unknown conversation(s): ${missing.join(", ")}. Available: ${data.map((c) => c.sampleId).join(", ")}.`);
  return data.filter((c) => only.includes(c.sampleId));
}

function questionsOf(conv: LocomoConversation): Question[] {
  const out: Question[] = [];
  for (const q of conv.qa) {
    const category = (LOCOMO_CATEGORIES as Record<number, LocomoCategory | undefined>)[q.category];
    const gold = splitEvidence(q.evidence);
    if (category === undefined || gold.length === 0) continue;
    out.push({ question: q.question, category, gold, answer: goldAnswerText(q.answer) });
  }
  return out;
}

/**
 * The text of a gold answer as stored in the data (strings as they are, numbers printed,
 * anything else as JSON; "" when absent).
 *
 * @example
 * ```ts
 * goldAnswerText(2022); // "2022"
 * goldAnswerText(undefined); // ""
 * ```
 */
export function goldAnswerText(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return v === undefined || v === null ? "" : JSON.stringify(v);
}
