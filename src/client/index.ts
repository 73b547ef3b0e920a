/**
 * A typed client for the Mnemo HTTP API. It has no runtime dependencies besides `fetch`.
 */
import type { MemoryKind } from "../core/types.js";
import type {
  ApiMemory,
  ApiMemoryVersion,
  Counts,
  MemoryList,
  PatchMemoryRequest,
  RecallApiResponse,
  RecallRequest,
  RememberRequest,
  RememberResponse,
} from "../server/types.js";

export type { ApiMemory, ApiMemoryVersion, Counts, MemoryList, PatchMemoryRequest, RecallApiResponse, RecallRequest, RememberRequest, RememberResponse };

/**
 * The `fetch` signature the client needs (global fetch, undici, or `app.request`).
 *
 * @example
 * ```ts
 * const viaApp: FetchLike = (url, init) => Promise.resolve(app.request(url, init));
 * ```
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * Options of {@link MnemoClient}.
 *
 * @example
 * ```ts
 * const o: MnemoClientOptions = { baseUrl: "http://127.0.0.1:8080", apiKey: process.env.MNEMO_KEY, retries: 5 };
 * ```
 */
export interface MnemoClientOptions {
  /** Server URL, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** An API key from `mnemo keys create`; omit for a --no-auth server. */
  apiKey?: string | undefined;
  /** A fetch implementation (default: global fetch). */
  fetch?: FetchLike | undefined;
  /** Retries on network errors, 429, 503 and in-flight 409 (default 3). Writes carry an Idempotency-Key, so retries are safe. */
  retries?: number | undefined;
  /** Per-attempt timeout in ms (default 30 s). */
  timeoutMs?: number | undefined;
  /** Largest wait between retries in ms (default 5 s). */
  maxBackoffMs?: number | undefined;
}

/**
 * A failed API call, with the server's error code, message and hint (same shape as the
 * core's MnemoError). Network failures have code `NETWORK_ERROR` and status 0.
 *
 * @example
 * ```ts
 * try { await client.getMemory("mem_x"); }
 * catch (e) { if (e instanceof MnemoClientError && e.code === "NOT_FOUND") console.log(e.hint); }
 * ```
 */
export class MnemoClientError extends Error {
  readonly code: string;
  readonly status: number;
  readonly hint: string;
  readonly requestId: string | null;
  /** Seconds from Retry-After, when the server sent one. */
  readonly retryAfter: number | null;

  constructor(init: { code: string; status: number; message: string; hint?: string; requestId?: string | null; retryAfter?: number | null; cause?: unknown }) {
    super(init.message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = "MnemoClientError";
    this.code = init.code;
    this.status = init.status;
    this.hint = init.hint ?? "";
    this.requestId = init.requestId ?? null;
    this.retryAfter = init.retryAfter ?? null;
  }

  /** The `{ code, message, hint }` shape. */
  toJSON(): { code: string; message: string; hint: string } {
    return { code: this.code, message: this.message, hint: this.hint };
  }
}

interface CallOptions {
  query?: Record<string, string | undefined> | undefined;
  body?: string | undefined;
  contentType?: string | undefined;
  idempotencyKey?: string | undefined;
  raw?: boolean | undefined;
}

function newKey(): string {
  return globalThis.crypto.randomUUID();
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Typed client of the HTTP API. Every write sends an Idempotency-Key (yours, or a random
 * one reused across its retries), so retrying after a timeout or a crash never applies a
 * write twice.
 *
 * @example
 * ```ts
 * const client = new MnemoClient({ baseUrl: "http://127.0.0.1:8080", apiKey: process.env.MNEMO_KEY });
 * await client.remember({ userId: "alice", messages: [{ role: "user", content: "I moved to Boston." }] });
 * const { context } = await client.recall({ userId: "alice", query: "Where does Alice live?" });
 * ```
 */
export class MnemoClient {
  private readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly fetchFn: FetchLike;
  private readonly retries: number;
  private readonly timeoutMs: number;
  private readonly maxBackoffMs: number;

  constructor(options: MnemoClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.apiKey = options.apiKey;
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.retries = Math.max(0, options.retries ?? 3);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
  }

  private async call(method: string, path: string, o: CallOptions = {}): Promise<Response> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) qs.set(k, v);
    const url = `${this.baseUrl}${path}${qs.size ? `?${qs}` : ""}`;
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    if (o.body !== undefined) headers["content-type"] = o.contentType ?? "application/json";
    if (o.idempotencyKey !== undefined) headers["idempotency-key"] = o.idempotencyKey;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.retries;
      const backoff = Math.min(this.maxBackoffMs, 100 * 2 ** attempt) * (0.5 + Math.random() / 2);
      let res: Response;
      try {
        res = await this.fetchFn(url, { method, headers, body: o.body, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (cause) {
        if (!last) {
          await sleep(backoff);
          continue;
        }
        throw new MnemoClientError({ code: "NETWORK_ERROR", status: 0, message: `${method} ${path} failed: ${(cause as Error).message}`, hint: "Check that the server is running and the URL is right.", cause });
      }
      if (res.ok) return res;
      const retryAfterHeader = res.headers.get("retry-after");
      const retryAfter = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null;
      const retryable = res.status === 429 || res.status === 502 || res.status === 503 || res.status === 504 || (res.status === 409 && retryAfter !== null);
      if (retryable && !last) {
        await res.body?.cancel().catch(() => undefined);
        await sleep(retryAfter !== null ? Math.min(this.maxBackoffMs, retryAfter * 1000) : backoff);
        continue;
      }
      throw await this.toError(res, retryAfter);
    }
  }

  private async toError(res: Response, retryAfter: number | null): Promise<MnemoClientError> {
    const requestId = res.headers.get("x-request-id");
    const text = await res.text().catch(() => "");
    try {
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; hint?: unknown } };
      const e = body.error;
      if (e && typeof e.code === "string") {
        return new MnemoClientError({ code: e.code, status: res.status, message: String(e.message ?? e.code), hint: typeof e.hint === "string" ? e.hint : "", requestId, retryAfter });
      }
    } catch {
      // Not our JSON error shape (a proxy?): fall through.
    }
    return new MnemoClientError({ code: `HTTP_${res.status}`, status: res.status, message: text.slice(0, 500) || res.statusText, requestId, retryAfter });
  }

