import { MnemoError } from "../../core/errors.js";
import { normalize, type Embedder } from "./types.js";

/**
 * Options of {@link OpenAIEmbedder}.
 *
 * @example
 * ```ts
 * const options: OpenAIEmbedderOptions = { model: "text-embedding-3-small", apiKey: process.env.OPENAI_API_KEY };
 * ```
 */
export interface OpenAIEmbedderOptions {
  /** API root without the trailing `/embeddings`. Default `https://api.openai.com/v1`. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer <apiKey>` when given (local servers usually need none). */
  apiKey?: string;
  /** Model name sent with every request. */
  model: string;
  /** Declared dimension, sent as `dimensions`; every response must match it. Learnt from the first response when omitted. */
  dim?: number;
  /** Texts per request. Default 128. */
  batchSize?: number;
  /** Timeout of one HTTP attempt in milliseconds. Default 60,000. */
  timeoutMs?: number;
  /** Retries after a 429, a 5xx, a timeout or a network error. Default 3. */
  maxRetries?: number;
  /** First backoff delay in milliseconds; doubled on each retry (with jitter, capped at 30 s). Default 500. */
  retryBaseMs?: number;
}

const DEFAULT_BASE_URL = "https://api.openai.com/v1";
const MAX_BACKOFF_MS = 30_000;
const PROBE_TEXT = "dimension probe";

/** The parts of an OpenAI embeddings response that are used. */
interface EmbeddingsResponse {
  data: Array<{ index: number; embedding: number[] }>;
}

/** A retryable failure of one attempt (429, 5xx, timeout, network). */
class RetryableError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly body: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, " ").trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function hintFor(status: number): string {
  if (status === 401 || status === 403) return "Check the API key (OPENAI_API_KEY or MNEMO_EMBED_API_KEY) and that it may use this model.";
  if (status === 404) return "Check the base URL (it should end in /v1 for most servers) and the embedding model name.";
  if (status === 400) return "Check the model name and, when set, the declared dimension (some models do not accept `dimensions`).";
  return "Check the provider's base URL, API key and model name; local servers must be running.";
}

function isEmbeddingsResponse(value: unknown): value is EmbeddingsResponse {
  if (typeof value !== "object" || value === null) return false;
  const data = (value as { data?: unknown }).data;
  if (!Array.isArray(data)) return false;
  return data.every((item: unknown) => {
    if (typeof item !== "object" || item === null) return false;
    const { index, embedding } = item as { index?: unknown; embedding?: unknown };
    return typeof index === "number" && Array.isArray(embedding) && embedding.every((x: unknown) => typeof x === "number" && Number.isFinite(x));
  });
}

/**
 * Embeds texts with any OpenAI-compatible `/embeddings` endpoint: OpenAI,
 * Azure-style proxies, Ollama, LM Studio, vLLM, text-embeddings-inference…
 * Batches requests (`batchSize`, sequentially), restores input order from each
 * item's `index`, L2-normalises, checks that every vector has the same
 * dimension, and retries 429/5xx/timeouts/network errors with exponential
 * backoff (honouring `Retry-After`). Other non-2xx answers throw
 * `PROVIDER_ERROR` with the status and a snippet of the body.
 *
 * When no `dim` is declared, `dim` is **0 until the first response** has been
 * seen; call {@link OpenAIEmbedder.init} to learn it up front.
 *
 * @example
 * ```ts
 * const embedder = new OpenAIEmbedder({ model: "text-embedding-3-small", apiKey: process.env.OPENAI_API_KEY });
 * await embedder.init(); // embedder.dim === 1536
 * const [v] = await embedder.embed(["Melanie paints sunsets"]);
 * ```
 */
