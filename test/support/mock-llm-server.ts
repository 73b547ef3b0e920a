/**
 * A real HTTP server (node:http on 127.0.0.1, random port) that speaks just enough
 * of the OpenAI and Anthropic APIs for tests and benchmarks:
 *
 * | route | api | default reply |
 * |---|---|---|
 * | `POST /v1/chat/completions` (or `/chat/completions`) | `"openai"` | `{"memories":[]}` as the assistant text |
 * | `POST /v1/messages` (or `/messages`) | `"anthropic"` | `{"memories":[]}` as one text block |
 * | `POST /v1/embeddings` (or `/embeddings`) | `"embeddings"` | deterministic vectors ({@link mockEmbedding}) |
 *
 * Every request is recorded in `requests`. Replies come, in order of precedence, from
 * the queue (`queue` option or `server.enqueue(...)`), then the `handler`, then the default.
 * A reply ({@link MockReply}) is either the model's text (wrapped in the API's response
 * shape), or a raw HTTP response, a delay, or a dropped connection.
 *
 * OpenAI-style clients take `${url}/v1` as base URL; Anthropic-style clients take `url`.
 *
 * @example
 * ```ts
 * const server = await startMockLLMServer({ queue: [{ status: 500, body: "boom" }, '{"memories":[]}'] });
 * const llm = openAICompatible({ baseUrl: `${server.url}/v1`, model: "m" });
 * await llm.complete([{ role: "user", content: "hi" }]); // retried once, then succeeds
 * expect(server.requests).toHaveLength(2);
 * await server.close();
 * ```
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Which API a request was made to.
 *
 * @example
 * ```ts
 * const anthropicCalls = server.requests.filter((r) => r.api === ("anthropic" satisfies MockApi));
 * ```
 */
export type MockApi = "openai" | "anthropic" | "embeddings";

/**
 * One recorded request.
 *
 * @example
 * ```ts
 * const body = server.requests[0]!.body as { messages: { role: string; content: string }[] };
 * ```
 */
export interface MockRequest {
  api: MockApi;
  method: string;
  path: string;
  /** Lower-cased header names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  rawBody: string;
  /** 0-based position among all requests to this server. */
  index: number;
}

/**
 * Token counts reported in a wrapped reply (OpenAI prompt/completion, Anthropic input/output).
 *
 * @example
 * ```ts
 * server.enqueue({ text: "hi", usage: { inputTokens: 5, outputTokens: 1 } satisfies MockUsage });
 * ```
 */
export interface MockUsage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * A reply:
 * - `string`: the model's text, wrapped in the API's success shape (for `"embeddings"`, ignored: default vectors);
 * - `{ text, usage?, delayMs? }`: the same with explicit usage and/or a delay;
 * - `{ status, body?, headers?, delayMs? }`: a raw HTTP response (`body` objects are JSON-encoded);
 * - `{ json, delayMs? }`: a 200 response with this exact JSON body;
 * - `{ drop: true }`: destroy the socket without answering (a network error).
 *
 * @example
 * ```ts
 * server.enqueue({ status: 429, body: "slow down", headers: { "retry-after": "1" } }, { drop: true }, "ok");
 * ```
 */
export type MockReply =
  | string
  | { text: string; usage?: MockUsage; delayMs?: number }
  | { status: number; body?: string | object; headers?: Record<string, string>; delayMs?: number }
  | { json: unknown; delayMs?: number }
  | { drop: true };

/**
 * Computes the reply for a request; `undefined` falls back to the default.
 *
 * @example
 * ```ts
 * const handler: MockHandler = (req) => (req.api === "openai" ? '{"memories":[]}' : undefined);
 * ```
 */
export type MockHandler = (req: MockRequest) => MockReply | undefined | Promise<MockReply | undefined>;

/**
 * Options of {@link startMockLLMServer}.
 *
 * @example
 * ```ts
 * await startMockLLMServer({ embeddingDim: 384, usage: { inputTokens: 100, outputTokens: 20 } });
 * ```
 */
export interface MockServerOptions {
  handler?: MockHandler;
  /** Replies used first, one per request, in order (any API). */
  queue?: MockReply[];
  /** Dimension of default embeddings (default 8); a request's `dimensions` field wins. */
  embeddingDim?: number;
  /** Usage reported when a reply does not give one (default 11 in, 7 out). */
  usage?: MockUsage;
}

/**
 * A running mock server.
 *
 * @example
 * ```ts
 * const server: MockLLMServer = await startMockLLMServer(); await server.close();
 * ```
 */
