/**
 * MCP: the SDK's own Client against `src/mcp/main.ts` over stdio, and against
 * `startServer({ mcp: true })` over Streamable HTTP with API keys.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyStore } from "../src/auth/keys.js";
import { MnemoClient } from "../src/client/index.js";
import { startServer, type RunningServer } from "../src/server/main.js";
import { ROOT, tempDir } from "./support/server-harness.js";

interface ToolResult {
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

const textOf = (r: ToolResult) => r.content.map((c) => c.text ?? "").join("\n");

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

describe("MCP over stdio (mnemo mcp)", () => {
  const tmp = tempDir();
  let client: Client;
  beforeAll(async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--import", "tsx", join(ROOT, "src/mcp/main.ts"), "--db", join(tmp.dir, "mcp.db"), "--user", "alice", "--tenant", "acme"],
      cwd: ROOT,
      env: { ...(process.env as Record<string, string>), NODE_NO_WARNINGS: "1" },
      stderr: "pipe",
    });
    client = new Client({ name: "mnemo-test", version: "1.0.0" });
    await client.connect(transport);
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    tmp.cleanup();
  });

  it("lists the tools with read-only hints", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    expect(names).toEqual(["add_memory", "delete_message", "forget", "get_memory", "list_memories", "open_nodes", "read_graph", "recall", "remember", "search_nodes"]);
    const ro = Object.fromEntries(tools.map((t) => [t.name, t.annotations?.readOnlyHint ?? false]));
    expect(ro).toMatchObject({ recall: true, list_memories: true, get_memory: true, search_nodes: true, open_nodes: true, read_graph: true, remember: false, forget: false });
    expect(tools.find((t) => t.name === "forget")?.annotations?.destructiveHint).toBe(true);
  });

  it("remembers, recalls, lists, gets, forgets and reads the graph", async () => {
    const r = await call(client, "remember", {
      messages: [
        { speaker: "Caroline", content: "I moved to Boston last month with my dog Rex.", occurredAt: "2023-05-08T13:56:00Z" },
        { speaker: "Caroline", content: "Melanie and I went hiking in Vermont.", occurredAt: "2023-05-09T10:00:00Z" },
      ],
    });
    expect(r.isError).toBeFalsy();
    expect(textOf(r)).toMatch(/Stored 2 message/);
    const rec = await call(client, "recall", { query: "Where did Caroline move?" });
    expect(textOf(rec)).toContain("Boston");
    const list = await call(client, "list_memories", {});
    const items = (list.structuredContent as { items: Array<{ id: string; text: string }> }).items;
    expect(items.length).toBeGreaterThan(0);
    const got = await call(client, "get_memory", { id: items[0]!.id });
    expect(JSON.parse(textOf(got)).id).toBe(items[0]!.id);

    const graph = JSON.parse(textOf(await call(client, "read_graph"))) as { entities: Array<{ name: string; entityType: string; observations: string[] }>; relations: Array<{ from: string; to: string; relationType: string }> };
    const caroline = graph.entities.find((e) => e.name === "Caroline");
    expect(caroline?.entityType).toBe("person");
    expect(caroline?.observations.some((o) => o.includes("Boston"))).toBe(true);
    expect(graph.relations.every((x) => x.relationType === "co_mentioned")).toBe(true);
    const found = JSON.parse(textOf(await call(client, "search_nodes", { query: "boston" }))) as { entities: Array<{ name: string }> };
    expect(found.entities.map((e) => e.name)).toContain("Caroline");
    const opened = JSON.parse(textOf(await call(client, "open_nodes", { names: ["caroline", "Nobody"] }))) as { entities: Array<{ name: string }> };
    expect(opened.entities.map((e) => e.name)).toEqual(["Caroline"]);

    const f = await call(client, "forget", { id: items[0]!.id });
    expect(textOf(f)).toContain("Forgot");
    const after = (await call(client, "list_memories", {})).structuredContent as { items: Array<{ id: string }> };
    expect(after.items.map((m) => m.id)).not.toContain(items[0]!.id);
  });

  it("returns typed tool errors instead of failing", async () => {
    const bad = await call(client, "get_memory", { id: "mem_nope" });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/^NOT_FOUND/);
    const date = await call(client, "recall", { query: "x", asOf: "someday" });
    expect(textOf(date)).toMatch(/^INVALID_DATE/);
    const empty = await call(client, "remember", {});
    expect(textOf(empty)).toMatch(/^INVALID_INPUT/);
  });
});

describe("MCP over Streamable HTTP (mnemo serve --mcp)", () => {
  const tmp = tempDir();
  const db = join(tmp.dir, "http.db");
  let server: RunningServer;
  const keys = { acme: "", evil: "", reader: "" };
  const connect = async (key: string, user = "alice") => {
    const client = new Client({ name: "mnemo-http-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}`, "x-mnemo-user": user } } }));
    return client;
  };
  beforeAll(async () => {
    const ks = KeyStore.open(db);
    keys.acme = ks.create({ tenant: "acme", scopes: "read,write" }).key;
    keys.evil = ks.create({ tenant: "evil", scopes: "read,write" }).key;
    keys.reader = ks.create({ tenant: "acme", scopes: "read" }).key;
    ks.close();
    server = await startServer({ port: 0, db, mcp: true, logLevel: "silent", rateLimit: false });
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it("serves the same tools with the tenant of the key", async () => {
    const acme = await connect(keys.acme);
    await call(acme, "remember", { content: "My favourite colour is teal and I live in Porto.", speaker: "Alice" });
    expect(textOf(await call(acme, "recall", { query: "Where does Alice live?" }))).toContain("Porto");
    // The same data is visible through the REST API with the same key.
    const rest = new MnemoClient({ baseUrl: server.url, apiKey: keys.acme });
    const mems = (await rest.listMemories({ userId: "alice" })).items;
    expect(mems.length).toBeGreaterThan(0);
    await acme.close();

    const evil = await connect(keys.evil);
    expect(textOf(await call(evil, "recall", { query: "Where does Alice live?" }))).not.toContain("Porto");
    const stolen = await call(evil, "get_memory", { id: mems[0]!.id });
    expect(stolen.isError).toBe(true);
    expect(textOf(stolen)).toMatch(/^NOT_FOUND/);
    expect(JSON.parse(textOf(await call(evil, "read_graph"))).entities).toEqual([]);
    await evil.close();
  });

  it("hides write tools from read-only keys and rejects requests without a key", async () => {
    const reader = await connect(keys.reader);
    const names = (await reader.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain("remember");
    expect(names).not.toContain("forget");
    expect(names).toContain("recall");
    await reader.close();
    const res = await fetch(`${server.url}/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
  });
});
