/**
 * OpenAI-compatible chat completions: OpenAI itself, Ollama, vLLM, llama.cpp's
 * server, LM Studio and any server speaking `POST /chat/completions`.
 */
import { MnemoError } from "../../core/errors.js";
import { assertNoErrorBody, isRecord, joinUrl, postJson, tokenCount } from "./http.js";
import type { ChatMessage, Completion, CompletionOptions, LLM } from "./types.js";

/**
 * The default base URL of {@link openAICompatible}.
 *
 * @example
 * ```ts
 * openAICompatible({ baseUrl: OPENAI_DEFAULT_BASE_URL, apiKey: "sk-...", model: "gpt-4o-mini" });
 * ```
 */
export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

/**
 * Options of {@link openAICompatible}.
 *
 * @example
 * ```ts
 * const o: OpenAICompatibleOptions = { baseUrl: "http://localhost:1234/v1", model: "qwen2.5-7b-instruct", timeoutMs: 300_000 };
 * ```
 */
export interface OpenAICompatibleOptions {
  /** Base URL up to and including `/v1`; default {@link OPENAI_DEFAULT_BASE_URL}. A trailing slash is fine. */
  baseUrl?: string | undefined;
  /** Sent as `Authorization: Bearer <apiKey>` when set. */
  apiKey?: string | undefined;
  model: string;
  /** Per-attempt timeout in ms (default 120000). */
  timeoutMs?: number | undefined;
  /** Extra headers sent with every request. */
  headers?: Record<string, string> | undefined;
  /** Retries for 429, 5xx and network errors (default 2). */
  maxRetries?: number | undefined;
  /** Provider name used in `id` and errors (default "openai-compatible"); `createLLM` sets "ollama", "vllm", .... */
  provider?: string | undefined;
}

/**
 * Creates an {@link LLM} that talks to an OpenAI-compatible `/chat/completions` endpoint.
 * `options.json` in `complete` sends `response_format: { type: "json_object" }`.
 *
 * @example
 * ```ts
 * const llm = openAICompatible({ baseUrl: "http://localhost:11434/v1", model: "llama3.1" });
 * const { text, usage } = await llm.complete([{ role: "user", content: "Say hi" }]);
 * ```
 */
export function openAICompatible(options: OpenAICompatibleOptions): LLM {
  if (typeof options.model !== "string" || options.model.trim() === "") {
    throw new MnemoError("INVALID_CONFIG", "openAICompatible needs a model name.", {
      hint: "Pass { model: \"gpt-4o-mini\" } or a spec such as createLLM(\"ollama/llama3.1\").",
    });
  }
  const provider = options.provider ?? "openai-compatible";
  const url = joinUrl(options.baseUrl ?? OPENAI_DEFAULT_BASE_URL, "chat/completions");
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.apiKey) headers["authorization"] = `Bearer ${options.apiKey}`;

  return {
    id: `${provider}/${options.model}`,
    async complete(messages: ChatMessage[], opts: CompletionOptions = {}): Promise<Completion> {
      const body: Record<string, unknown> = {
        model: options.model,
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        stream: false,
      };
      if (opts.temperature !== undefined) body["temperature"] = opts.temperature;
      if (opts.maxTokens !== undefined) body["max_tokens"] = opts.maxTokens;
      if (opts.json) body["response_format"] = { type: "json_object" };

      const json = await postJson({
        provider,
        url,
        headers,
        body,
        timeoutMs: options.timeoutMs,
        maxRetries: options.maxRetries,
        signal: opts.signal,
      });
      assertNoErrorBody(provider, json);
      return parseChatCompletion(provider, json);
    },
  };
}

function parseChatCompletion(provider: string, json: unknown): Completion {
  const choices = isRecord(json) ? json["choices"] : undefined;
  const first: unknown = Array.isArray(choices) ? choices[0] : undefined;
  const message = isRecord(first) ? first["message"] : undefined;
  if (!isRecord(message)) {
    throw new MnemoError("PROVIDER_ERROR", `${provider} returned a response without choices[0].message.`, {
      details: { provider, body: JSON.stringify(json).slice(0, 300) },
    });
  }
  const usage = isRecord(json) && isRecord(json["usage"]) ? json["usage"] : {};
  return {
    text: contentText(message["content"]),
    usage: { inputTokens: tokenCount(usage["prompt_tokens"]), outputTokens: tokenCount(usage["completion_tokens"]) },
  };
}

/** `content` is a string, null, or (on some servers) an array of `{ type: "text", text }` parts. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((p: unknown) => (typeof p === "string" ? p : isRecord(p) && typeof p["text"] === "string" ? p["text"] : ""))
      .join("");
  }
  return "";
}
