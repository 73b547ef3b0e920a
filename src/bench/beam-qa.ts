/**
 * BEAM QA mode: recall with Mnemo under a budget, answer each probing question with a chat
 * model from the recalled context, and grade with an LLM judge — against the reference
 * answer, or, for instruction / preference following, on whether the reply follows the
 * tested instruction. Reports the judge's score (J) per question type, with token usage.
 */
import type { ChatMessage, LLM } from "../providers/llm/types.js";
import { BEAM_MNEMO_OPTIONS, beamMessages, readBeam, type BeamChat } from "./beam-data.js";
import { mapPool, mean, openTempMnemo, round } from "./common.js";
import { parseJudgeLabel } from "./qa.js";

/**
 * System prompt of the answering model (an assistant with memories of its user).
 *
 * @example
 * ```ts
 * const messages = [{ role: "system", content: BEAM_ANSWER_SYSTEM_PROMPT }];
 * ```
 */
export const BEAM_ANSWER_SYSTEM_PROMPT =
  "You are an assistant in a long-running chat with one user. You are given memories of earlier turns of the chat " +
  "(each with the date it was said, in [brackets]) and the user's new message. Answer it using the memories; follow any " +
  "standing instruction or preference of the user that the memories contain. Be concise.";

/**
 * Judge prompt for questions with a reference answer; `{{question}}`, `{{gold}}`, `{{answer}}` are replaced.
 *
 * @example
 * ```ts
 * BEAM_JUDGE_PROMPT.includes("{{gold}}"); // true
 * ```
 */
export const BEAM_JUDGE_PROMPT = `Label an assistant's reply to a user's question as "CORRECT" or "WRONG" against a reference answer.
It is CORRECT if it states the same key facts as the reference (other wording, extra detail and other date formats are fine);
WRONG if it contradicts the reference, misses its key facts, or says it does not know (unless the reference says the information is not available).

Question: {{question}}
Gold answer: {{gold}}
Generated answer: {{answer}}

Reply with only a JSON object: {"label": "CORRECT"} or {"label": "WRONG"}.`;

/**
 * Judge prompt for instruction / preference following; `{{question}}`, `{{gold}}` (the instruction), `{{answer}}` are replaced.
 *
 * @example
 * ```ts
 * BEAM_FOLLOWING_JUDGE_PROMPT.includes("{{gold}}"); // true
 * ```
 */
export const BEAM_FOLLOWING_JUDGE_PROMPT = `Earlier in a chat the user gave this standing instruction or preference: {{gold}}
Label the assistant's reply to the user's new message "CORRECT" if it follows that instruction or preference, "WRONG" if not.

Question: {{question}}
Gold answer: (follow the instruction above)
Generated answer: {{answer}}

Reply with only a JSON object: {"label": "CORRECT"} or {"label": "WRONG"}.`;

/**
 * Options of {@link runBeamQA}.
 *
 * @example
 * ```ts
 * const o: BeamQAOptions = { data: "../shared/data/beam/100K", budget: 1000, llm, judge, chats: ["1"], limit: 20 };
 * ```
 */