  private async json<T>(method: string, path: string, o: CallOptions = {}): Promise<T> {
    const res = await this.call(method, path, o);
    return (await res.json()) as T;
  }

  /**
   * Stores messages; memories are distilled from them.
   *
   * @example
   * ```ts
   * await client.remember({ userId: "alice", messages: [{ id: "m1", role: "user", content: "I love hiking." }] });
   * ```
   */
  remember(input: RememberRequest, options: { idempotencyKey?: string } = {}): Promise<RememberResponse> {
    return this.json("POST", "/v1/remember", { body: JSON.stringify(input), idempotencyKey: options.idempotencyKey ?? newKey() });
  }

  /**
   * Recalls what answers a query, as a context string and ranked results.
   *
   * @example
   * ```ts
   * const { context } = await client.recall({ userId: "alice", query: "What does Alice like?", budgetTokens: 300 });
   * ```
   */
  recall(input: RecallRequest): Promise<RecallApiResponse> {
    return this.json("POST", "/v1/recall", { body: JSON.stringify(input) });
  }

  /**
   * Lists a user's memories, newest first; pass `nextCursor` back as `cursor`.
   *
   * @example
   * ```ts
   * const page = await client.listMemories({ userId: "alice", kind: ["fact", "preference"], limit: 20 });
   * ```
   */
  listMemories(q: { userId: string; kind?: MemoryKind | MemoryKind[] | undefined; cursor?: string | undefined; limit?: number | undefined; includeInvalidated?: boolean | undefined; includeForgotten?: boolean | undefined; agentId?: string | undefined }): Promise<MemoryList> {
    return this.json("GET", "/v1/memories", {
      query: {
        userId: q.userId,
        agentId: q.agentId,
        kind: q.kind === undefined ? undefined : Array.isArray(q.kind) ? q.kind.join(",") : q.kind,
        cursor: q.cursor,
        limit: q.limit === undefined ? undefined : String(q.limit),
        includeInvalidated: q.includeInvalidated === undefined ? undefined : String(q.includeInvalidated),
        includeForgotten: q.includeForgotten === undefined ? undefined : String(q.includeForgotten),
      },
    });
  }

  /**
   * One memory by id (NOT_FOUND when absent or in another tenant).
   *
   * @example
   * ```ts
   * const m = await client.getMemory("mem_3f…");
   * ```
   */
  getMemory(id: string, options: { userId?: string } = {}): Promise<ApiMemory> {
    return this.json("GET", `/v1/memories/${encodeURIComponent(id)}`, { query: { userId: options.userId } });
  }

  /**
   * Every version of a memory, oldest first.
   *
   * @example
   * ```ts
   * const versions = await client.history("mem_3f…");
   * ```
   */
  async history(id: string, options: { userId?: string } = {}): Promise<ApiMemoryVersion[]> {
    const r = await this.json<{ items: ApiMemoryVersion[] }>("GET", `/v1/memories/${encodeURIComponent(id)}/history`, { query: { userId: options.userId } });
    return r.items;
  }

