import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MnemoError } from "../src/core/errors.js";
import { HashingEmbedder, LocalTransformerEmbedder, OpenAIEmbedder, createEmbedder, normalize } from "../src/providers/embeddings/index.js";
import { mockVector, startMockEmbeddingsServer, type MockEmbeddingsServer } from "./support/mock-embeddings-server.js";

function norm(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

function cos(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

async function rejection(p: Promise<unknown>): Promise<MnemoError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(MnemoError);
    return e as MnemoError;
  }
  throw new Error("expected a rejection");
}

describe("HashingEmbedder", () => {
  const e = new HashingEmbedder();

  it("makes deterministic unit vectors of the declared dimension", async () => {
    const [a, b] = await e.embed(["Melanie painted a sunset", "Melanie painted a sunset"]);
    expect(a!.length).toBe(384);
    expect(e.id).toBe("hashing-v1-384");
    expect(norm(a!)).toBeCloseTo(1, 5);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expect(new HashingEmbedder({ dim: 64 }).embedOne("x y z").length).toBe(64);
  });

  it("puts similar texts closer than unrelated ones", async () => {
    const [a, b, c] = await e.embed(["Melanie painted a sunset", "Melanie paints sunsets", "quarterly tax filing deadline"]);
    expect(cos(a!, b!)).toBeGreaterThan(cos(a!, c!));
    expect(cos(a!, b!)).toBeGreaterThan(0.5);
  });

  it("normalize scales to unit length and leaves zero vectors alone", () => {
    expect(norm(normalize(Float32Array.from([3, 4])))).toBeCloseTo(1, 6);
    expect(Array.from(normalize(new Float32Array(3)))).toEqual([0, 0, 0]);
  });
});

describe("OpenAIEmbedder", () => {
  let server: MockEmbeddingsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("batches 300 inputs into 3 requests and keeps input order when data comes back reversed", async () => {
    server = await startMockEmbeddingsServer({ dim: 8, shuffle: true });
    const e = new OpenAIEmbedder({ baseUrl: server.baseUrl, apiKey: "sk-test", model: "mock-embed" });
    const texts = Array.from({ length: 300 }, (_, i) => `text number ${i}`);
    const vectors = await e.embed(texts);
    expect(server.requests.map((r) => r.body.input?.length)).toEqual([128, 128, 44]);
    expect(server.requests[0]!.body.model).toBe("mock-embed");
    expect(server.requests[0]!.body.dimensions).toBeUndefined();
    expect(server.requests[0]!.headers.authorization).toBe("Bearer sk-test");
    expect(vectors).toHaveLength(300);
    for (const i of [0, 127, 128, 299]) {
      const expected = normalize(Float32Array.from(mockVector(texts[i]!, 8)));
      expect(Array.from(vectors[i]!)).toEqual(Array.from(expected));
      expect(norm(vectors[i]!)).toBeCloseTo(1, 5);
    }
  });

  it("returns [] for no input without a request, and honours batchSize", async () => {
    server = await startMockEmbeddingsServer();
    const e = new OpenAIEmbedder({ baseUrl: `${server.baseUrl}/`, model: "m", batchSize: 2 });
    expect(await e.embed([])).toEqual([]);
    expect(server.requests).toHaveLength(0);
    await e.embed(["a", "", "c"]);
    expect(server.requests.map((r) => r.body.input)).toEqual([["a", " "], ["c"]]);
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
  });

  it("learns the dimension from the first response; init() probes once", async () => {
    server = await startMockEmbeddingsServer({ dim: 12 });
    const e = new OpenAIEmbedder({ baseUrl: server.baseUrl, model: "m" });
    expect(e.id).toBe("openai-compatible/m");
    expect(e.dim).toBe(0);
    await e.init();
    expect(e.dim).toBe(12);
    expect(server.requests).toHaveLength(1);
    await e.init();
    expect(server.requests).toHaveLength(1);
    expect((await e.embed(["x"]))[0]!.length).toBe(12);
  });

  it("sends a declared dimension and rejects vectors of another size with EMBEDDER_MISMATCH", async () => {
    server = await startMockEmbeddingsServer({ dim: 8 });
    const ok = new OpenAIEmbedder({ baseUrl: server.baseUrl, model: "m", dim: 16 });
    expect(ok.dim).toBe(16);
    expect((await ok.embed(["x"]))[0]!.length).toBe(16);
    expect(server.requests[0]!.body.dimensions).toBe(16);
    await server.close();

    server = await startMockEmbeddingsServer({ dim: 8, dimForItem: () => 8 });
    const wrong = new OpenAIEmbedder({ baseUrl: server.baseUrl, model: "m", dim: 16 });
    const err = await rejection(wrong.embed(["x"]));
    expect(err.code).toBe("EMBEDDER_MISMATCH");
    expect(err.details).toMatchObject({ expected: 16, actual: 8 });
  });

  it("rejects responses whose vectors differ in dimension", async () => {
    server = await startMockEmbeddingsServer({ dim: 8, dimForItem: (i, d) => (i === 1 ? d + 1 : d) });
    const e = new OpenAIEmbedder({ baseUrl: server.baseUrl, model: "m" });
    expect((await rejection(e.embed(["a", "b"]))).code).toBe("EMBEDDER_MISMATCH");
    expect(e.dim).toBe(0);
  });

  it("retries a 500 and a 429, then succeeds", async () => {
    server = await startMockEmbeddingsServer({ script: [{ status: 500, body: "upstream exploded" }, { status: 429, headers: { "retry-after": "0" } }] });
    const e = new OpenAIEmbedder({ baseUrl: server.baseUrl, model: "m", retryBaseMs: 1 });
    const vectors = await e.embed(["hello"]);
    expect(vectors).toHaveLength(1);
    expect(server.requests).toHaveLength(3);
  });

  it("gives up after maxRetries with PROVIDER_ERROR naming the status", async () => {
    server = await startMockEmbeddingsServer({ script: [{ status: 503 }, { status: 503 }, { status: 503 }] });
    const e = new OpenAIEmbedder({ baseUrl: server.baseUrl, model: "m", maxRetries: 2, retryBaseMs: 1 });
    const err = await rejection(e.embed(["hello"]));
    expect(err.code).toBe("PROVIDER_ERROR");
    expect(err.message).toContain("503");
    expect(server.requests).toHaveLength(3);
  });

  it("throws PROVIDER_ERROR with the status and a body snippet on 401, without retrying", async () => {
    server = await startMockEmbeddingsServer({ script: [{ status: 401, body: '{"error":{"message":"Incorrect API key provided"}}' }] });
    const e = new OpenAIEmbedder({ baseUrl: server.baseUrl, apiKey: "sk-bad", model: "m", retryBaseMs: 1 });
    const err = await rejection(e.embed(["hello"]));
    expect(err.code).toBe("PROVIDER_ERROR");
    expect(err.message).toContain("401");
    expect(err.message).toContain("Incorrect API key");
    expect(err.message).not.toContain("sk-bad");
    expect(err.details).toMatchObject({ status: 401 });
    expect(err.hint).toMatch(/API key/);
    expect(server.requests).toHaveLength(1);
  });

  it("reports malformed JSON and network failures as PROVIDER_ERROR", async () => {
    server = await startMockEmbeddingsServer({ script: [{ status: 200, body: '{"data": "nope"}' }] });
    const e = new OpenAIEmbedder({ baseUrl: server.baseUrl, model: "m" });
    expect((await rejection(e.embed(["x"]))).code).toBe("PROVIDER_ERROR");
    const baseUrl = server.baseUrl;
    await server.close();
    server = undefined;
    const down = new OpenAIEmbedder({ baseUrl, model: "m", maxRetries: 1, retryBaseMs: 1 });
    const err = await rejection(down.embed(["x"]));
    expect(err.code).toBe("PROVIDER_ERROR");
    expect(err.details).toMatchObject({ attempts: 2 });
  });

  it("validates its options", () => {
    expect(() => new OpenAIEmbedder({ model: "" })).toThrow(MnemoError);
    expect(() => new OpenAIEmbedder({ model: "m", batchSize: 0 })).toThrow(MnemoError);
  });
});

