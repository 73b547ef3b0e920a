/**
 * Result types of the LoCoMo benchmark (see src/bench/locomo.ts) and its category table.
 */

/**
 * LoCoMo question categories by their numeric code. "overall" averages 1–4;
 * 5 (adversarial) is reported on its own.
 *
 * @example
 * ```ts
 * LOCOMO_CATEGORIES[2]; // "temporal"
 * ```
 */
export const LOCOMO_CATEGORIES = { 1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial" } as const;

/**
 * A LoCoMo category name.
 *
 * @example
 * ```ts
 * const c: LocomoCategory = "single-hop";
 * ```
 */
export type LocomoCategory = (typeof LOCOMO_CATEGORIES)[keyof typeof LOCOMO_CATEGORIES];

/**
 * The category names in table order.
 *
 * @example
 * ```ts
 * CATEGORY_ORDER[0]; // "multi-hop"
 * ```
 */
export const CATEGORY_ORDER: readonly LocomoCategory[] = ["multi-hop", "temporal", "open-domain", "single-hop", "adversarial"];

/**
 * Overall (categories 1–4) figures of one system at one budget.
 *
 * @example
 * ```ts
 * const o: OverallSummary = { answerCoverage: 0.65, coverageQuestions: 758, citedEvidenceRecall: 0.61, recall: 0.61, meanContextTokens: 940, maxContextTokens: 1000, p50Ms: 9.1, p95Ms: 15.2, questions: 760 };
 * ```
 */
export interface OverallSummary {
  /** Mean answer coverage (src/bench/coverage.ts) over the questions whose gold answer has a content term. */
  answerCoverage: number;
  /** Questions that count in `answerCoverage`. */
  coverageQuestions: number;
  /** Mean cited evidence recall over questions with evidence (src/bench/evidence.ts). */
  citedEvidenceRecall: number;
  /** Same as `citedEvidenceRecall` (the former name, kept for compatibility). */
  recall: number;
  meanContextTokens: number;
  /** Largest context of any question. */
  maxContextTokens: number;
  /** Latency of one recall (ms), median and 95th percentile (nearest rank). */
  p50Ms: number;
  p95Ms: number;
  questions: number;
}

/**
 * One category's figures.
 *
 * @example
 * ```ts
 * const c: CategorySummary = { answerCoverage: 0.6, coverageQuestions: 142, citedEvidenceRecall: 0.5, recall: 0.5, questions: 142, meanContextTokens: 950 };
 * ```
 */
export interface CategorySummary {
  answerCoverage: number;
  coverageQuestions: number;
  citedEvidenceRecall: number;
  /** Same as `citedEvidenceRecall` (former name). */
  recall: number;
  questions: number;
  meanContextTokens: number;
}

/**
 * Ingestion figures (for baselines: building the index).
 *
 * @example
 * ```ts
 * const i: IngestSummary = { turns: 2876, seconds: 2.1, turnsPerSecond: 1369 };
 * ```
 */
export interface IngestSummary {
  turns: number;
  seconds: number;
  turnsPerSecond: number;
  /** Mnemo: seconds of the one-time load before the first ingest (libraries, word vectors; src/bench/common.ts `warmUpMnemo`), not in the rate. */
  warmUpSeconds?: number;
}

/**
 * One system's result at one budget.
 *
 * @example
 * ```ts
 * result.systems["mnemo"]?.overall.recall;
 * ```
 */
export interface SystemResult {
  overall: OverallSummary;
  byCategory: Record<LocomoCategory, CategorySummary>;
  ingest?: IngestSummary;
  /** Mnemo only: SQLite db + WAL bytes after ingestion, summed over conversations. */
  storeBytes?: number;
  /** Mnemo only: overall recall minus bm25-turns' in the same run (null if bm25-turns did not run). */
  deltaVsBm25?: number | null;
  /** Mnemo only: overall answer coverage minus bm25-turns' in the same run. */
  coverageDeltaVsBm25?: number | null;
}

/**
 * The result at one budget.
 *
 * @example
 * ```ts
 * const r = (await runLocomoBench({ data, budgets: [1000] })) as LocomoBudgetResult;
 * r.systems["bm25-turns"]?.overall.recall;
 * ```
 */
export interface LocomoBudgetResult {
  benchmark: "locomo";
  budgetTokens: number;
  /** Questions of categories 1–4 with evidence. */
  questions: number;
  systems: Record<string, SystemResult>;
  conversations: string[];
  /** Gold evidence ids that are no turn of their conversation (typos in the data; they cap every system's recall). */
  evidenceNotInConversation: number;
  channels?: string[];
  /** Set when Mnemo's context lines cited their sources (`--cite-sources`). */
  citeSources?: boolean;
  createdAt: string;
}

/**
 * The result of a budget sweep: one {@link LocomoBudgetResult} per budget, ascending.
 *
 * @example
 * ```ts
 * const s: LocomoSweepResult = { benchmark: "locomo", sweep: [] };
 * ```
 */
export interface LocomoSweepResult {
  benchmark: "locomo";
  sweep: LocomoBudgetResult[];
}

/**
 * What {@link runLocomoBench} returns: one budget's result, or a sweep.
 *
 * @example
 * ```ts
 * const r: LocomoBenchResult = await runLocomoBench({ data, budgets: [500, 1000] });
 * ```
 */
export type LocomoBenchResult = LocomoBudgetResult | LocomoSweepResult;