export interface BeamQAOptions {
  data: string | BeamChat[];
  budget: number;
  llm: LLM;
  judge: LLM;
  chats?: string[];
  /** At most this many questions (first ones, in file order). */
  limit?: number;
  /** Model calls in flight at once (default 4). */
  concurrency?: number;
  /** Max tokens of an answer (default 400). */
  maxAnswerTokens?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * One graded question.
 *
 * @example
 * ```ts
 * const item: BeamQAItem = result.items[0]!; // item.type, item.label
 * ```
 */
export interface BeamQAItem {
  chat: string;
  type: string;
  question: string;
  reference: string;
  answer: string;
  label: "CORRECT" | "WRONG";
  contextTokens: number;
  error?: string;
}

/**
 * What {@link runBeamQA} returns.
 *
 * @example
 * ```ts
 * const r: BeamQAResult = await runBeamQA(opts); // r.overall.j, r.byType["knowledge_update"]?.j
 * ```
 */
export interface BeamQAResult {
  benchmark: "beam-qa";
  budgetTokens: number;
  llm: string;
  judge: string;
  overall: { questions: number; j: number };
  byType: Record<string, { questions: number; j: number }>;
  usage: { answer: { calls: number; inputTokens: number; outputTokens: number }; judge: { calls: number; inputTokens: number; outputTokens: number } };
  errors: number;
  items: BeamQAItem[];
  createdAt: string;
}

/**
 * The answer and judge messages of one BEAM question.
 *
 * @example
 * ```ts
 * const { answer, judge } = beamQAMessages("- [15 March 2024] user: …", "When does my sprint end?", "March 29", "On March 29.", false);
 * ```
 */
export function beamQAMessages(context: string, question: string, reference: string, answer: string, following: boolean): { answer: ChatMessage[]; judge: ChatMessage[] } {
  const template = following ? BEAM_FOLLOWING_JUDGE_PROMPT : BEAM_JUDGE_PROMPT;
  return {
    answer: [
      { role: "system", content: BEAM_ANSWER_SYSTEM_PROMPT },
      { role: "user", content: `Memories:\n${context || "(no memories)"}\n\nQuestion: ${question}\nAnswer:` },
    ],
    judge: [{ role: "user", content: template.replace("{{question}}", () => question).replace("{{gold}}", () => reference).replace("{{answer}}", () => answer) }],
  };
}

const score = (items: readonly BeamQAItem[]): { questions: number; j: number } => ({ questions: items.length, j: round(mean(items.map((i) => (i.label === "CORRECT" ? 1 : 0)))) });

/**
 * Runs BEAM QA with Mnemo's context (see the module comment). A failed call or an
 * unreadable judge reply counts as WRONG (see `errors`).
 *
 * @example
 * ```ts
 * const r = await runBeamQA({ data: "../shared/data/beam/100K", budget: 1000, llm, judge, chats: ["1"] });
 * ```
 */
export async function runBeamQA(opts: BeamQAOptions): Promise<BeamQAResult> {
  const chats = typeof opts.data === "string" ? readBeam(opts.data, opts.chats) : opts.data.filter((c) => !opts.chats?.length || opts.chats.includes(c.id));
  let remaining = opts.limit ?? Number.POSITIVE_INFINITY;
  const plan = chats
    .map((chat) => {
      const qs = chat.questions.filter((q) => q.reference !== "").slice(0, Math.max(0, remaining));
      remaining -= qs.length;
      return { chat, qs };
    })
    .filter((p) => p.qs.length > 0);
  const total = plan.reduce((s, p) => s + p.qs.length, 0);
  const usage = { answer: { calls: 0, inputTokens: 0, outputTokens: 0 }, judge: { calls: 0, inputTokens: 0, outputTokens: 0 } };
  const items: BeamQAItem[] = [];
  let done = 0;
  for (const { chat, qs } of plan) {
    const temp = await openTempMnemo("mnemo-beam-qa-", undefined, BEAM_MNEMO_OPTIONS);
    try {
      const userId = `beam-${chat.id}`;
      await temp.mnemo.remember(beamMessages(chat), { userId });
      const recalled: Array<{ context: string; tokens: number }> = [];
      for (const q of qs) {
        const r = await temp.mnemo.recall(q.question, { userId, budgetTokens: opts.budget, reinforce: false });
        recalled.push({ context: r.context, tokens: r.contextTokens });
      }
      const graded = await mapPool(qs, opts.concurrency ?? 4, async (q, i): Promise<BeamQAItem> => {
        const { context, tokens } = recalled[i]!;
        const base = { chat: chat.id, type: q.type, question: q.question, reference: q.reference, contextTokens: tokens };
        let answer = "";
        try {
          const a = await opts.llm.complete(beamQAMessages(context, q.question, q.reference, "", q.following).answer, { temperature: 0, maxTokens: opts.maxAnswerTokens ?? 400 });
          usage.answer.calls++;
          usage.answer.inputTokens += a.usage.inputTokens;
          usage.answer.outputTokens += a.usage.outputTokens;
          answer = a.text.trim();
          const j = await opts.judge.complete(beamQAMessages(context, q.question, q.reference, answer, q.following).judge, { temperature: 0, maxTokens: 64, json: true });
          usage.judge.calls++;
          usage.judge.inputTokens += j.usage.inputTokens;
          usage.judge.outputTokens += j.usage.outputTokens;
          const label = parseJudgeLabel(j.text);
          return label === null ? { ...base, answer, label: "WRONG", error: `unreadable judge reply: ${j.text.slice(0, 200)}` } : { ...base, answer, label };
        } catch (e) {
          return { ...base, answer, label: "WRONG", error: (e as Error).message };
        } finally {
          opts.onProgress?.(++done, total);
        }
      });
      items.push(...graded);
    } finally {
      await temp.dispose();
    }
  }
  const byType: Record<string, { questions: number; j: number }> = {};
  for (const t of [...new Set(items.map((i) => i.type))]) byType[t] = score(items.filter((i) => i.type === t));
  return {
    benchmark: "beam-qa",
    budgetTokens: opts.budget,
    llm: opts.llm.id,
    judge: opts.judge.id,
    overall: score(items),
    byType,
    usage,
    errors: items.filter((i) => i.error !== undefined).length,
    items,
    createdAt: new Date().toISOString(),
  };
}