describe("LocalTransformerEmbedder", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mnemo-embed-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("rejects a missing model directory with INVALID_CONFIG", async () => {
    const err = await rejection(LocalTransformerEmbedder.load({ modelDir: path.join(dir, "nope") }));
    expect(err.code).toBe("INVALID_CONFIG");
    expect(err.message).toContain("does not exist");
  });

  it("rejects a directory without config.json", async () => {
    await mkdir(path.join(dir, "empty"));
    const err = await rejection(LocalTransformerEmbedder.load({ modelDir: path.join(dir, "empty") }));
    expect(err.code).toBe("INVALID_CONFIG");
    expect(err.message).toContain("config.json");
  });

  it("names the package in the hint when @huggingface/transformers is not installed", async () => {
    const modelDir = path.join(dir, "model");
    await mkdir(modelDir);
    await writeFile(path.join(modelDir, "config.json"), "{}");
    const err = await rejection(LocalTransformerEmbedder.load({ modelDir }));
    expect(err.code).toBe("INVALID_CONFIG");
    expect(err.hint).toContain("npm install @huggingface/transformers");
  });

  it("configures transformers for local files only and embeds with pooling + normalize", async () => {
    const modelDir = path.join(dir, "fake-minilm");
    await mkdir(modelDir);
    await writeFile(path.join(modelDir, "config.json"), "{}");
    const env = { allowRemoteModels: true, allowLocalModels: false, localModelPath: "/models/" };
    const calls: Array<{ task: string; model: string; options: unknown }> = [];
    const seen: unknown[] = [];
    const extractor = async (texts: string[], options: unknown) => {
      seen.push(options);
      const data = new Float32Array(texts.length * 3);
      texts.forEach((t, r) => data.set([t.length, 1, 0], r * 3));
      return { data, dims: [texts.length, 3] };
    };
    const fakeModule = {
      env,
      pipeline: async (task: string, model: string, options: unknown) => {
        calls.push({ task, model, options });
        return extractor;
      },
    };
    const e = await LocalTransformerEmbedder.load({ modelDir, pooling: "cls" }, { importModule: async () => fakeModule });
    expect(env).toEqual({ allowRemoteModels: false, allowLocalModels: true, localModelPath: dir });
    expect(calls).toEqual([{ task: "feature-extraction", model: "fake-minilm", options: { local_files_only: true } }]);
    expect(e.dim).toBe(3);
    expect(e.id).toBe("local/fake-minilm/cls");
    const texts = Array.from({ length: 40 }, (_, i) => "x".repeat(i + 1));
    const vectors = await e.embed(texts);
    expect(vectors).toHaveLength(40);
    expect(vectors[5]![0]! / vectors[5]![1]!).toBeCloseTo(6, 4);
    expect(norm(vectors[39]!)).toBeCloseTo(1, 5);
    expect(seen[1]).toEqual({ pooling: "cls", normalize: true });
    const mismatch = await rejection(LocalTransformerEmbedder.load({ modelDir, dim: 384 }, { importModule: async () => fakeModule }));
    expect(mismatch.code).toBe("EMBEDDER_MISMATCH");
  });
});

