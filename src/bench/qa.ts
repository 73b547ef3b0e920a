/**
 * LoCoMo QA mode: recall with Mnemo under a budget, answer with a chat model from the
 * recalled context, grade with an LLM judge (LoCoMo/Mem0-style), and report J-score,
 * token F1 and BLEU-1 per category, with token usage and cost.
 */
import type { LocomoConversation } from "../importers/locomo.js";
import { rememberConversation } from "../importers/locomo.js";
import { parseJsonLoose } from "../providers/llm/json.js";
import type { ChatMessage, LLM } from "../providers/llm/types.js";
import { mapPool, mean, openTempMnemo, round } from "./common.js";
import { CATEGORY_ORDER, LOCOMO_CATEGORIES, selectConversations, type LocomoCategory } from "./locomo.js";
import { bleu1, tokenF1 } from "./metrics.js";

/**
 * System prompt of the answering model.
 *
 * @example
 * ```ts
 * const messages = [{ role: "system", content: ANSWER_SYSTEM_PROMPT }];
 * ```
 */
export const ANSWER_SYSTEM_PROMPT =
  "You answer questions about a long conversation between two people, using only the memories given. " +
  "Each memory starts with the date it was said or happened, in [brackets]. Resolve relative times " +
  '("last year", "yesterday") against that date and answer with absolute dates. ' +
  "Answer in a short phrase (under 10 words), without explanation. If the memories do not contain the answer, give your best guess.";

/**
 * User prompt of the answering model; `{{context}}` and `{{question}}` are replaced.
 *
 * @example
 * ```ts
 * ANSWER_PROMPT.replace("{{context}}", context).replace("{{question}}", question);
 * ```
 */
export const ANSWER_PROMPT = "Memories:\n{{context}}\n\nQuestion: {{question}}\nShort answer:";

/**
 * The judge prompt (after LoCoMo/Mem0's "accuracy" prompt); `{{question}}`, `{{gold}}`
 * and `{{answer}}` are replaced. The judge replies with JSON `{"label": "CORRECT"|"WRONG"}`.
 *
 * @example
 * ```ts
 * JUDGE_PROMPT.replace("{{question}}", q).replace("{{gold}}", gold).replace("{{answer}}", answer);
 * ```
 */
export const JUDGE_PROMPT = `Your task is to label an answer to a question as "CORRECT" or "WRONG". You are given:
  (1) a question (posed by one user to another user about their past conversations),
  (2) a gold (ground-truth) answer,
  (3) a generated answer,
which you will grade as CORRECT or WRONG.

The gold answer is usually short. The generated answer may be longer; be generous: if it touches on the same topic
or fact as the gold answer, it is CORRECT. For time questions the gold answer is a date, month or year; the generated
answer is CORRECT if it refers to the same date or period, even in another format ("May 7th" vs "7 May 2023").
It is WRONG if it states something different, or says it does not know.

Question: {{question}}
Gold answer: {{gold}}
Generated answer: {{answer}}

Reply with only a JSON object: {"label": "CORRECT"} or {"label": "WRONG"}.`;

/**
 * Reads the judge's label tolerantly: JSON (fenced, with prose around, single quotes...)
 * with a `label` key, else a lone CORRECT/WRONG word in the text. Null when it cannot tell.
 *
 * @example
 * ```ts
 * parseJudgeLabel('```json\n{"label": "correct"}\n```'); // "CORRECT"
 * parseJudgeLabel("The answer is WRONG."); // "WRONG"
 * ```
 */
export function parseJudgeLabel(text: string): "CORRECT" | "WRONG" | null {
  try {
    const v = parseJsonLoose(text);
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      const label = (v as Record<string, unknown>)["label"];
      if (typeof label === "string") {
        const l = label.trim().toUpperCase();
        if (l === "CORRECT" || l === "WRONG") return l;
      }
    }
  } catch {
    // not JSON: look for the word
  }
  const hasWrong = /\b(WRONG|INCORRECT)\b/i.test(text);
  const hasCorrect = /\bCORRECT\b/i.test(text.replace(/\bINCORRECT\b/gi, ""));
  if (hasCorrect !== hasWrong) return hasCorrect ? "CORRECT" : "WRONG";
  return null;
}

/**
 * Prices in dollars per million tokens.
 *
 * @example
 * ```ts
 * const p: TokenPrices = { inputPerMillion: 0.15, outputPerMillion: 0.6 };
 * ```
 */
export interface TokenPrices {
  inputPerMillion: number;
  outputPerMillion: number;
}

/**
 * Options of {@link runLocomoQA}.
 *
 * @example
 * ```ts
 * const o: LocomoQAOptions = { data: "locomo-dev.json", budget: 1000, llm: createLLM("openai/gpt-4o-mini"), judge: createLLM("openai/gpt-4o-mini"), limit: 50 };
 * ```
 */
