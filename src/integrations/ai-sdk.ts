/**
 * Mnemo for the Vercel AI SDK (`ai` v6): a language-model middleware that recalls what the
 * user's last message needs and injects it as a system message, then remembers the exchange;
 * and `remember` / `recall` tools for tool-calling agents. Import from `mnemo-memory/ai-sdk`;
 * `ai` is an optional peer dependency.
 *
 * @example
 * ```ts
 * import { generateText, wrapLanguageModel } from "ai";
 * import { Mnemo } from "mnemo-memory";
 * import { mnemoMiddleware } from "mnemo-memory/ai-sdk";
 * const mnemo = await Mnemo.open({ path: "memory.db" });
 * const model = wrapLanguageModel({ model: yourModel, middleware: mnemoMiddleware({ mnemo, userId: "alice" }) });
 * const { text } = await generateText({ model, prompt: "Where do I live?" });
 * ```
 */
import { tool, type LanguageModelMiddleware, type ToolSet } from "ai";
import { z } from "zod";
import type { MessageInput, RecallResponse, RememberResult } from "../core/types.js";
import type { RecallOptions } from "../recall/recall.js";

type CallOptions = Parameters<NonNullable<LanguageModelMiddleware["transformParams"]>>[0]["params"];
type PromptMessage = CallOptions["prompt"][number];
type GenerateResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware["wrapGenerate"]>>>;
type StreamResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware["wrapStream"]>>>;
type StreamPart = StreamResult["stream"] extends ReadableStream<infer P> ? P : never;

/**
 * What the integrations need from a memory: `Mnemo` fits (and so does any object with the
 * same two methods, e.g. a wrapper around the HTTP client).
 *
 * @example
 * ```ts
 * const memory: MemoryLike = await Mnemo.open({ path: "memory.db" });
 * ```
 */
export interface MemoryLike {
  recall(query: string, options: RecallOptions): Promise<RecallResponse>;
  remember(messages: MessageInput[], scope: { userId: string; tenant?: string | undefined; sessionId?: string | undefined; agentId?: string | undefined }): Promise<RememberResult>;
}

/**
 * Options of {@link mnemoMiddleware}.
 *
 * @example
 * ```ts
 * const o: MnemoMiddlewareOptions = { mnemo, userId: "alice", budgetTokens: 400, store: "user", async: true };
 * ```
 */
export interface MnemoMiddlewareOptions {
  /** The memory (a `Mnemo`). */
  mnemo: MemoryLike;
  /**
   * The user whose memory is used, or a function of the call. A call can also override it
   * with `providerOptions: { mnemo: { userId: "bob" } }`.
   */
  userId: string | ((params: CallOptions) => string);
  /** Tenant (default the Mnemo's). */
  tenant?: string | undefined;
  /** Session id given to `remember` (default none). */
  sessionId?: string | undefined;
  /** Agent id given to `remember` and `recall` (default none). */
  agentId?: string | undefined;
  /** Token budget of the injected context (default 500). */
  budgetTokens?: number | undefined;
  /** More recall options (kinds, asOf, citeSources, …). */
  recall?: Omit<RecallOptions, "userId" | "tenant" | "budgetTokens"> | undefined;
  /** Skip recall (only remember). Default false. */
  recallDisabled?: boolean | undefined;
  /** What to remember after generation: the user message and the reply (default), only the user message, or nothing. */
  store?: "exchange" | "user" | "none" | undefined;
  /** Remember in the background instead of before the call returns (default false); errors go to `onError`. */
  async?: boolean | undefined;
  /** Speaker names stored for the two sides (default "user" and "assistant"). */
  speakers?: { user?: string | undefined; assistant?: string | undefined } | undefined;
  /** Turns the recalled context into the system message (default: a short header + the context). */
  formatContext?: ((context: string, recall: RecallResponse) => string) | undefined;
  /** Called with errors of background remembering (default: console.warn). Recall/remember errors in the foreground are thrown. */
  onError?: ((error: unknown) => void) | undefined;
}

const DEFAULT_HEADER = "Relevant long-term memory about the user (from earlier conversations; each line is dated, newest facts win):";

function textOf(m: PromptMessage): string {
  if (m.role === "system") return m.content;
  return m.content.map((p) => (p.type === "text" ? p.text : "")).filter((t) => t.length > 0).join("\n");
}

/**
 * The text of the last user message of an AI SDK prompt, or null.
 *
 * @example
 * ```ts
 * lastUserText([{ role: "user", content: [{ type: "text", text: "Hi" }] }]); // "Hi"
 * ```
 */
export function lastUserText(prompt: CallOptions["prompt"]): string | null {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const m = prompt[i]!;
    if (m.role === "user") {
      const t = textOf(m).trim();
      return t.length > 0 ? t : null;
    }
  }
  return null;
}

function userIdOf(o: MnemoMiddlewareOptions, params: CallOptions): string {
  const override = (params.providerOptions?.mnemo as { userId?: unknown } | undefined)?.userId;
  if (typeof override === "string" && override.length > 0) return override;
  return typeof o.userId === "function" ? o.userId(params) : o.userId;
}

function inject(prompt: CallOptions["prompt"], system: string): CallOptions["prompt"] {
  // After the leading system messages, so providers that want system first still get it.
  let at = 0;
  while (at < prompt.length && prompt[at]!.role === "system") at++;
  return [...prompt.slice(0, at), { role: "system", content: system }, ...prompt.slice(at)];
}

