/**
 * The small HTTP helper shared by the chat providers: POST a JSON body, retry
 * 429 / 5xx / network errors with short exponential backoff (honouring
 * `Retry-After`, capped), time out each attempt with `AbortSignal.timeout`,
 * and turn every failure into `MnemoError("PROVIDER_ERROR")`.
 */
import { MnemoError } from "../../core/errors.js";

/**
 * Default per-attempt timeout of the chat providers (local models can be slow).
 *
 * @example
 * ```ts
 * openAICompatible({ model: "llama3.1", timeoutMs: DEFAULT_TIMEOUT_MS * 2 });
 * ```
 */
export const DEFAULT_TIMEOUT_MS = 120_000;
/**
 * Default number of retries after the first attempt.
 *
 * @example
 * ```ts
 * anthropic({ model: "claude-3-5-haiku-latest", maxRetries: DEFAULT_MAX_RETRIES + 1 });
 * ```
 */
export const DEFAULT_MAX_RETRIES = 2;
/**
 * The longest `Retry-After` that is honoured; longer waits are cut to this.
 *
 * @example
 * ```ts
 * retryAfterMs(new Headers({ "retry-after": "3600" })) === MAX_RETRY_AFTER_MS; // true
 * ```
 */
export const MAX_RETRY_AFTER_MS = 20_000;

const BASE_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5_000;
const SNIPPET_CHARS = 300;

/**
 * Options of {@link postJson}.
 *
 * @example
 * ```ts
 * const o: PostJsonOptions = { provider: "anthropic", url: "https://api.anthropic.com/v1/messages", headers: {}, body: {}, maxRetries: 0 };
 * ```
 */
export interface PostJsonOptions {
  /** Provider name used in error messages, e.g. "openai-compatible" or "anthropic". */
  provider: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** Per-attempt timeout in milliseconds. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt for 429, 5xx and network errors. */
  maxRetries?: number | undefined;
  /** The caller's signal; aborting it stops the request and any retry wait. */
  signal?: AbortSignal | undefined;
}

/**
 * Joins a base URL and a path, tolerating a trailing slash on the base.
 *
 * @example
 * ```ts
 * joinUrl("http://localhost:11434/v1/", "/chat/completions"); // "http://localhost:11434/v1/chat/completions"
 * ```
 */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/**
 * Parses a `Retry-After` (seconds or an HTTP date) or `retry-after-ms` header
 * into milliseconds, capped at {@link MAX_RETRY_AFTER_MS}; null when absent or unreadable.
 *
 * @example
 * ```ts
 * retryAfterMs(new Headers({ "retry-after": "2" })); // 2000
 * ```
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | null {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms))) {
    return clamp(Number(ms), 0, MAX_RETRY_AFTER_MS);
  }
  const ra = headers.get("retry-after");
  if (ra === null || ra.trim() === "") return null;
  const secs = Number(ra);
  if (Number.isFinite(secs)) return clamp(secs * 1000, 0, MAX_RETRY_AFTER_MS);
  const at = Date.parse(ra);
  if (Number.isNaN(at)) return null;
  return clamp(at - now, 0, MAX_RETRY_AFTER_MS);
}

/**
 * POSTs `body` as JSON and returns the parsed JSON response. Retries 429, 5xx and
 * network errors (not timeouts, not other 4xx) up to `maxRetries` times.
 *
 * @throws MnemoError("PROVIDER_ERROR") on a non-2xx status (message has the status
 * and a body snippet), a timeout, a network failure, an abort or a non-JSON body.
 * @example
 * ```ts
 * const json = await postJson({ provider: "openai-compatible", url: "http://localhost:11434/v1/chat/completions",
 *   headers: {}, body: { model: "llama3.1", messages: [{ role: "user", content: "hi" }] } });
 * ```
 */
