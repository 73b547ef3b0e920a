import { afterEach, describe, expect, it } from "vitest";
import { MnemoError, isMnemoError } from "../src/core/errors.js";
import { anthropic, createLLM, openAICompatible } from "../src/providers/llm/index.js";
import { retryAfterMs } from "../src/providers/llm/http.js";
import { mockEmbedding, startMockLLMServer, type MockLLMServer, type MockServerOptions } from "./support/mock-llm-server.js";

let server: MockLLMServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
async function serve(options: MockServerOptions = {}): Promise<MockLLMServer> {
  server = await startMockLLMServer(options);
  return server;
}
async function failure(p: Promise<unknown>): Promise<MnemoError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MnemoError) return e;
    throw e;
  }
  throw new Error("expected a MnemoError");
}
type Rec = Record<string, unknown>;

describe("openAICompatible", () => {
  it("sends the OpenAI request shape and maps the reply", async () => {
    const s = await serve({ queue: [{ text: "hello", usage: { inputTokens: 5, outputTokens: 3 } }] });
    const llm = openAICompatible({ baseUrl: `${s.url}/v1/`, apiKey: "sk-test", model: "gpt-x", headers: { "x-extra": "1" } });
    expect(llm.id).toBe("openai-compatible/gpt-x");
    const out = await llm.complete(
      [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
      { temperature: 0, maxTokens: 50 },
    );
    expect(out).toEqual({ text: "hello", usage: { inputTokens: 5, outputTokens: 3 } });
    const req = s.requests[0]!;
    expect(req.path).toBe("/v1/chat/completions");
    expect(req.headers["authorization"]).toBe("Bearer sk-test");
    expect(req.headers["x-extra"]).toBe("1");
    expect(req.headers["content-type"]).toContain("application/json");
    const body = req.body as Rec;
    expect(body["model"]).toBe("gpt-x");
    expect(body["messages"]).toEqual([{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }]);
    expect(body["temperature"]).toBe(0);
    expect(body["max_tokens"]).toBe(50);
    expect(body["response_format"]).toBeUndefined();
  });

  it("asks for json_object in json mode and sends no Authorization without a key", async () => {
    const s = await serve();
    const llm = openAICompatible({ baseUrl: `${s.url}/v1`, model: "m" });
    await llm.complete([{ role: "user", content: "x" }], { json: true });
    expect((s.requests[0]!.body as Rec)["response_format"]).toEqual({ type: "json_object" });
    expect(s.requests[0]!.headers["authorization"]).toBeUndefined();
  });

  it("maps missing usage to 0", async () => {
    const s = await serve({ queue: [{ json: { choices: [{ message: { role: "assistant", content: "ok" } }] } }] });
    const out = await openAICompatible({ baseUrl: `${s.url}/v1`, model: "m" }).complete([{ role: "user", content: "x" }]);
    expect(out).toEqual({ text: "ok", usage: { inputTokens: 0, outputTokens: 0 } });
  });

  it("retries a 500 and then succeeds", async () => {
    const s = await serve({ queue: [{ status: 500, body: "boom" }, "recovered"] });
    const out = await openAICompatible({ baseUrl: `${s.url}/v1`, model: "m" }).complete([{ role: "user", content: "x" }]);
    expect(out.text).toBe("recovered");
    expect(s.requests).toHaveLength(2);
  });

  it("retries a dropped connection", async () => {
    const s = await serve({ queue: [{ drop: true }, "after drop"] });
    const out = await openAICompatible({ baseUrl: `${s.url}/v1`, model: "m" }).complete([{ role: "user", content: "x" }]);
    expect(out.text).toBe("after drop");
    expect(s.requests).toHaveLength(2);
  });

  it("honours Retry-After on 429", async () => {
    const s = await serve({ queue: [{ status: 429, body: { error: { message: "slow down" } }, headers: { "retry-after": "1" } }, "ok"] });
    const t0 = Date.now();
    const out = await openAICompatible({ baseUrl: `${s.url}/v1`, model: "m" }).complete([{ role: "user", content: "x" }]);
    expect(out.text).toBe("ok");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(s.requests).toHaveLength(2);
  });

  it("gives up after maxRetries with PROVIDER_ERROR naming the status", async () => {
    const s = await serve({ handler: () => ({ status: 503, body: "overloaded" }) });
    const err = await failure(openAICompatible({ baseUrl: `${s.url}/v1`, model: "m", maxRetries: 1 }).complete([{ role: "user", content: "x" }]));
    expect(err.code).toBe("PROVIDER_ERROR");
    expect(err.message).toContain("503");
    expect(err.message).toContain("overloaded");
    expect(s.requests).toHaveLength(2);
  });

  it("does not retry a 401 and reports PROVIDER_ERROR with the body", async () => {
    const s = await serve({ handler: () => ({ status: 401, body: { error: { message: "Incorrect API key provided" } } }) });
    const err = await failure(openAICompatible({ baseUrl: `${s.url}/v1`, apiKey: "bad", model: "m" }).complete([{ role: "user", content: "x" }]));
    expect(err.code).toBe("PROVIDER_ERROR");
    expect(err.message).toContain("401");
    expect(err.message).toContain("Incorrect API key");
    expect(err.hint).toMatch(/API key/);
    expect(s.requests).toHaveLength(1);
  });

  it("times out with PROVIDER_ERROR", async () => {
    const s = await serve({ handler: () => ({ text: "late", delayMs: 2000 }) });
    const llm = openAICompatible({ baseUrl: `${s.url}/v1`, model: "m", timeoutMs: 150, maxRetries: 0 });
    const err = await failure(llm.complete([{ role: "user", content: "x" }]));
    expect(err.code).toBe("PROVIDER_ERROR");
    expect(err.message).toMatch(/timed out/);
  });

  it("reports an unreachable server as PROVIDER_ERROR", async () => {
    const s = await serve();
    const url = s.url;
    await s.close();
    server = undefined;
    const err = await failure(openAICompatible({ baseUrl: `${url}/v1`, model: "m", maxRetries: 0 }).complete([{ role: "user", content: "x" }]));
    expect(err.code).toBe("PROVIDER_ERROR");
  });
});

describe("anthropic", () => {
  it("sends the Messages shape: headers, top-level system, max_tokens, merged turns", async () => {
    const s = await serve({
      queue: [{ json: { content: [{ type: "text", text: "Hel" }, { type: "tool_use", id: "t" }, { type: "text", text: "lo" }], usage: { input_tokens: 9, output_tokens: 4 } } }],
    });
    const llm = anthropic({ baseUrl: `${s.url}/`, apiKey: "ak-test", model: "claude-test" });
    expect(llm.id).toBe("anthropic/claude-test");
    const out = await llm.complete([
      { role: "system", content: "Rule one." },
      { role: "user", content: "A" },
      { role: "user", content: "B" },
      { role: "system", content: "Rule two." },
      { role: "assistant", content: "C" },
      { role: "user", content: "D" },
    ]);
    expect(out).toEqual({ text: "Hello", usage: { inputTokens: 9, outputTokens: 4 } });
    const req = s.requests[0]!;
    expect(req.path).toBe("/v1/messages");
    expect(req.headers["x-api-key"]).toBe("ak-test");
    expect(req.headers["anthropic-version"]).toBe("2023-06-01");
    expect(req.headers["authorization"]).toBeUndefined();
    const body = req.body as Rec;
    expect(body["model"]).toBe("claude-test");
    expect(body["max_tokens"]).toBe(4096);
    expect(body["system"]).toBe("Rule one.\n\nRule two.");
    expect(body["messages"]).toEqual([
      { role: "user", content: "A\n\nB" },
      { role: "assistant", content: "C" },
      { role: "user", content: "D" },
    ]);
  });

  it("uses the version option, maxTokens and a JSON instruction in json mode", async () => {
    const s = await serve({ queue: ['{"a":1}'] });
    const llm = anthropic({ baseUrl: s.url, apiKey: "k", model: "c", version: "2099-01-01" });
    const out = await llm.complete([{ role: "user", content: "x" }], { json: true, maxTokens: 10, temperature: 0.2 });
    expect(out.text).toBe('{"a":1}');
    expect(out.usage).toEqual({ inputTokens: 11, outputTokens: 7 });
    const req = s.requests[0]!;
    expect(req.headers["anthropic-version"]).toBe("2099-01-01");
    const body = req.body as Rec;
    expect(body["max_tokens"]).toBe(10);
    expect(body["temperature"]).toBe(0.2);
    expect(String(body["system"])).toMatch(/JSON/);
  });

  it("retries a 529 overload then succeeds, and maps 401 to PROVIDER_ERROR", async () => {
    const s = await serve({ queue: [{ status: 529, body: { type: "error", error: { type: "overloaded_error" } } }, "fine"] });
    const llm = anthropic({ baseUrl: s.url, apiKey: "k", model: "c" });
    expect((await llm.complete([{ role: "user", content: "x" }])).text).toBe("fine");
    expect(s.requests).toHaveLength(2);
    s.enqueue({ status: 401, body: { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } } });
    const err = await failure(llm.complete([{ role: "user", content: "x" }]));
    expect(err.code).toBe("PROVIDER_ERROR");
    expect(err.message).toContain("401");
    expect(err.message).toContain("invalid x-api-key");
    expect(s.requests).toHaveLength(3);
  });

  it("times out with PROVIDER_ERROR", async () => {
    const s = await serve({ handler: () => ({ text: "late", delayMs: 2000 }) });
    const err = await failure(anthropic({ baseUrl: s.url, apiKey: "k", model: "c", timeoutMs: 150, maxRetries: 0 }).complete([{ role: "user", content: "x" }]));
    expect(err.code).toBe("PROVIDER_ERROR");
  });
});

