/**
 * One chat message sent to an {@link LLM}.
 *
 * @example
 * ```ts
 * const msgs: ChatMessage[] = [{ role: "system", content: "Answer briefly." }, { role: "user", content: "Where does Caroline live?" }];
 * ```
 */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/**
 * Options for one completion.
 *
 * @example
 * ```ts
 * const o: CompletionOptions = { temperature: 0, maxTokens: 512, json: true };
 * ```
 */
export interface CompletionOptions {
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  /** Ask the provider for a JSON object when it supports it. */
  json?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * What a completion returns.
 *
 * @example
 * ```ts
 * const c: Completion = { text: "Boston", usage: { inputTokens: 412, outputTokens: 3 } };
 * ```
 */
export interface Completion {
  text: string;
  usage: { inputTokens: number; outputTokens: number };
}

/**
 * A chat model. Implementations: OpenAI-compatible (`openai`, Ollama, vLLM, llama.cpp, LM Studio)
 * and Anthropic messages.
 *
 * @example
 * ```ts
 * const llm: LLM = openAICompatible({ baseUrl: "http://localhost:11434/v1", model: "llama3.1" });
 * const { text } = await llm.complete([{ role: "user", content: "Say hi" }]);
 * ```
 */
export interface LLM {
  /** "provider/model", stored with what the model produced. */
  readonly id: string;
  complete(messages: ChatMessage[], options?: CompletionOptions): Promise<Completion>;
}