export async function postJson(options: PostJsonOptions): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRetries = Math.max(0, Math.floor(options.maxRetries ?? DEFAULT_MAX_RETRIES));
  const payload = JSON.stringify(options.body);
  const where = `${options.provider} at ${options.url}`;

  for (let attempt = 0; ; attempt++) {
    const canRetry = attempt < maxRetries;
    throwIfAborted(options.signal, where);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;

    let response: Response;
    let text: string;
    try {
      response = await fetch(options.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", ...options.headers },
        body: payload,
        signal,
      });
      text = await response.text();
    } catch (err) {
      throwIfAborted(options.signal, where, err);
      if (timeout.aborted) {
        throw new MnemoError("PROVIDER_ERROR", `${where} timed out after ${timeoutMs} ms.`, {
          hint: "The model took too long; raise timeoutMs, use a smaller model, or check the server is not overloaded.",
          details: { provider: options.provider, url: options.url, timeoutMs },
          cause: err,
        });
      }
      if (canRetry) {
        await sleep(backoffMs(attempt), options.signal, where);
        continue;
      }
      throw new MnemoError("PROVIDER_ERROR", `${where} could not be reached: ${errorMessage(err)}.`, {
        details: { provider: options.provider, url: options.url, attempts: attempt + 1 },
        cause: err,
      });
    }

    if (!response.ok) {
      const retryable = response.status === 429 || response.status >= 500;
      if (retryable && canRetry) {
        await sleep(retryAfterMs(response.headers) ?? backoffMs(attempt), options.signal, where);
        continue;
      }
      const snippet = text.replace(/\s+/g, " ").trim().slice(0, SNIPPET_CHARS);
      const authHint =
        response.status === 401 || response.status === 403
          ? "The provider rejected the API key; check the key (OPENAI_API_KEY, ANTHROPIC_API_KEY or MNEMO_LLM_API_KEY)."
          : undefined;
      throw new MnemoError("PROVIDER_ERROR", `${where} returned HTTP ${response.status}: ${snippet || "(empty body)"}`, {
        ...(authHint !== undefined ? { hint: authHint } : {}),
        details: { provider: options.provider, url: options.url, status: response.status, body: snippet, attempts: attempt + 1 },
      });
    }

    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new MnemoError("PROVIDER_ERROR", `${where} returned a body that is not JSON: ${text.slice(0, SNIPPET_CHARS)}`, {
        details: { provider: options.provider, url: options.url, status: response.status },
        cause: err,
      });
    }
  }
}

/**
 * Throws `PROVIDER_ERROR` when a 2xx response carries an `{ error }` object, as some
 * OpenAI-compatible servers do.
 *
 * @example
 * ```ts
 * assertNoErrorBody("ollama", { error: { message: "model not found" } }); // throws
 * ```
 */
export function assertNoErrorBody(provider: string, json: unknown): void {
  if (!isRecord(json) || json["error"] === undefined || json["error"] === null) return;
  const e = json["error"];
  const msg = isRecord(e) && typeof e["message"] === "string" ? e["message"] : JSON.stringify(e);
  throw new MnemoError("PROVIDER_ERROR", `${provider} returned an error: ${msg.slice(0, SNIPPET_CHARS)}`, {
    details: { provider },
  });
}

/**
 * True for a plain object (not null, not an array).
 *
 * @example
 * ```ts
 * isRecord({ a: 1 }); // true
 * ```
 */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A non-negative integer from a token count field, 0 when absent or invalid.
 *
 * @example
 * ```ts
 * tokenCount(12); // 12
 * tokenCount(undefined); // 0
 * ```
 */
export function tokenCount(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}

function backoffMs(attempt: number): number {
  const base = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempt);
  return Math.round(base * (0.5 + Math.random() * 0.5));
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : "";
    return `${err.message}${cause}`;
  }
  return String(err);
}

function throwIfAborted(signal: AbortSignal | undefined, where: string, cause?: unknown): void {
  if (signal?.aborted) {
    throw new MnemoError("PROVIDER_ERROR", `The request to ${where} was aborted.`, {
      hint: "The caller cancelled the request.",
      cause: cause ?? signal.reason,
    });
  }
}

function sleep(ms: number, signal: AbortSignal | undefined, where: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new MnemoError("PROVIDER_ERROR", `The request to ${where} was aborted.`, { cause: signal.reason }));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new MnemoError("PROVIDER_ERROR", `The request to ${where} was aborted.`, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
