/**
 * Issue #11 over MCP (the SDK's own client, in-process transport): forget keeps the
 * message out of recall and delete_message deletes it (item 2), repeated `remember
 * {content}` is not lost (item 7), and the user can be pinned (item 10).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { join } from "node:path";
import { KeyStore } from "../src/auth/keys.js";
import { startServer } from "../src/server/main.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMcpServer } from "../src/mcp/tools.js";
import type { Mnemo } from "../src/mnemo.js";
import { openTempMnemo, tempDir } from "./support/fixtures.js";

interface ToolResult {
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

let t: { mnemo: Mnemo; cleanup: () => Promise<void> };
let clock = Date.parse("2024-05-01T09:00:00Z");
beforeEach(async () => {
  t = await openTempMnemo({ now: () => new Date(clock) });
});
afterEach(() => t.cleanup());

async function connect(options: { userId?: string; pinUser?: boolean } = {}): Promise<(name: string, args?: Record<string, unknown>) => Promise<ToolResult>> {
  const server = createMcpServer({ mnemo: t.mnemo, tenant: "default", userId: options.userId ?? "alice", pinUser: options.pinUser });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: "trust-test", version: "1.0.0" });
  await client.connect(b);
  return async (name, args = {}) => (await client.callTool({ name, arguments: args })) as ToolResult;
}
const text = (r: ToolResult) => r.content.map((c) => c.text ?? "").join("\n");
// Credentials are redacted before storage (docs/SECURITY.md), so the secret here is a locker number, not a PIN.
const PIN = "9164";

describe("MCP: forgotten content and deleted messages", () => {
  it("regression: after forget of every memory holding a PIN, recall does not return the message verbatim", async () => {
    const call = await connect();
    await call("remember", { content: `My gym locker number is ${PIN}.` });
    await call("remember", { content: "I swim every Monday." });
    const items = (await call("list_memories", {})).structuredContent!.items as Array<{ id: string; text: string }>;
    for (const m of items.filter((x) => x.text.includes(PIN))) expect((await call("forget", { id: m.id })).isError).toBeFalsy();
    const r = await call("recall", { query: "What is my gym locker number?", budgetTokens: 2000 });
    expect(JSON.stringify(r)).not.toContain(PIN);
  });

  it("delete_message deletes a message by its id", async () => {
    const call = await connect();
    await call("remember", { messages: [{ id: "x1", content: `The safe is in locker ${PIN}.` }] });
    expect(text(await call("recall", { query: "safe locker", budgetTokens: 2000 }))).toContain(PIN);
    const r = await call("delete_message", { id: "x1" });
    expect(r.isError).toBeFalsy();
    expect(JSON.stringify(await call("recall", { query: "safe locker", budgetTokens: 2000 }))).not.toContain(PIN);
    expect((await call("delete_message", { id: "x1" })).isError).toBe(true);
  });
});

describe("MCP: repeated messages", () => {
  it("regression: the same `remember {content}` on another day is stored again", async () => {
    const call = await connect();
    expect((await call("remember", { content: "I went for a run today." })).structuredContent!.episodes).toMatchObject({ added: 1 });
    clock += 86_400_000;
    expect((await call("remember", { content: "I went for a run today." })).structuredContent!.episodes).toMatchObject({ added: 1 });
    expect((await t.mnemo.stats({ tenant: "default", userId: "alice" })).episodes).toBe(2);
  });
});

describe("MCP: pinning the user", () => {
  it("regression: with pinUser, a userId argument naming another user is refused on every tool", async () => {
    await t.mnemo.remember([{ role: "user", content: `Bob's locker number is ${PIN}.` }], { userId: "bob" });
    const bobMemory = (await t.mnemo.memories({ userId: "bob" })).items[0]!;
    const open = await connect();
    expect(text(await open("recall", { query: "locker number", userId: "bob" }))).toContain(PIN); // unpinned: the tenant's any user
    const call = await connect({ userId: "alice", pinUser: true });
    for (const [name, args] of [
      ["recall", { query: "locker number", userId: "bob" }],
      ["list_memories", { userId: "bob" }],
      ["remember", { content: "hi", userId: "bob" }],
      ["delete_message", { id: "x", userId: "bob" }],
    ] as const) {
      const r = await call(name, args);
      expect(r.isError, name).toBe(true);
      expect(text(r), name).toMatch(/FORBIDDEN/);
      expect(JSON.stringify(r)).not.toContain(PIN);
    }
    // Tools by id reach only the pinned user's records.
    expect((await call("get_memory", { id: bobMemory.id })).isError).toBe(true);
    expect((await call("forget", { id: bobMemory.id })).isError).toBe(true);
    expect((await t.mnemo.memory(bobMemory.id)).forgottenAt).toBeNull();
    // Its own user works.
    await call("remember", { content: "I like plums." });
    expect(text(await call("recall", { query: "plums" }))).toContain("plums");
  });
});

describe("MCP over HTTP: mnemo serve --mcp --mcp-pin-user", () => {
  it("regression: the X-Mnemo-User user is pinned; a userId argument for another user of the tenant is refused", async () => {
    const tmp = tempDir();
    const db = join(tmp.dir, "pin.db");
    const ks = KeyStore.open(db);
    const key = ks.create({ tenant: "acme", scopes: "read,write" }).key;
    ks.close();
    const server = await startServer({ port: 0, db, mcp: true, mcpPinUser: true, logLevel: "silent", rateLimit: false });
    try {
      const connectAs = async (user: string) => {
        const client = new Client({ name: "pin-test", version: "1.0.0" });
        await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}`, "x-mnemo-user": user } } }));
        return async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as ToolResult;
      };
      const bob = await connectAs("bob");
      await bob("remember", { content: `My locker number is ${PIN}.` });
      const alice = await connectAs("alice");
      const r = await alice("recall", { query: "locker number", userId: "bob", budgetTokens: 2000 });
      expect(r.isError).toBe(true);
      expect(JSON.stringify(r)).not.toContain(PIN);
      expect(JSON.stringify(await alice("recall", { query: "locker number", budgetTokens: 2000 }))).not.toContain(PIN);
    } finally {
      await server.close();
      tmp.cleanup();
    }
  });
});