describe("retryAfterMs", () => {
  it("reads seconds, milliseconds and HTTP dates, capped", () => {
    expect(retryAfterMs(new Headers({ "retry-after": "2" }))).toBe(2000);
    expect(retryAfterMs(new Headers({ "retry-after-ms": "150" }))).toBe(150);
    expect(retryAfterMs(new Headers({ "retry-after": "3600" }))).toBe(20_000);
    const now = Date.parse("2024-01-01T00:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after": "Mon, 01 Jan 2024 00:00:03 GMT" }), now)).toBe(3000);
    expect(retryAfterMs(new Headers({}))).toBeNull();
  });
});

describe("createLLM", () => {
  it("parses provider/model specs with default base URLs", async () => {
    const s = await serve();
    const openai = createLLM("openai/gpt-4o-mini", { OPENAI_API_KEY: "sk-1", OPENAI_BASE_URL: `${s.url}/v1` });
    expect(openai.id).toBe("openai/gpt-4o-mini");
    await openai.complete([{ role: "user", content: "x" }]);
    expect(s.requests[0]!.headers["authorization"]).toBe("Bearer sk-1");
    expect((s.requests[0]!.body as Rec)["model"]).toBe("gpt-4o-mini");

    expect(createLLM("ollama/llama3.1:8b", {}).id).toBe("ollama/llama3.1:8b");
    expect(createLLM("vllm/meta-llama/Llama-3.1-8B-Instruct", {}).id).toBe("vllm/meta-llama/Llama-3.1-8B-Instruct");
    expect(createLLM("lmstudio/qwen2.5", {}).id).toBe("lmstudio/qwen2.5");
    expect(createLLM("llamacpp/any", {}).id).toBe("llamacpp/any");
    expect(createLLM("anthropic/claude-3-5-haiku-latest", { ANTHROPIC_API_KEY: "a" }).id).toBe("anthropic/claude-3-5-haiku-latest");
  });

  it("lets MNEMO_LLM_BASE_URL and MNEMO_LLM_API_KEY override any provider", async () => {
    const s = await serve();
    const env = { MNEMO_LLM_BASE_URL: `${s.url}/v1`, MNEMO_LLM_API_KEY: "override" };
    await createLLM("ollama/llama3.1", env).complete([{ role: "user", content: "x" }]);
    await createLLM("openai-compatible/my-model", env).complete([{ role: "user", content: "x" }]);
    await createLLM("openai/gpt-4o-mini", { ...env, OPENAI_API_KEY: "ignored" }).complete([{ role: "user", content: "x" }]);
    await createLLM("anthropic/claude", { MNEMO_LLM_BASE_URL: s.url, MNEMO_LLM_API_KEY: "override" }).complete([{ role: "user", content: "x" }]);
    expect(s.requests.map((r) => r.api)).toEqual(["openai", "openai", "openai", "anthropic"]);
    expect(s.requests.slice(0, 3).map((r) => r.headers["authorization"])).toEqual(["Bearer override", "Bearer override", "Bearer override"]);
    expect(s.requests[3]!.headers["x-api-key"]).toBe("override");
    expect((s.requests[1]!.body as Rec)["model"]).toBe("my-model");
  });

  it("rejects missing keys, unknown providers and malformed specs with INVALID_CONFIG", () => {
    const code = (f: () => unknown): MnemoError => {
      try {
        f();
      } catch (e) {
        if (isMnemoError(e)) return e;
      }
      throw new Error("expected a MnemoError");
    };
    const noKey = code(() => createLLM("openai/gpt-4o-mini", {}));
    expect(noKey.code).toBe("INVALID_CONFIG");
    expect(noKey.hint).toContain("OPENAI_API_KEY");
    expect(code(() => createLLM("anthropic/claude", { OPENAI_API_KEY: "x" })).hint).toContain("ANTHROPIC_API_KEY");
    expect(code(() => createLLM("openai/gpt-4o-mini", { OPENAI_API_KEY: "  " })).code).toBe("INVALID_CONFIG");
    expect(code(() => createLLM("openai-compatible/m", {})).hint).toContain("MNEMO_LLM_BASE_URL");
    expect(code(() => createLLM("mystery/model", {})).code).toBe("INVALID_CONFIG");
    expect(code(() => createLLM("gpt-4o-mini", {})).code).toBe("INVALID_CONFIG");
    expect(code(() => createLLM("ollama/", {})).code).toBe("INVALID_CONFIG");
  });
});

describe("mock server embeddings route", () => {
  it("returns deterministic unit vectors of the configured dimension", async () => {
    const s = await serve({ embeddingDim: 12 });
    const post = async (body: unknown): Promise<{ data: { index: number; embedding: number[] }[] }> => {
      const r = await fetch(`${s.url}/v1/embeddings`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return (await r.json()) as { data: { index: number; embedding: number[] }[] };
    };
    const a = await post({ model: "e", input: ["hello", "world"] });
    const b = await post({ model: "e", input: "hello", dimensions: 4 });
    expect(a.data.map((d) => d.index)).toEqual([0, 1]);
    expect(a.data[0]!.embedding).toHaveLength(12);
    expect(a.data[0]!.embedding).toEqual(mockEmbedding("hello", 12));
    expect(a.data[1]!.embedding).not.toEqual(a.data[0]!.embedding);
    expect(Math.hypot(...a.data[0]!.embedding)).toBeCloseTo(1, 6);
    expect(b.data[0]!.embedding).toHaveLength(4);
    expect(s.requests.map((r) => r.api)).toEqual(["embeddings", "embeddings"]);
  });
});