export interface LocomoQAOptions {
  /** Path of a LoCoMo JSON file, or conversations already parsed. */
  data: string | LocomoConversation[];
  /** Recall token budget. */
  budget: number;
  /** The answering model. */
  llm: LLM;
  /** The judge model. */
  judge: LLM;
  conversations?: string[];
  /** At most this many questions (first ones, in file order). */
  limit?: number;
  /** Categories to ask (default 1–4; 5 has no gold answer). */
  categories?: number[];
  /** Prices of the answering model; cost is null without them. */
  prices?: TokenPrices;
  /** Prices of the judge (default: `prices`). */
  judgePrices?: TokenPrices;
  /** Model calls in flight at once (default 4). */
  concurrency?: number;
  /** Max tokens of an answer (default 64). */
  maxAnswerTokens?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * One graded question.
 *
 * @example
 * ```ts
 * const item: QAItem = result.items[0]!;
 * console.log(item.question, item.answer, item.label);
 * ```
 */
export interface QAItem {
  conversation: string;
  category: LocomoCategory;
  question: string;
  gold: string;
  answer: string;
  label: "CORRECT" | "WRONG";
  f1: number;
  bleu1: number;
  contextTokens: number;
  /** Set when a model call failed or the judge could not be read (the item counts as WRONG). */
  error?: string;
}

/**
 * Scores of a group of questions.
 *
 * @example
 * ```ts
 * const s: QAScores = { questions: 10, j: 0.6, f1: 0.41, bleu1: 0.35, meanContextTokens: 900 };
 * ```
 */
export interface QAScores {
  questions: number;
  /** J-score: share of answers the judge labelled CORRECT. */
  j: number;
  f1: number;
  bleu1: number;
  meanContextTokens: number;
}

/**
 * Token usage of one model role, with cost in dollars (null without prices).
 *
 * @example
 * ```ts
 * const u: QAUsage = { calls: 10, inputTokens: 9000, outputTokens: 80, costUsd: 0.0014 };
 * ```
 */
export interface QAUsage {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
}

/**
 * What {@link runLocomoQA} returns.
 *
 * @example
 * ```ts
 * const r: LocomoQAResult = await runLocomoQA(opts);
 * console.log(r.overall.j, r.byCategory["temporal"].f1, r.cost);
 * ```
 */
export interface LocomoQAResult {
  benchmark: "locomo-qa";
  budgetTokens: number;
  llm: string;
  judge: string;
  overall: QAScores;
  byCategory: Record<LocomoCategory, QAScores>;
  usage: { answer: QAUsage; judge: QAUsage };
  /** Total cost in dollars; null without prices. */
  cost: number | null;
  /** Items that failed (model error or unreadable judge); they count as WRONG. */
  errors: number;
  items: QAItem[];
  createdAt: string;
}

function scores(items: readonly QAItem[]): QAScores {
  return {
    questions: items.length,
    j: round(mean(items.map((i) => (i.label === "CORRECT" ? 1 : 0)))),
    f1: round(mean(items.map((i) => i.f1))),
    bleu1: round(mean(items.map((i) => i.bleu1))),
    meanContextTokens: round(mean(items.map((i) => i.contextTokens)), 1),
  };
}

function cost(u: { inputTokens: number; outputTokens: number }, p: TokenPrices | undefined): number | null {
  return p ? round((u.inputTokens * p.inputPerMillion + u.outputTokens * p.outputPerMillion) / 1e6, 6) : null;
}

function goldText(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return v === undefined || v === null ? "" : JSON.stringify(v);
}

/**
 * The answer and judge messages of one question (exported so prompts can be inspected).
 *
 * @example
 * ```ts
 * const { answer, judge } = qaMessages("- [7 May 2023] Caroline went ...", "When did Caroline ...?", "7 May 2023", "7 May");
 * ```
 */
export function qaMessages(context: string, question: string, gold: string, answer: string): { answer: ChatMessage[]; judge: ChatMessage[] } {
  return {
    answer: [
      { role: "system", content: ANSWER_SYSTEM_PROMPT },
      { role: "user", content: ANSWER_PROMPT.replace("{{context}}", () => context || "(no memories)").replace("{{question}}", () => question) },
    ],
    judge: [{ role: "user", content: JUDGE_PROMPT.replace("{{question}}", () => question).replace("{{gold}}", () => gold).replace("{{answer}}", () => answer) }],
  };
}

/**
 * Runs LoCoMo QA: per conversation, ingest into a fresh temporary store, recall each
 * question under `budget` (reinforce false), answer with `llm` ({@link ANSWER_PROMPT}),
 * grade with `judge` ({@link JUDGE_PROMPT}); F1 and BLEU-1 against the gold answer on
 * normalised tokens. A failed call or unreadable judge reply counts as WRONG (see `errors`).
 *
 * @example
 * ```ts
 * const r = await runLocomoQA({ data: "../shared/data/locomo/locomo-dev.json", budget: 1000, llm, judge, limit: 100, prices: { inputPerMillion: 0.15, outputPerMillion: 0.6 } });
 * console.log(r.overall);
 * ```
 */
export async function runLocomoQA(opts: LocomoQAOptions): Promise<LocomoQAResult> {
  const convs = selectConversations(opts.data, opts.conversations);
  const cats = new Set(opts.categories ?? [1, 2, 3, 4]);
  let remaining = opts.limit ?? Number.POSITIVE_INFINITY;
  const plan = convs
    .map((conv) => {
      const qs = conv.qa.filter((q) => cats.has(q.category) && q.category in LOCOMO_CATEGORIES && goldText(q.answer) !== "");
      const take = qs.slice(0, Math.max(0, Math.min(qs.length, remaining)));
      remaining -= take.length;
      return { conv, qs: take };
    })
    .filter((p) => p.qs.length > 0);
  const total = plan.reduce((s, p) => s + p.qs.length, 0);
  const usage = { answer: { calls: 0, inputTokens: 0, outputTokens: 0 }, judge: { calls: 0, inputTokens: 0, outputTokens: 0 } };
  const items: QAItem[] = [];
  let done = 0;

  for (const { conv, qs } of plan) {
    const temp = await openTempMnemo("mnemo-qa-");
    try {
      await rememberConversation(temp.mnemo, conv);
      const recalled: Array<{ context: string; tokens: number }> = [];
      for (const q of qs) {
        const r = await temp.mnemo.recall(q.question, { userId: conv.sampleId, budgetTokens: opts.budget, reinforce: false });
        recalled.push({ context: r.context, tokens: r.contextTokens });
      }
      const graded = await mapPool(qs, opts.concurrency ?? 4, async (q, i): Promise<QAItem> => {
        const gold = goldText(q.answer);
        const category = LOCOMO_CATEGORIES[q.category as keyof typeof LOCOMO_CATEGORIES];
        const { context, tokens } = recalled[i]!;
        const base = { conversation: conv.sampleId, category, question: q.question, gold, contextTokens: tokens };
        let answer = "";
        try {
          const a = await opts.llm.complete(qaMessages(context, q.question, gold, "").answer, { temperature: 0, maxTokens: opts.maxAnswerTokens ?? 64 });
          usage.answer.calls++;
          usage.answer.inputTokens += a.usage.inputTokens;
          usage.answer.outputTokens += a.usage.outputTokens;
          answer = a.text.trim();
          const j = await opts.judge.complete(qaMessages(context, q.question, gold, answer).judge, { temperature: 0, maxTokens: 64, json: true });
          usage.judge.calls++;
          usage.judge.inputTokens += j.usage.inputTokens;
          usage.judge.outputTokens += j.usage.outputTokens;
          const label = parseJudgeLabel(j.text);
          const scored = { ...base, answer, f1: tokenF1(answer, gold), bleu1: bleu1(answer, gold) };
          return label === null ? { ...scored, label: "WRONG", error: `unreadable judge reply: ${j.text.slice(0, 200)}` } : { ...scored, label };
        } catch (e) {
          return { ...base, answer, label: "WRONG", f1: tokenF1(answer, gold), bleu1: bleu1(answer, gold), error: (e as Error).message };
        } finally {
          opts.onProgress?.(++done, total);
        }
      });
      items.push(...graded);
    } finally {
      await temp.dispose();
    }
  }

  const byCategory = {} as Record<LocomoCategory, QAScores>;
  for (const c of CATEGORY_ORDER) byCategory[c] = scores(items.filter((i) => i.category === c));
  const answerCost = cost(usage.answer, opts.prices);
  const judgeCost = cost(usage.judge, opts.judgePrices ?? opts.prices);
  return {
    benchmark: "locomo-qa",
    budgetTokens: opts.budget,
    llm: opts.llm.id,
    judge: opts.judge.id,
    overall: scores(items),
    byCategory,
    usage: { answer: { ...usage.answer, costUsd: answerCost }, judge: { ...usage.judge, costUsd: judgeCost } },
    cost: answerCost === null || judgeCost === null ? null : round(answerCost + judgeCost, 6),
    errors: items.filter((i) => i.error !== undefined).length,
    items,
    createdAt: new Date().toISOString(),
  };
}