/**
 * A `wrapLanguageModel` middleware: before each call it recalls for the last user message and
 * injects the context as a system message; after it, it remembers the exchange (for both
 * `generateText` and `streamText`).
 *
 * @example
 * ```ts
 * import { wrapLanguageModel, streamText } from "ai";
 * const model = wrapLanguageModel({ model: openai("gpt-4o-mini"), middleware: mnemoMiddleware({ mnemo, userId: "alice", budgetTokens: 400 }) });
 * const result = streamText({ model, messages: [{ role: "user", content: "What should I cook tonight?" }] });
 * ```
 */
export function mnemoMiddleware(options: MnemoMiddlewareOptions): LanguageModelMiddleware {
  const budgetTokens = options.budgetTokens ?? 500;
  const what = options.store ?? "exchange";
  const onError = options.onError ?? ((e: unknown) => console.warn("mnemo: remembering failed:", e));

  const save = async (params: CallOptions, reply: string): Promise<void> => {
    if (what === "none") return;
    const userText = lastUserText(params.prompt);
    if (userText === null) return;
    const now = new Date();
    const messages: MessageInput[] = [{ speaker: options.speakers?.user ?? "user", role: "user", content: userText, occurredAt: now }];
    if (what === "exchange" && reply.trim().length > 0) messages.push({ speaker: options.speakers?.assistant ?? "assistant", role: "assistant", content: reply, occurredAt: new Date(now.getTime() + 1) });
    const job = options.mnemo.remember(messages, { userId: userIdOf(options, params), tenant: options.tenant, sessionId: options.sessionId, agentId: options.agentId });
    if (options.async) job.then(() => undefined, onError);
    else await job;
  };

  return {
    specificationVersion: "v3",
    async transformParams({ params }) {
      if (options.recallDisabled) return params;
      const query = lastUserText(params.prompt);
      if (query === null) return params;
      const r = await options.mnemo.recall(query, { ...options.recall, userId: userIdOf(options, params), tenant: options.tenant, agentId: options.recall?.agentId ?? options.agentId, budgetTokens });
      if (r.context.trim().length === 0) return params;
      const system = options.formatContext ? options.formatContext(r.context, r) : `${DEFAULT_HEADER}\n${r.context}`;
      return { ...params, prompt: inject(params.prompt, system) };
    },
    async wrapGenerate({ doGenerate, params }): Promise<GenerateResult> {
      const result = await doGenerate();
      const reply = result.content.map((c) => (c.type === "text" ? c.text : "")).join("");
      await save(params, reply);
      return result;
    },
    async wrapStream({ doStream, params }): Promise<StreamResult> {
      const { stream, ...rest } = await doStream();
      let reply = "";
      const tap = new TransformStream<StreamPart, StreamPart>({
        transform(part, controller) {
          if (part.type === "text-delta") reply += part.delta;
          controller.enqueue(part);
        },
        async flush() {
          await save(params, reply);
        },
      });
      return { stream: stream.pipeThrough(tap), ...rest };
    },
  };
}

/**
 * Options of {@link mnemoTools}.
 *
 * @example
 * ```ts
 * const o: MnemoToolsOptions = { mnemo, userId: "alice", budgetTokens: 300 };
 * ```
 */
export interface MnemoToolsOptions {
  mnemo: MemoryLike;
  userId: string;
  tenant?: string | undefined;
  agentId?: string | undefined;
  /** Token budget of a `recall` tool answer (default 500). */
  budgetTokens?: number | undefined;
}

/**
 * AI SDK tools for tool-calling agents: `remember` (store a fact, preference or instruction the
 * user stated) and `recall` (look up what is known about the user).
 *
 * @example
 * ```ts
 * import { generateText, stepCountIs } from "ai";
 * const { text } = await generateText({ model, tools: mnemoTools({ mnemo, userId: "alice" }), stopWhen: stepCountIs(3), prompt: "Remember that I'm vegetarian." });
 * ```
 */
export function mnemoTools(options: MnemoToolsOptions): ToolSet {
  const scope = { userId: options.userId, tenant: options.tenant, agentId: options.agentId };
  return {
    remember: tool({
      description: "Save something about the user to long-term memory: a fact, preference, plan or instruction they stated. Write it as one self-contained sentence in the user's words.",
      inputSchema: z.object({ content: z.string().min(1).describe("What to remember, e.g. 'I am allergic to peanuts.'") }),
      execute: async ({ content }) => {
        const r = await options.mnemo.remember([{ speaker: "user", role: "user", content }], scope);
        return { stored: r.episodes.added + r.episodes.duplicates > 0, memoriesAdded: r.memories.added, memoriesUpdated: r.memories.updated };
      },
    }),
    recall: tool({
      description: "Look up what long-term memory knows about the user that answers a question. Returns dated lines of context.",
      inputSchema: z.object({ query: z.string().min(1).describe("The question, e.g. 'What food does the user avoid?'") }),
      execute: async ({ query }) => {
        const r = await options.mnemo.recall(query, { ...scope, budgetTokens: options.budgetTokens ?? 500 });
        return { context: r.context, results: r.results.length };
      },
    }),
  };
}
