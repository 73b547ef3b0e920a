import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the mock received. */
export interface RecordedEmbeddingsRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: { model?: string; input?: string[]; dimensions?: number };
}

/** A scripted reply, used (in order) before normal answers. */
export interface ScriptedReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** Options of {@link startMockEmbeddingsServer}. */
export interface MockEmbeddingsOptions {
  /** Dimension when the request has no `dimensions`. Default 8. */
  dim?: number;
  /** Reverse the order of `data` items (their `index` still says where they belong). */
  shuffle?: boolean;
  /** Replies used, one per request, before normal answers. */
  script?: ScriptedReply[];
  /** Overrides the dimension of the vector for input number `i` of a request. */
  dimForItem?: (i: number, defaultDim: number) => number;
}

/** A running mock of the OpenAI `/v1/embeddings` endpoint. */
export interface MockEmbeddingsServer {
  /** API root, e.g. `http://127.0.0.1:41234/v1`. */
  baseUrl: string;
  requests: RecordedEmbeddingsRequest[];
  /** Queues more scripted replies. */
  script(...replies: ScriptedReply[]): void;
  close(): Promise<void>;
}

/**
 * The deterministic vector the mock returns for a text (not normalised, so
 * tests can check that the client normalises).
 *
 * @example
 * ```ts
 * const v = mockVector("hello", 8);
 * ```
 */
export function mockVector(text: string, dim: number): number[] {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  const v: number[] = [];
  for (let i = 0; i < dim; i++) {
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
    v.push(((h % 2000) - 1000) / 100 + (i === 0 ? 20 : 0));
  }
  return v;
}

/**
 * Starts a tiny OpenAI-compatible embeddings server on 127.0.0.1 (random port).
 *
 * @example
 * ```ts
 * const server = await startMockEmbeddingsServer({ dim: 4 });
 * const e = new OpenAIEmbedder({ baseUrl: server.baseUrl, model: "m" });
 * await server.close();
 * ```
 */
export async function startMockEmbeddingsServer(options: MockEmbeddingsOptions = {}): Promise<MockEmbeddingsServer> {
  const requests: RecordedEmbeddingsRequest[] = [];
  const queue: ScriptedReply[] = [...(options.script ?? [])];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body: RecordedEmbeddingsRequest["body"] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RecordedEmbeddingsRequest["body"];
      } catch {
        body = {};
      }
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const scripted = queue.shift();
      if (scripted) {
        res.writeHead(scripted.status, { "content-type": "application/json", ...scripted.headers });
        res.end(scripted.body ?? JSON.stringify({ error: { message: `scripted ${scripted.status}` } }));
        return;
      }
      if (req.method !== "POST" || req.url !== "/v1/embeddings") {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
        return;
      }
      const input = Array.isArray(body.input) ? body.input : [];
      const dim = body.dimensions ?? options.dim ?? 8;
      const data = input.map((text, index) => ({
        object: "embedding",
        index,
        embedding: mockVector(text, options.dimForItem ? options.dimForItem(index, dim) : dim),
      }));
      if (options.shuffle) data.reverse();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", data, model: body.model, usage: { prompt_tokens: 0, total_tokens: 0 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...replies) => queue.push(...replies),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
