/**
 * First-hour friction (#12): each item a regression test, through the CLI in-process
 * (`run(argv, io)`), the library, HTTP (the Hono app) and MCP (the real SDK client) on real
 * SQLite files.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/main.js";
import { SETTINGS_META } from "../src/cli/open.js";
import { createMcpServer } from "../src/mcp/tools.js";
import { HashingEmbedder, Mnemo, isMnemoError, openAICompatible } from "../src/index.js";
import { startMockLLMServer } from "./support/mock-llm-server.js";
import { createTestApp } from "./support/server-harness.js";

const dir = mkdtempSync(join(tmpdir(), "mnemo-friction-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function mnemo(db: string, ...args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await run(["node", "mnemo", "--db", db, ...args], { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } });
  return { code, stdout, stderr };
}

async function ok<T>(p: Promise<Run>): Promise<T> {
  const r = await p;
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

function errorOf(r: Run): { code: string; message: string; hint: string } {
  return (JSON.parse(r.stderr.trim().split("\n").at(-1)!) as { error: { code: string; message: string; hint: string } }).error;
}

describe("the store remembers its embedder and LLM settings", () => {
  it("regression: a command without --embedder uses the embedder the store was built with", async () => {
    const db = join(dir, "embedder.db");
    await ok(mnemo(db, "--embedder", "hashing:64", "--json", "remember", "--user", "u1", "I adopted a greyhound named Pixel."));
    // Before: recall without --embedder used the default word vectors → EMBEDDER_MISMATCH.
    const r = await ok<{ context: string }>(mnemo(db, "--json", "recall", "Which greyhound did I adopt?", "--user", "u1"));
    expect(r.context).toContain("Pixel");
    await ok(mnemo(db, "--json", "remember", "--user", "u1", "Pixel is three years old."));
    // The library too: Mnemo.open without an embedder uses the one the store remembers.
    const m = await Mnemo.open({ path: db });
    expect(await m.store.getMeta(SETTINGS_META.embedder)).toBe("hashing:64");
    expect(m.embedder.dim).toBe(64);
    await m.remember([{ speaker: "u1", content: "Pixel loves the beach." }], { userId: "u1" });
    expect((await m.stats({ userId: "u1" })).episodes).toBe(3);
    await m.close();
  });

  it("regression: --llm is remembered; --llm offline switches back", async () => {
    const db = join(dir, "llm.db");
    const server = await startMockLLMServer({ handler: (req) => (req.api === "openai" ? JSON.stringify({ memories: [] }) : undefined) });
    const saved = process.env.MNEMO_LLM_BASE_URL;
    process.env.MNEMO_LLM_BASE_URL = `${server.url}/v1`;
    try {
      await ok(mnemo(db, "--llm", "openai-compatible/mock", "--json", "remember", "--user", "ann", "I live in Oslo."));
      const first = server.requests.length;
      expect(first).toBeGreaterThan(0);
      await ok(mnemo(db, "--json", "remember", "--user", "ann", "I work as a pilot."));
      expect(server.requests.length).toBeGreaterThan(first);
      await ok(mnemo(db, "--llm", "offline", "--json", "remember", "--user", "ann", "I have two cats."));
      const after = server.requests.length;
      await ok(mnemo(db, "--json", "remember", "--user", "ann", "I ride a bike to work."));
      expect(server.requests.length).toBe(after);
    } finally {
      if (saved === undefined) delete process.env.MNEMO_LLM_BASE_URL;
      else process.env.MNEMO_LLM_BASE_URL = saved;
      await server.close();
    }
  });

  it("regression: `mnemo reembed` without --embedder on a mismatch says what it will do", async () => {
    const db = join(dir, "reembed.db");
    const m = await Mnemo.open({ path: db, embedder: new HashingEmbedder({ dim: 32 }) });
    await m.remember([{ speaker: "bo", content: "I grow tomatoes on my balcony." }], { userId: "bo" });
    await m.close();
    const r = await mnemo(db, "reembed");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the stored vectors come from "hashing[^"]*:32"; re-embedding every vector with "[^"]+" \(the default embedder\)\. To use another model pass --embedder <spec>\./);
    expect(r.stdout).toMatch(/re-embedded \d+ vectors with /);
  });
});

describe("read-only commands on a missing database", () => {
  for (const args of [["stats"], ["recall", "anything", "--user", "u1"], ["memories", "list", "--user", "u1"], ["export", "--user", "u1"], ["forget", "mem_x"]]) {
    it(`regression: \`mnemo ${args[0]}\` on a path that does not exist fails NOT_FOUND and creates nothing`, async () => {
      const db = join(dir, `missing-${args[0]}.db`);
      const r = await mnemo(db, "--json", ...args);
      expect(r.code).toBe(4);
      expect(errorOf(r).code).toBe("NOT_FOUND");
      expect(errorOf(r).message).toContain(db);
      expect(existsSync(db)).toBe(false);
    });
  }
});

describe("unknown users are answered the same way in the CLI, library and HTTP", () => {
  it("recall for an unknown user: an empty answer everywhere (the CLI adds a note on stderr)", async () => {
    const t = await createTestApp();
    try {
      await t.mnemo.remember([{ speaker: "kim", content: "I like jazz." }], { userId: "kim" });
      await t.mnemo.close();
      const cli = await mnemo(t.dbPath, "--json", "recall", "What music?", "--user", "nobody");
      expect(cli.code, cli.stderr).toBe(0);
      expect((JSON.parse(cli.stdout) as { results: unknown[] }).results).toEqual([]);
      expect(cli.stderr).toContain('user "nobody" has no data in this store');
      const lib = await Mnemo.open({ path: t.dbPath });
      expect((await lib.recall("What music?", { userId: "nobody" })).results).toEqual([]);
      await lib.close();
    } finally {
      await t.close().catch(() => undefined);
    }
    const h = await createTestApp();
    try {
      const key = h.key("default");
      const res = await h.request("/v1/recall", { method: "POST", key, headers: { "content-type": "application/json" }, body: JSON.stringify({ userId: "nobody", query: "What music?" }) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { results: unknown[] }).results).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it("erase (and export) of an unknown user: UNKNOWN_USER everywhere", async () => {
    const t = await createTestApp();
    try {
      await t.mnemo.remember([{ speaker: "kim", content: "I like jazz." }], { userId: "kim" });
      const e = await t.mnemo.erase({ userId: "nobody" }).catch((x: unknown) => x);
      expect(isMnemoError(e, "UNKNOWN_USER")).toBe(true);
      const res = await t.request("/v1/users/nobody", { method: "DELETE", key: t.key("default") });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNKNOWN_USER");
      const cli = await mnemo(t.dbPath, "--json", "erase", "--user", "nobody");
      expect(cli.code).toBe(4);
      expect(errorOf(cli).code).toBe("UNKNOWN_USER");
      const exp = await mnemo(t.dbPath, "--json", "export", "--user", "nobody");
      expect(errorOf(exp).code).toBe("UNKNOWN_USER");
    } finally {
      await t.close();
    }
  });
});

describe("import", () => {
  const db = join(dir, "import.db");
  it("regression: `mnemo import chats.jsonl` without the format word suggests `mnemo import jsonl`", async () => {
    const file = join(dir, "chats.jsonl");
    writeFileSync(file, '{"userId": "u1", "speaker": "u1", "content": "I moved to Rome."}\n');
    const r = await mnemo(db, "--json", "import", file);
    expect(r.code).toBe(3);
    expect(errorOf(r).code).toBe("INVALID_INPUT");
    expect(errorOf(r).hint).toContain(`mnemo import jsonl ${file}`);
    expect(existsSync(db)).toBe(false);
  });

  it("regression: the import summary is spelled out (no + ~ ✗ = symbols)", async () => {
    const file = join(dir, "chats2.jsonl");
    writeFileSync(file, '{"userId": "u1", "speaker": "u1", "content": "I moved to Rome in 2021."}\n');
    const r = await mnemo(db, "import", "jsonl", file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/memories: \d+ added, \d+ updated, \d+ invalidated \(contradicted\), \d+ unchanged/);
    expect(r.stdout).not.toMatch(/[✗~=+]\d/);
  });

  it("regression: a missing file says \"file not found\"", async () => {
    const r = await mnemo(db, "--json", "import", "jsonl", join(dir, "nope.jsonl"));
    expect(r.code).toBe(3);
    expect(errorOf(r).message).toContain("file not found");
  });
});

describe("direct add, update, forgotten memories and undoing a forget", () => {
  it("library: add is idempotent per key, restore undoes forget, memories({ includeForgotten }) lists it", async () => {
    const m = await Mnemo.open({ path: join(dir, "add-lib.db") });
    const a = await m.add({ kind: "preference", text: "Lena prefers window seats.", key: "seat" }, { userId: "lena" });
    expect(a).toMatchObject({ created: true, changed: true });
    expect(a.memory.sources).toHaveLength(1);
    expect(await m.add({ kind: "preference", text: "Lena prefers window seats.", key: "seat" }, { userId: "lena" })).toMatchObject({ created: false, changed: false });
    const b = await m.add({ kind: "preference", text: "Lena prefers aisle seats.", key: "seat" }, { userId: "lena" });
    expect(b.memory.id).toBe(a.memory.id);
    expect((await m.recall("Which seat does Lena like?", { userId: "lena", budgetTokens: 200 })).context).toContain("aisle");
    await m.forget(a.memory.id);
    expect((await m.memories({ userId: "lena" })).items).toHaveLength(0);
    expect((await m.memories({ userId: "lena", includeForgotten: true })).items.map((x) => x.id)).toEqual([a.memory.id]);
    await m.restore(a.memory.id);
    expect((await m.recall("Which seat does Lena like?", { userId: "lena", budgetTokens: 200 })).context).toContain("aisle");
    expect((await m.history(a.memory.id)).map((h) => h.op)).toEqual(["add", "patch", "forget", "restore"]);
    const bad = await m.add({ kind: "summary" as "fact", text: "x" }, { userId: "lena" }).catch((x: unknown) => x);
    expect(isMnemoError(bad, "INVALID_INPUT")).toBe(true);
    await m.close();
  });

  it("CLI: add, update, memories list --forgotten, restore", async () => {
    const db = join(dir, "add-cli.db");
    const added = await ok<{ memory: { id: string } }>(mnemo(db, "--json", "add", "instruction", "Always", "answer", "in", "French.", "--user", "max"));
    const id = added.memory.id;
    const upd = await ok<{ text: string; version: number }>(mnemo(db, "--json", "update", id, "--text", "Always answer in German."));
    expect(upd).toMatchObject({ text: "Always answer in German.", version: 2 });
    await ok(mnemo(db, "--json", "forget", id));
    const plain = await ok<{ items: unknown[] }>(mnemo(db, "--json", "memories", "list", "--user", "max"));
    expect(plain.items).toHaveLength(0);
    const human = await mnemo(db, "memories", "list", "--user", "max", "--forgotten");
    expect(human.stdout).toContain("[forgotten]");
    await ok(mnemo(db, "--json", "restore", id));
    const back = await ok<{ items: Array<{ id: string }> }>(mnemo(db, "--json", "memories", "list", "--user", "max"));
    expect(back.items.map((x) => x.id)).toEqual([id]);
    const bad = await mnemo(db, "--json", "add", "summary", "x", "--user", "max");
    expect(errorOf(bad).code).toBe("INVALID_INPUT");
    expect((await mnemo(db, "--json", "update", id)).code).toBe(3);
  });

  it("HTTP: POST /v1/memories, includeForgotten=true, POST /v1/memories/{id}/restore", async () => {
    const t = await createTestApp();
    try {
      const c = t.client(t.key("default"));
      const r = await c.addMemory({ userId: "zoe", kind: "fact", text: "Zoe is a marine biologist." });
      expect(r.created).toBe(true);
      await c.forget(r.memory.id);
      expect((await c.listMemories({ userId: "zoe" })).items).toHaveLength(0);
      expect((await c.listMemories({ userId: "zoe", includeForgotten: true })).items[0]!.forgottenAt).not.toBeNull();
      expect((await c.restore(r.memory.id)).forgottenAt).toBeNull();
      expect((await c.recall({ userId: "zoe", query: "What is Zoe's job?" })).context).toContain("marine biologist");
      const bad = await t.request("/v1/memories", { method: "POST", key: t.key("default"), headers: { "content-type": "application/json" }, body: JSON.stringify({ userId: "zoe", kind: "summary", text: "x" }) });
      expect(bad.status).toBe(400);
      const readOnly = await t.request("/v1/memories", { method: "POST", key: t.key("default", "read"), headers: { "content-type": "application/json" }, body: JSON.stringify({ userId: "zoe", kind: "fact", text: "x" }) });
      expect(readOnly.status).toBe(403);
      // A write-only key learns no memory text from a restore (as with PATCH and DELETE).
      await c.forget(r.memory.id);
      const wo = await t.request(`/v1/memories/${r.memory.id}/restore`, { method: "POST", key: t.key("default", "write") });
      expect(wo.status).toBe(200);
      expect(Object.keys((await wo.json()) as object).sort()).toEqual(["forgottenAt", "id", "userId", "version"]);
    } finally {
      await t.close();
    }
  });

  it("MCP: the add_memory tool (real SDK client)", async () => {
    const m = await Mnemo.open({ path: join(dir, "add-mcp.db") });
    const server = createMcpServer({ mnemo: m, tenant: "default", userId: "ivy" });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: "t", version: "1" });
    await client.connect(b);
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toContain("add_memory");
      const r = (await client.callTool({ name: "add_memory", arguments: { kind: "preference", text: "Ivy prefers green tea." } })) as { isError?: boolean; structuredContent?: { created: boolean } };
      expect(r.isError).not.toBe(true);
      expect(r.structuredContent?.created).toBe(true);
      expect((await m.recall("What does Ivy drink?", { userId: "ivy", budgetTokens: 200 })).context).toContain("green tea");
    } finally {
      await client.close();
      await m.close();
    }
  });
});

describe("LLM mode: a provider outage never loses the turn", () => {
  const fact = (text: string) => JSON.stringify({ memories: [{ kind: "fact", text, subject: "Nia", attribute: null, date: null, sources: [1], entities: [], importance: 0.8 }] });

  it("regression: remember stores the episodes while the model is down; the next remember extracts them", async () => {
    let up = false;
    const server = await startMockLLMServer({
      handler: (req) => {
        if (req.api !== "openai") return undefined;
        if (!up) return { status: 503, body: { error: { message: "overloaded" } } };
        const body = JSON.stringify(req.body);
        return fact(body.includes("chess") ? "Nia plays chess." : "Nia lives in Nairobi.");
      },
    });
    const m = await Mnemo.open({ path: join(dir, "outage.db"), llm: openAICompatible({ baseUrl: `${server.url}/v1`, model: "mock", maxRetries: 0 }) });
    try {
      const down = await m.remember([{ speaker: "Nia", content: "I moved to Nairobi last year." }], { userId: "nia" });
      expect(down.episodes.added).toBe(1);
      expect(down.memories.added).toBe(0);
      expect(down.pendingExtraction).toBe(1);
      expect((await m.stats({ userId: "nia" })).episodes).toBe(1);
      up = true;
      const next = await m.remember([{ speaker: "Nia", content: "I play chess on Sundays." }], { userId: "nia" });
      expect(next.pendingExtraction).toBeUndefined();
      const texts = (await m.memories({ userId: "nia" })).items.map((x) => x.text);
      expect(texts).toEqual(expect.arrayContaining(["Nia lives in Nairobi.", "Nia plays chess."]));
    } finally {
      await m.close();
      await server.close();
    }
  });

  it("`mnemo extract` drains the queue once the provider is back (and keeps it while it is down)", async () => {
    let up = false;
    const server = await startMockLLMServer({ handler: (req) => (req.api !== "openai" ? undefined : up ? fact("Nia lives in Nairobi.") : { status: 503, body: "down" }) });
    const db = join(dir, "outage-cli.db");
    const m = await Mnemo.open({ path: db, llm: openAICompatible({ baseUrl: `${server.url}/v1`, model: "mock", maxRetries: 0 }) });
    await m.remember([{ speaker: "Nia", content: "I moved to Nairobi last year." }], { userId: "nia" });
    expect(await m.extractPending()).toEqual({ extracted: 0, pending: 1, memories: 0 });
    await m.close();
    const saved = process.env.MNEMO_LLM_BASE_URL;
    process.env.MNEMO_LLM_BASE_URL = `${server.url}/v1`;
    try {
      up = true;
      const r = await ok<{ extracted: number; pending: number }>(mnemo(db, "--llm", "openai-compatible/mock", "--json", "extract"));
      expect(r).toMatchObject({ extracted: 1, pending: 0 });
      const list = await ok<{ items: Array<{ text: string }> }>(mnemo(db, "--json", "memories", "list", "--user", "nia"));
      expect(list.items.map((x) => x.text)).toContain("Nia lives in Nairobi.");
    } finally {
      if (saved === undefined) delete process.env.MNEMO_LLM_BASE_URL;
      else process.env.MNEMO_LLM_BASE_URL = saved;
      await server.close();
    }
  });
});

describe("LLM mode: a configuration error is not an outage", () => {
  it("a 401 from the provider still fails remember (nothing queued silently)", async () => {
    const server = await startMockLLMServer({ handler: (req) => (req.api === "openai" ? { status: 401, body: { error: { message: "bad key" } } } : undefined) });
    const m = await Mnemo.open({ path: join(dir, "auth.db"), llm: openAICompatible({ baseUrl: `${server.url}/v1`, model: "mock", maxRetries: 0 }) });
    try {
      const e = await m.remember([{ speaker: "Nia", content: "I moved to Nairobi." }], { userId: "nia" }).catch((x: unknown) => x);
      expect(isMnemoError(e, "PROVIDER_ERROR")).toBe(true);
      expect((await m.stats({ userId: "nia" })).episodes).toBe(0);
    } finally {
      await m.close();
      await server.close();
    }
  });
});
