/**
 * Anthropic's Messages API (`POST /v1/messages`).
 */
import { MnemoError } from "../../core/errors.js";
import { assertNoErrorBody, isRecord, joinUrl, postJson, tokenCount } from "./http.js";
import type { ChatMessage, Completion, CompletionOptions, LLM } from "./types.js";

/**
 * The default base URL of {@link anthropic}.
 *
 * @example
 * ```ts
 * anthropic({ baseUrl: ANTHROPIC_DEFAULT_BASE_URL, apiKey: "sk-ant-...", model: "claude-3-5-haiku-latest" });
 * ```
 */
export const ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com";
/**
 * The default `anthropic-version` header.
 *
 * @example
 * ```ts
 * anthropic({ model: "claude-3-5-haiku-latest", version: ANTHROPIC_DEFAULT_VERSION });
 * ```
 */
export const ANTHROPIC_DEFAULT_VERSION = "2023-06-01";
/**
 * The default `max_tokens` (the Messages API requires one).
 *
 * @example
 * ```ts
 * await llm.complete(messages, { maxTokens: ANTHROPIC_DEFAULT_MAX_TOKENS * 2 });
 * ```
 */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/** Added to the system prompt when `complete` is called with `json: true` (the API has no JSON mode). */
const JSON_INSTRUCTION = "Respond with a single JSON object only, with no prose and no code fences.";

/**
 * Options of {@link anthropic}.
 *
 * @example
 * ```ts
 * const o: AnthropicOptions = { apiKey: "sk-ant-...", model: "claude-3-5-haiku-latest", maxRetries: 4 };
 * ```
 */
export interface AnthropicOptions {
  /** Base URL without `/v1`; default {@link ANTHROPIC_DEFAULT_BASE_URL}. A trailing slash is fine. */
  baseUrl?: string | undefined;
  /** Sent as `x-api-key`. */
  apiKey?: string | undefined;
  model: string;
  /** Per-attempt timeout in ms (default 120000). */
  timeoutMs?: number | undefined;
  /** Retries for 429, 5xx (incl. 529 overloaded) and network errors (default 2). */
  maxRetries?: number | undefined;
  /** The `anthropic-version` header (default {@link ANTHROPIC_DEFAULT_VERSION}). */
  version?: string | undefined;
}

/**
 * Creates an {@link LLM} on Anthropic's Messages API. System messages go to the
 * top-level `system` field; consecutive messages of the same role are merged, as
 * the API requires alternating turns; `text` joins all text blocks of the reply.
 *
 * @example
 * ```ts
 * const llm = anthropic({ apiKey: process.env.ANTHROPIC_API_KEY, model: "claude-3-5-haiku-latest" });
 * const { text } = await llm.complete([{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }]);
 * ```
 */
export function anthropic(options: AnthropicOptions): LLM {
  if (typeof options.model !== "string" || options.model.trim() === "") {
    throw new MnemoError("INVALID_CONFIG", "anthropic needs a model name.", {
      hint: "Pass { model: \"claude-3-5-haiku-latest\" } or a spec such as createLLM(\"anthropic/claude-3-5-haiku-latest\").",
    });
  }
  const url = joinUrl(options.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL, "v1/messages");
  const headers: Record<string, string> = { "anthropic-version": options.version ?? ANTHROPIC_DEFAULT_VERSION };
  if (options.apiKey) headers["x-api-key"] = options.apiKey;

  return {
    id: `anthropic/${options.model}`,
    async complete(messages: ChatMessage[], opts: CompletionOptions = {}): Promise<Completion> {
      const systemParts = messages.filter((m) => m.role === "system").map((m) => m.content);
      if (opts.json) systemParts.push(JSON_INSTRUCTION);
      let turns = mergeTurns(messages.filter((m) => m.role !== "system"));
      if (turns.length === 0) turns = [{ role: "user", content: systemParts.join("\n\n") || "." }];
      if (turns[0]?.role === "assistant") turns.unshift({ role: "user", content: "(continue)" });

      const body: Record<string, unknown> = {
        model: options.model,
        max_tokens: opts.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
        messages: turns,
      };
      if (systemParts.length > 0) body["system"] = systemParts.join("\n\n");
      if (opts.temperature !== undefined) body["temperature"] = opts.temperature;

      const json = await postJson({
        provider: "anthropic",
        url,
        headers,
        body,
        timeoutMs: options.timeoutMs,
        maxRetries: options.maxRetries,
        signal: opts.signal,
      });
      assertNoErrorBody("anthropic", json);
      return parseMessage(json);
    },
  };
}

function mergeTurns(messages: ChatMessage[]): { role: "user" | "assistant"; content: string }[] {
  const out: { role: "user" | "assistant"; content: string }[] = [];
  for (const m of messages) {
    const role = m.role === "assistant" ? "assistant" : "user";
    const last = out[out.length - 1];
    if (last && last.role === role) last.content = `${last.content}\n\n${m.content}`;
    else out.push({ role, content: m.content });
  }
  return out;
}

function parseMessage(json: unknown): Completion {
  const content = isRecord(json) ? json["content"] : undefined;
  if (!Array.isArray(content)) {
    throw new MnemoError("PROVIDER_ERROR", "anthropic returned a response without a content array.", {
      details: { provider: "anthropic", body: JSON.stringify(json).slice(0, 300) },
    });
  }
  const text = content
    .map((b: unknown) => (isRecord(b) && b["type"] === "text" && typeof b["text"] === "string" ? b["text"] : ""))
    .join("");
  const usage = isRecord(json) && isRecord(json["usage"]) ? json["usage"] : {};
  return { text, usage: { inputTokens: tokenCount(usage["input_tokens"]), outputTokens: tokenCount(usage["output_tokens"]) } };
}
