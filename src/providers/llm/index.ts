/**
 * Chat model providers and the `"provider/model"` spec parser.
 */
import { MnemoError } from "../../core/errors.js";
import { anthropic } from "./anthropic.js";
import { openAICompatible } from "./openai.js";
import type { LLM } from "./types.js";

/**
 * The provider interfaces, re-exported.
 *
 * @example
 * ```ts
 * const messages: ChatMessage[] = [{ role: "user", content: "Say hi" }];
 * ```
 */
export type { ChatMessage, Completion, CompletionOptions, LLM } from "./types.js";
export { openAICompatible, OPENAI_DEFAULT_BASE_URL, type OpenAICompatibleOptions } from "./openai.js";
export {
  anthropic,
  ANTHROPIC_DEFAULT_BASE_URL,
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  ANTHROPIC_DEFAULT_VERSION,
  type AnthropicOptions,
} from "./anthropic.js";
export { parseJsonLoose } from "./json.js";

/**
 * Default base URLs of the local OpenAI-compatible servers known to {@link createLLM}.
 *
 * @example
 * ```ts
 * LOCAL_BASE_URLS.ollama; // "http://localhost:11434/v1"
 * ```
 */
export const LOCAL_BASE_URLS: Readonly<Record<string, string>> = {
  ollama: "http://localhost:11434/v1",
  vllm: "http://localhost:8000/v1",
  lmstudio: "http://localhost:1234/v1",
  llamacpp: "http://localhost:8080/v1",
};

const ALIASES: Readonly<Record<string, string>> = {
  "llama.cpp": "llamacpp",
  "llama-cpp": "llamacpp",
  "lm-studio": "lmstudio",
  openai_compatible: "openai-compatible",
};

const PROVIDERS = ["openai", "anthropic", "openai-compatible", ...Object.keys(LOCAL_BASE_URLS)];

/**
 * Creates an {@link LLM} from a `"provider/model"` spec (the model part may itself
 * contain `/` or `:`):
 *
 * | spec | base URL | key |
 * |---|---|---|
 * | `openai/gpt-4o-mini` | `OPENAI_BASE_URL` or https://api.openai.com/v1 | `OPENAI_API_KEY` (required) |
 * | `anthropic/claude-…` | `ANTHROPIC_BASE_URL` or https://api.anthropic.com | `ANTHROPIC_API_KEY` (required) |
 * | `ollama/llama3.1` | http://localhost:11434/v1 | none |
 * | `vllm/…` | http://localhost:8000/v1 | none |
 * | `lmstudio/…` | http://localhost:1234/v1 | none |
 * | `llamacpp/…` | http://localhost:8080/v1 | none |
 * | `openai-compatible/<model>` | `MNEMO_LLM_BASE_URL` (required) | optional |
 *
 * `MNEMO_LLM_BASE_URL` and `MNEMO_LLM_API_KEY` override the base URL and key of any provider.
 * Empty variables count as unset.
 *
 * @param env Environment to read (default `process.env`).
 * @throws MnemoError("INVALID_CONFIG") for a malformed spec, an unknown provider or a missing key/base URL.
 * @example
 * ```ts
 * const llm = createLLM("ollama/llama3.1");
 * const gpt = createLLM("openai/gpt-4o-mini", { OPENAI_API_KEY: "sk-..." });
 * ```
 */
export function createLLM(spec: string, env: Record<string, string | undefined> = process.env): LLM {
  const slash = typeof spec === "string" ? spec.indexOf("/") : -1;
  const rawProvider = slash > 0 ? spec.slice(0, slash).trim().toLowerCase() : "";
  const model = slash > 0 ? spec.slice(slash + 1).trim() : "";
  if (rawProvider === "" || model === "") {
    throw new MnemoError("INVALID_CONFIG", `LLM spec ${JSON.stringify(spec)} is not "provider/model".`, {
      hint: `Use one of ${PROVIDERS.map((p) => `"${p}/<model>"`).join(", ")}, e.g. "ollama/llama3.1" or "openai/gpt-4o-mini".`,
    });
  }
  const provider = ALIASES[rawProvider] ?? rawProvider;
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const baseOverride = get("MNEMO_LLM_BASE_URL");
  const keyOverride = get("MNEMO_LLM_API_KEY");

  switch (provider) {
    case "openai": {
      const apiKey = keyOverride ?? get("OPENAI_API_KEY");
      if (apiKey === undefined) throw missingKey("openai", "OPENAI_API_KEY");
      const baseUrl = baseOverride ?? get("OPENAI_BASE_URL");
      return openAICompatible({ provider: "openai", model, apiKey, ...(baseUrl !== undefined ? { baseUrl } : {}) });
    }
    case "anthropic": {
      const apiKey = keyOverride ?? get("ANTHROPIC_API_KEY");
      if (apiKey === undefined) throw missingKey("anthropic", "ANTHROPIC_API_KEY");
      const baseUrl = baseOverride ?? get("ANTHROPIC_BASE_URL");
      return anthropic({ model, apiKey, ...(baseUrl !== undefined ? { baseUrl } : {}) });
    }
    case "openai-compatible": {
      if (baseOverride === undefined) {
        throw new MnemoError("INVALID_CONFIG", `LLM spec "${spec}" needs a base URL.`, {
          hint: "Set MNEMO_LLM_BASE_URL to the server's OpenAI-compatible base URL, e.g. http://localhost:8000/v1 (and MNEMO_LLM_API_KEY if it needs a key).",
        });
      }
      return openAICompatible({ model, baseUrl: baseOverride, apiKey: keyOverride });
    }
    default: {
      const localBase = LOCAL_BASE_URLS[provider];
      if (localBase === undefined) {
        throw new MnemoError("INVALID_CONFIG", `Unknown LLM provider "${rawProvider}" in spec "${spec}".`, {
          hint: `Known providers: ${PROVIDERS.join(", ")}. For any other OpenAI-compatible server use "openai-compatible/<model>" with MNEMO_LLM_BASE_URL.`,
        });
      }
      return openAICompatible({ provider, model, baseUrl: baseOverride ?? localBase, apiKey: keyOverride });
    }
  }
}

function missingKey(provider: string, envVar: string): MnemoError {
  return new MnemoError("INVALID_CONFIG", `The ${provider} provider needs an API key; ${envVar} is not set.`, {
    hint: `Set ${envVar} (or MNEMO_LLM_API_KEY) in the environment, or use a local model such as "ollama/llama3.1".`,
  });
}