describe("createEmbedder", () => {
  let server: MockEmbeddingsServer;
  beforeAll(async () => {
    server = await startMockEmbeddingsServer({ dim: 24 });
  });
  afterAll(async () => {
    await server.close();
  });

  it("defaults to the bundled word vectors and parses hashing:<dim>", async () => {
    expect((await createEmbedder("", {})).id).toMatch(/^word-vectors-sg100d-v1-60000$/);
    expect((await createEmbedder("word-vectors", {})).dim).toBe(100);
    expect((await createEmbedder("hashing", {})).id).toBe("hashing-v1-384");
    expect((await createEmbedder("hashing", {})).dim).toBe(384);
    const e = await createEmbedder(" hashing:512 ", {});
    expect(e).toBeInstanceOf(HashingEmbedder);
    expect(e.dim).toBe(512);
    expect((await rejection(createEmbedder("hashing:abc", {}))).code).toBe("INVALID_CONFIG");
    expect((await rejection(createEmbedder("hashing:0", {}))).code).toBe("INVALID_CONFIG");
  });

  it("builds openai/<model> from OPENAI_API_KEY and OPENAI_BASE_URL, learning dim", async () => {
    const before = server.requests.length;
    const e = await createEmbedder("openai/text-embedding-3-small", { OPENAI_API_KEY: "sk-1", OPENAI_BASE_URL: server.baseUrl });
    expect(e).toBeInstanceOf(OpenAIEmbedder);
    expect(e.id).toBe("openai-compatible/text-embedding-3-small");
    expect(e.dim).toBe(24);
    const req = server.requests[before]!;
    expect(req.headers.authorization).toBe("Bearer sk-1");
    expect(req.body.model).toBe("text-embedding-3-small");
    expect((await rejection(createEmbedder("openai/text-embedding-3-small", {}))).code).toBe("INVALID_CONFIG");
  });

  it("builds openai-compatible/<model> (model names may contain '/') and honours MNEMO_EMBED_DIM without a probe", async () => {
    const before = server.requests.length;
    const e = await createEmbedder("openai-compatible/BAAI/bge-small-en-v1.5", {
      MNEMO_EMBED_BASE_URL: server.baseUrl,
      MNEMO_EMBED_API_KEY: "k",
      MNEMO_EMBED_DIM: "16",
    });
    expect(e.id).toBe("openai-compatible/BAAI/bge-small-en-v1.5");
    expect(e.dim).toBe(16);
    expect(server.requests.length).toBe(before);
    expect((await e.embed(["x"]))[0]!.length).toBe(16);
    expect(server.requests[before]!.headers.authorization).toBe("Bearer k");
    expect((await rejection(createEmbedder("openai-compatible/m", {}))).code).toBe("INVALID_CONFIG");
    expect((await rejection(createEmbedder("openai-compatible/", { MNEMO_EMBED_BASE_URL: server.baseUrl }))).code).toBe("INVALID_CONFIG");
  });

  it("builds ollama/<model> against the Ollama default URL unless overridden", async () => {
    const e = await createEmbedder("ollama/nomic-embed-text", { MNEMO_EMBED_BASE_URL: server.baseUrl });
    expect(e.dim).toBe(24);
    expect(e.id).toBe("openai-compatible/nomic-embed-text");
    expect(server.requests.at(-1)!.body.model).toBe("nomic-embed-text");
    expect((e as OpenAIEmbedder).baseUrl).toBe(server.baseUrl);
  });

  it("builds local:<dir> and rejects unknown specs", async () => {
    expect((await rejection(createEmbedder("local:/definitely/not/here", {}))).code).toBe("INVALID_CONFIG");
    expect((await rejection(createEmbedder("local:/x", { MNEMO_EMBED_POOLING: "max" }))).code).toBe("INVALID_CONFIG");
    const err = await rejection(createEmbedder("cohere/embed-v3", {}));
    expect(err.code).toBe("INVALID_CONFIG");
    expect(err.hint).toContain("openai-compatible/<model>");
  });
});