  /**
   * Edits a memory (the old version stays in history). A key without the read scope gets
   * only `{id, userId, version, forgottenAt}` back.
   *
   * @example
   * ```ts
   * await client.updateMemory("mem_3f…", { text: "Alice lives in Boston.", importance: 0.9 });
   * ```
   */
  updateMemory(id: string, patch: PatchMemoryRequest, options: { userId?: string; idempotencyKey?: string } = {}): Promise<ApiMemory> {
    return this.json("PATCH", `/v1/memories/${encodeURIComponent(id)}`, { query: { userId: options.userId }, body: JSON.stringify(patch), idempotencyKey: options.idempotencyKey ?? newKey() });
  }

  /**
   * Forgets a memory (never recalled again, nor the messages it came from; kept in history).
   * A key without the read scope gets only `{id, userId, version, forgottenAt}` back.
   *
   * @example
   * ```ts
   * await client.forget("mem_3f…");
   * ```
   */
  forget(id: string, options: { userId?: string; idempotencyKey?: string } = {}): Promise<ApiMemory> {
    return this.json("DELETE", `/v1/memories/${encodeURIComponent(id)}`, { query: { userId: options.userId }, idempotencyKey: options.idempotencyKey ?? newKey() });
  }

  /**
   * Adds a fact, preference or instruction directly (no conversation); idempotent per `key`.
   *
   * @example
   * ```ts
   * const { memory } = await client.addMemory({ userId: "alice", kind: "preference", text: "Alice prefers window seats." });
   * ```
   */
  addMemory(input: { userId: string; agentId?: string; kind: "fact" | "preference" | "instruction" | "event" | "profile"; text: string; key?: string; subject?: string | null; importance?: number; validFrom?: string | null; expiresAt?: string | null; occurredAt?: string; metadata?: Record<string, unknown> }, options: { idempotencyKey?: string } = {}): Promise<{ memory: ApiMemory; created: boolean; changed: boolean }> {
    return this.json("POST", "/v1/memories", { body: JSON.stringify(input), idempotencyKey: options.idempotencyKey ?? newKey() });
  }

  /**
   * Undoes a forget: the memory is recalled again.
   *
   * @example
   * ```ts
   * await client.forget("mem_3f…"); await client.restore("mem_3f…");
   * ```
   */
  restore(id: string, options: { userId?: string; idempotencyKey?: string } = {}): Promise<ApiMemory> {
    return this.json("POST", `/v1/memories/${encodeURIComponent(id)}/restore`, { query: { userId: options.userId }, idempotencyKey: options.idempotencyKey ?? newKey() });
  }

  /**
   * Deletes one message of a user (by episode id or your own message id): never recalled
   * or exported again; memories that came only from it are deleted with it.
   *
   * @example
   * ```ts
   * await client.deleteEpisode("msg-42", { userId: "alice" });
   * ```
   */
  deleteEpisode(id: string, options: { userId: string; idempotencyKey?: string }): Promise<{ id: string; memoriesDeleted: number; memoriesUpdated: number }> {
    return this.json("DELETE", `/v1/episodes/${encodeURIComponent(id)}`, { query: { userId: options.userId }, idempotencyKey: options.idempotencyKey ?? newKey() });
  }

  /**
   * Erases a user and everything derived from them (needs the admin scope).
   *
   * @example
   * ```ts
   * await client.eraseUser("alice");
   * ```
   */
  eraseUser(userId: string, options: { idempotencyKey?: string } = {}): Promise<Counts> {
    return this.json("DELETE", `/v1/users/${encodeURIComponent(userId)}`, { idempotencyKey: options.idempotencyKey ?? newKey() });
  }

  /**
   * Exports a user as JSONL text.
   *
   * @example
   * ```ts
   * fs.writeFileSync("alice.jsonl", await client.exportUser("alice"));
   * ```
   */
  async exportUser(userId: string): Promise<string> {
    const res = await this.call("GET", `/v1/users/${encodeURIComponent(userId)}/export`);
    return res.text();
  }

  /**
   * Imports JSONL made by {@link MnemoClient.exportUser} (optionally as another user).
   *
   * @example
   * ```ts
   * await client.importJsonl(fs.readFileSync("alice.jsonl", "utf8"));
   * ```
   */
  importJsonl(jsonl: string, options: { userId?: string; idempotencyKey?: string } = {}): Promise<Counts> {
    return this.json("POST", "/v1/import", { query: { userId: options.userId }, body: jsonl, contentType: "application/x-ndjson", idempotencyKey: options.idempotencyKey ?? newKey() });
  }

  /**
   * Liveness of the server.
   *
   * @example
   * ```ts
   * (await client.health()).status; // "ok"
   * ```
   */
  health(): Promise<{ status: string }> {
    return this.json("GET", "/healthz");
  }
}