export interface MockLLMServer {
  /** `http://127.0.0.1:<port>` (no trailing slash, no `/v1`). */
  url: string;
  /** Every request received so far, in order (live array). */
  requests: MockRequest[];
  /** Appends replies to the queue. */
  enqueue(...replies: MockReply[]): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/**
 * The text of the default chat reply.
 *
 * @example
 * ```ts
 * expect((await llm.complete([{ role: "user", content: "x" }])).text).toBe(DEFAULT_MOCK_TEXT);
 * ```
 */
export const DEFAULT_MOCK_TEXT = '{"memories":[]}';

/**
 * A deterministic unit vector for `text` (SHA-256 based), the default embedding of the server.
 *
 * @example
 * ```ts
 * const v = mockEmbedding("hello", 8); // same 8 numbers on every run
 * ```
 */
export function mockEmbedding(text: string, dim = 8): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < dim; block++) {
    const h = createHash("sha256").update(`${block}:${text}`).digest();
    for (let i = 0; i + 4 <= h.length && out.length < dim; i += 4) out.push(h.readInt32LE(i) / 2 ** 31);
  }
  const norm = Math.sqrt(out.reduce((s, x) => s + x * x, 0)) || 1;
  return out.map((x) => x / norm);
}

/**
 * Starts a mock server; see the module comment for routes and replies.
 *
 * @example
 * ```ts
 * const server = await startMockLLMServer({ handler: (req) => (req.api === "anthropic" ? "hello" : undefined) });
 * ```
 */
export async function startMockLLMServer(options: MockServerOptions = {}): Promise<MockLLMServer> {
  const requests: MockRequest[] = [];
  const queue: MockReply[] = [...(options.queue ?? [])];
  const defaultUsage = options.usage ?? { inputTokens: 11, outputTokens: 7 };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const rawBody = Buffer.concat(chunks).toString("utf8");
        const path = (req.url ?? "/").split("?")[0] ?? "/";
        const api = routeOf(req.method ?? "GET", path);
        if (api === null) {
          send(res, 404, JSON.stringify({ error: { message: `mock: no route for ${req.method} ${path}` } }));
          return;
        }
        let body: unknown = rawBody;
        try {
          body = JSON.parse(rawBody) as unknown;
        } catch {
          // keep the raw text
        }
        const record: MockRequest = { api, method: req.method ?? "POST", path, headers: req.headers, body, rawBody, index: requests.length };
        requests.push(record);
        let reply: MockReply | undefined = queue.shift();
        try {
          if (reply === undefined && options.handler) reply = await options.handler(record);
        } catch (err) {
          reply = { status: 500, body: { error: { message: `mock handler threw: ${String(err)}` } } };
        }
        await respond(res, record, reply, options.embeddingDim ?? 8, defaultUsage);
      })();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function routeOf(method: string, path: string): MockApi | null {
  if (method !== "POST") return null;
  const p = path.replace(/\/+$/, "").replace(/^\/v1(?=\/)/, "");
  if (p === "/chat/completions") return "openai";
  if (p === "/messages") return "anthropic";
  if (p === "/embeddings") return "embeddings";
  return null;
}

async function respond(res: ServerResponse, req: MockRequest, reply: MockReply | undefined, dim: number, usage: MockUsage): Promise<void> {
  if (reply !== undefined && typeof reply === "object" && "drop" in reply) {
    res.socket?.destroy();
    return;
  }
  const delayMs = reply !== undefined && typeof reply === "object" && "delayMs" in reply ? (reply.delayMs ?? 0) : 0;
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  if (res.destroyed || res.writableEnded) return; // the client gave up (timeout)

  if (reply !== undefined && typeof reply === "object" && "status" in reply) {
    const body = reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    send(res, reply.status, body, reply.headers);
    return;
  }
  if (reply !== undefined && typeof reply === "object" && "json" in reply) {
    send(res, 200, JSON.stringify(reply.json));
    return;
  }
  const text = reply === undefined ? DEFAULT_MOCK_TEXT : typeof reply === "string" ? reply : reply.text;
  const u = reply !== undefined && typeof reply === "object" && "usage" in reply && reply.usage ? reply.usage : usage;
  send(res, 200, JSON.stringify(successBody(req, text, u, dim)));
}

function successBody(req: MockRequest, text: string, usage: MockUsage, dim: number): unknown {
  const body = typeof req.body === "object" && req.body !== null ? (req.body as Record<string, unknown>) : {};
  const model = typeof body["model"] === "string" ? body["model"] : "mock-model";
  if (req.api === "openai") {
    return {
      id: `chatcmpl-mock-${req.index}`,
      object: "chat.completion",
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
      usage: { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens },
    };
  }
  if (req.api === "anthropic") {
    return {
      id: `msg_mock_${req.index}`,
      type: "message",
      role: "assistant",
      model,
      content: [{ type: "text", text }],
      stop_reason: "end_turn",
      usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
    };
  }
  const input = body["input"];
  const texts = Array.isArray(input) ? input.map((x) => (typeof x === "string" ? x : JSON.stringify(x))) : [typeof input === "string" ? input : ""];
  const d = typeof body["dimensions"] === "number" && body["dimensions"] > 0 ? body["dimensions"] : dim;
  const tokens = texts.reduce((s, t) => s + Math.max(1, Math.ceil(t.length / 4)), 0);
  return {
    object: "list",
    data: texts.map((t, index) => ({ object: "embedding", index, embedding: mockEmbedding(t, d) })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}

/**
 * Alias of {@link startMockLLMServer}.
 *
 * @example
 * ```ts
 * const { url, requests, close } = await start();
 * ```
 */
export const start = startMockLLMServer;