export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  readonly model: string;
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly declaredDim: number | undefined;
  private learntDim = 0;
  private readonly batchSize: number;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;

  constructor(options: OpenAIEmbedderOptions) {
    if (typeof options.model !== "string" || options.model.trim() === "") {
      throw new MnemoError("INVALID_CONFIG", "The embedding model name is empty.", { hint: "Pass a model such as 'text-embedding-3-small'." });
    }
    const intOption = (name: string, value: number | undefined, fallback: number, min: number): number => {
      const v = value ?? fallback;
      if (!Number.isInteger(v) || v < min) throw new MnemoError("INVALID_CONFIG", `Embedder option ${name} must be an integer ≥ ${min}, got ${v}.`);
      return v;
    };
    this.model = options.model;
    this.id = `openai-compatible/${options.model}`;
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.apiKey = options.apiKey || undefined;
    this.declaredDim = options.dim === undefined ? undefined : intOption("dim", options.dim, 0, 1);
    this.batchSize = intOption("batchSize", options.batchSize, 128, 1);
    this.timeoutMs = intOption("timeoutMs", options.timeoutMs, 60_000, 1);
    this.maxRetries = intOption("maxRetries", options.maxRetries, 3, 0);
    this.retryBaseMs = intOption("retryBaseMs", options.retryBaseMs, 500, 0);
  }

  /** The vector dimension: the declared one, else the one learnt from the first response, else 0. */
  get dim(): number {
    return this.declaredDim ?? this.learntDim;
  }

  /**
   * Makes sure {@link OpenAIEmbedder.dim} is known: when no dimension was
   * declared and none has been learnt yet, embeds a short probe string. Also a
   * cheap check that the URL, key and model work.
   *
   * @example
   * ```ts
   * const e = new OpenAIEmbedder({ baseUrl: "http://localhost:11434/v1", model: "nomic-embed-text" });
   * await e.init();
   * console.log(e.dim); // 768
   * ```
   */
  async init(): Promise<void> {
    if (this.dim > 0) return;
    await this.embed([PROBE_TEXT]);
  }

  /**
   * Embeds texts, in input order. An empty list returns `[]` without a request;
   * empty strings are sent as a single space (OpenAI rejects empty inputs).
   *
   * @example
   * ```ts
   * const vectors = await embedder.embed(["first text", "second text"]);
   * ```
   */
  async embed(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const batch = texts.slice(start, start + this.batchSize).map((t) => (t === "" ? " " : t));
      out.push(...(await this.embedBatch(batch)));
    }
    return out;
  }

  private async embedBatch(input: string[]): Promise<Float32Array[]> {
    const response = await this.request(input);
    if (response.data.length !== input.length) {
      throw new MnemoError("PROVIDER_ERROR", `The embeddings response has ${response.data.length} items for ${input.length} inputs.`, {
        details: { url: `${this.baseUrl}/embeddings`, expected: input.length, actual: response.data.length },
      });
    }
    const sorted = [...response.data].sort((a, b) => a.index - b.index);
    const vectors: Float32Array[] = [];
    for (let i = 0; i < sorted.length; i++) {
      const item = sorted[i]!;
      if (item.index !== i) {
        throw new MnemoError("PROVIDER_ERROR", `The embeddings response has a missing or repeated index (expected ${i}, got ${item.index}).`);
      }
      vectors.push(normalize(Float32Array.from(item.embedding)));
    }
    this.checkDims(vectors);
    return vectors;
  }

  private checkDims(vectors: Float32Array[]): void {
    const first = vectors[0]?.length ?? 0;
    const expected = this.dim > 0 ? this.dim : first;
    for (const v of vectors) {
      if (v.length !== expected || v.length === 0) {
        const declared = this.declaredDim !== undefined ? "declared" : "learnt";
        throw new MnemoError(
          "EMBEDDER_MISMATCH",
          `Embedder ${this.id} returned a ${v.length}-dimensional vector; expected ${expected} (${this.dim > 0 ? declared : "first vector of the response"}).`,
          {
            hint: "Declare the model's real dimension (or omit it), and keep one model per store; run `mnemo reembed` after switching models.",
            details: { expected, actual: v.length, embedder: this.id },
          },
        );
      }
    }
    if (this.dim === 0) this.learntDim = expected;
  }

  /** POSTs one batch, retrying transient failures. */
  private async request(input: string[]): Promise<EmbeddingsResponse> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(input);
      } catch (e) {
        if (!(e instanceof RetryableError)) throw e;
        if (attempt >= this.maxRetries) {
          const status = e.status === undefined ? "" : ` (HTTP ${e.status})`;
          throw new MnemoError("PROVIDER_ERROR", `POST ${this.baseUrl}/embeddings failed after ${attempt + 1} attempts${status}: ${e.message}`, {
            hint: e.status === undefined ? "Check that the embedding server is running and reachable at the base URL." : hintFor(e.status),
            details: { url: `${this.baseUrl}/embeddings`, status: e.status, body: e.body, attempts: attempt + 1 },
            cause: e,
          });
        }
        const backoff = Math.min(MAX_BACKOFF_MS, this.retryBaseMs * 2 ** attempt * (0.75 + Math.random() * 0.5));
        await sleep(Math.min(MAX_BACKOFF_MS, Math.max(backoff, e.retryAfterMs ?? 0)));
      }
    }
  }

  private async attempt(input: string[]): Promise<EmbeddingsResponse> {
    const url = `${this.baseUrl}/embeddings`;
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    const body: { model: string; input: string[]; dimensions?: number } = { model: this.model, input };
    if (this.declaredDim !== undefined) body.dimensions = this.declaredDim;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs) });
      text = await res.text();
    } catch (e) {
      const reason = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError") ? `timed out after ${this.timeoutMs} ms` : describe(e);
      throw new RetryableError(reason, undefined, "", undefined);
    }
    if (res.status === 429 || res.status >= 500) {
      throw new RetryableError(`HTTP ${res.status}: ${snippet(text)}`, res.status, snippet(text), parseRetryAfter(res.headers.get("retry-after")));
    }
    if (!res.ok) {
      throw new MnemoError("PROVIDER_ERROR", `POST ${url} returned HTTP ${res.status}: ${snippet(text)}`, {
        hint: hintFor(res.status),
        details: { url, status: res.status, body: snippet(text) },
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new MnemoError("PROVIDER_ERROR", `POST ${url} returned a body that is not JSON: ${snippet(text)}`, { details: { url, status: res.status }, cause: e });
    }
    if (!isEmbeddingsResponse(parsed)) {
      throw new MnemoError("PROVIDER_ERROR", `POST ${url} returned JSON without a valid data[].embedding list: ${snippet(text)}`, {
        hint: "The server must implement the OpenAI embeddings API ({ data: [{ index, embedding: number[] }] }).",
        details: { url, status: res.status },
      });
    }
    return parsed;
  }
}

/** A short description of a network error, including the cause's code (ECONNREFUSED…). */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return `${e.message}: ${typeof code === "string" ? `${code} ` : ""}${cause.message}`;
  }
  return e.message;
}
