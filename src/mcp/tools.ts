import { createRequire } from "node:module";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { MnemoError } from "../core/errors.js";
import { MEMORY_KINDS, type MemoryKind } from "../core/types.js";
import { ADDABLE_KINDS } from "../lifecycle/add.js";
import type { KeyScope } from "../auth/keys.js";
import type { Mnemo } from "../mnemo.js";
import { SCOPE_ID_RE } from "../server/schemas.js";
import { toApiMemory, toApiRecallResult } from "../server/types.js";
import { SENSITIVE_POLICIES } from "../recall/policy.js";
import { openNodes, readGraph, searchGraph, type KnowledgeGraph } from "./graph.js";

/**
 * What an MCP server instance serves: one tenant (from the API key or `--tenant`) and a
 * default user (from `--user`, the `X-Mnemo-User` header, or "default").
 *
 * @example
 * ```ts
 * const o: McpToolsOptions = { mnemo, tenant: "default", userId: "default" };
 * ```
 */
export interface McpToolsOptions {
  mnemo: Mnemo;
  tenant: string;
  userId: string;
  /** Scopes of the caller; tools that need a missing scope are not listed. Default: all. */
  scopes?: readonly KeyScope[] | undefined;
  /**
   * Pin every tool to `userId`: a `userId` argument naming another user is FORBIDDEN, and
   * tools by id (get_memory, forget, delete_message) only reach this user's records.
   * Default false: any user of the tenant (the key is the tenant's).
   */
  pinUser?: boolean | undefined;
  /** Runs writes one at a time (the HTTP server passes its write queue). */
  write?: (<T>(fn: () => Promise<T>) => Promise<T>) | undefined;
}

const userIdArg = z.string().regex(SCOPE_ID_RE, "userId must be 1-200 letters, digits, '-', '_', '.', ':' or '@'").optional().describe("Whose memory (default: the server's user).");
const messageArg = z.object({
  content: z.string().min(1).max(100_000),
  role: z.string().min(1).max(50).optional(),
  speaker: z.string().min(1).max(200).optional(),
  occurredAt: z.string().min(1).max(100).optional().describe("ISO 8601 time (default: now)."),
  id: z.string().min(1).max(500).optional().describe("Your message id; re-sending it stores nothing new."),
});

function packageVersion(): string {
  try {
    const v = (createRequire(import.meta.url)("../../package.json") as { version?: unknown }).version;
    return typeof v === "string" ? v : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

function text(s: string, structured?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: s }], ...(structured ? { structuredContent: structured } : {}) };
}

function graphResult(g: KnowledgeGraph): CallToolResult {
  return text(JSON.stringify(g, null, 2), { entities: g.entities, relations: g.relations });
}

async function guarded(fn: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof MnemoError) return { isError: true, content: [{ type: "text", text: `${e.code}: ${e.message}\nHint: ${e.hint}` }] };
    return { isError: true, content: [{ type: "text", text: `INTERNAL: ${(e as Error).message ?? "The tool failed."}` }] };
  }
}

/**
 * Creates an MCP server exposing Mnemo as tools: `remember`, `add_memory`, `recall`, `list_memories`,
 * `get_memory`, `forget`, `delete_message`, and the official memory server's read tools `search_nodes`,
 * `open_nodes`, `read_graph` (entities as nodes, their memories as observations).
 * Read-only tools carry `readOnlyHint`.
 *
 * @example
 * ```ts
 * const server = createMcpServer({ mnemo, tenant: "default", userId: "alice" });
 * await server.connect(new StdioServerTransport());
 * ```
 */
export function createMcpServer(options: McpToolsOptions): McpServer {
  const { mnemo, tenant } = options;
  const scopes = new Set(options.scopes ?? ["read", "write", "admin"]);
  const write = options.write ?? (<T>(fn: () => Promise<T>) => fn());
  const pinned = options.pinUser === true;
  const scopeOf = (userId: string | undefined) => {
    if (pinned && userId !== undefined && userId !== options.userId) throw new MnemoError("FORBIDDEN", `This MCP server is pinned to user ${JSON.stringify(options.userId)}.`, { hint: "Leave userId out, or connect as that user." });
    return { tenant, userId: userId ?? options.userId };
  };
  /** Scope of tools that act on a record by id: the pinned user, else the whole tenant. */
  const byId = pinned ? { tenant, userId: options.userId } : { tenant };
  const server = new McpServer(
    { name: "mnemo", version: packageVersion() },
    { instructions: "Mnemo is long-term memory. Call `recall` before answering questions about the user or past conversations; call `remember` with what the user said that is worth keeping." },
  );

  if (scopes.has("write")) {
    server.registerTool(
      "remember",
      {
        title: "Remember",
        description: "Store what was said (one text or a list of messages); Mnemo keeps it verbatim and distils time-aware memories from it.",
        inputSchema: {
          content: z.string().min(1).max(100_000).optional().describe("One message to remember (said by the user unless `speaker` is given)."),
          speaker: z.string().min(1).max(200).optional(),
          messages: z.array(messageArg).min(1).max(1000).optional().describe("Several messages, oldest first."),
          sessionId: z.string().regex(SCOPE_ID_RE).optional(),
          userId: userIdArg,
        },
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      },
      (args) =>
        guarded(async () => {
          const messages = args.messages ?? (args.content !== undefined ? [{ content: args.content, ...(args.speaker ? { speaker: args.speaker } : { role: "user" }) }] : []);
          if (messages.length === 0) throw new MnemoError("INVALID_INPUT", "Pass `content` or `messages`.");
          const r = await write(() => mnemo.remember(messages, { ...scopeOf(args.userId), sessionId: args.sessionId }));
          const m = r.memories;
          return text(
            `Stored ${r.episodes.added} message(s) (${r.episodes.duplicates} already known). Memories: ${m.added} added, ${m.updated} updated, ${m.invalidated} invalidated, ${m.unchanged} unchanged.`,
            { episodes: r.episodes, memories: r.memories },
          );
        }),
    );
  }

  server.registerTool(
    "recall",
    {
      title: "Recall",
      description: "Find what Mnemo remembers that answers a question, as a dated context block within a token budget.",
      inputSchema: {
        query: z.string().min(1).max(10_000),
        budgetTokens: z.number().int().min(1).max(100_000).optional().describe("Largest context to return, in tokens (default 1000)."),
        asOf: z.string().min(1).max(100).optional().describe("Answer as of this ISO 8601 time."),
        kinds: z.array(z.enum(MEMORY_KINDS)).optional(),
        citeSources: z.boolean().optional().describe("End each context line with its source id, e.g. (D1:3)."),
        sensitive: z.enum(SENSITIVE_POLICIES).optional().describe("Sensitive memories (health, finances, …): relevant (default) only when the question is about them, exclude, include."),
        includeQuarantined: z.boolean().optional().describe("Also recall quarantined episodes (suspected injections), marked as such."),
        userId: userIdArg,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        const r = await mnemo.recall(args.query, {
          ...scopeOf(args.userId), budgetTokens: args.budgetTokens, asOf: args.asOf, kinds: args.kinds, citeSources: args.citeSources,
          sensitive: args.sensitive, includeQuarantined: args.includeQuarantined,
        });
        return text(r.context || "Nothing relevant is remembered.", { context: r.context, contextTokens: r.contextTokens, results: r.results.map(toApiRecallResult), withheld: r.withheld });
      }),
  );

  server.registerTool(
    "list_memories",
    {
      title: "List memories",
      description: "List a user's memories, newest first (paginated).",
      inputSchema: {
        userId: userIdArg,
        kind: z.enum(MEMORY_KINDS).optional(),
        cursor: z.string().regex(/^[0-9a-z]{1,12}$/).optional(),
        limit: z.number().int().min(1).max(200).optional(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        const kinds: MemoryKind[] | undefined = args.kind ? [args.kind] : undefined;
        const page = await mnemo.memories({ ...scopeOf(args.userId), kinds, cursor: args.cursor, limit: args.limit ?? 50 });
        const lines = page.items.map((m) => `- ${m.id} (${m.kind}) ${m.text}`);
        if (page.nextCursor) lines.push(`(more: cursor ${page.nextCursor})`);
        return text(lines.join("\n") || "No memories.", { items: page.items.map(toApiMemory), nextCursor: page.nextCursor });
      }),
  );

  server.registerTool(
    "get_memory",
    {
      title: "Get memory",
      description: "One memory by id, with its dates and sources.",
      inputSchema: { id: z.string().min(1).max(200) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      guarded(async () => {
        const m = toApiMemory(await mnemo.memory(args.id, byId));
        return text(JSON.stringify(m, null, 2), m);
      }),
  );

  if (scopes.has("write")) {
    server.registerTool(
      "forget",
      {
        title: "Forget",
        description: "Forget a memory by id: it, and the messages it came from, are never recalled again (it stays in history).",
        inputSchema: { id: z.string().min(1).max(200) },
        annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      },
      (args) =>
        guarded(async () => {
          const m = await write(() => mnemo.forget(args.id, byId));
          return text(`Forgot ${m.id}: ${m.text}`, { id: m.id, forgottenAt: m.forgottenAt });
        }),
    );

    server.registerTool(
      "delete_message",
      {
        title: "Delete message",
        description: "Delete one remembered message (by its episode id or your message id): never recalled again; memories that came only from it are deleted too.",
        inputSchema: { id: z.string().min(1).max(500), userId: userIdArg },
        annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
      },
      (args) =>
        guarded(async () => {
          const r = await write(() => mnemo.deleteEpisode(args.id, scopeOf(args.userId)));
          return text(`Deleted message ${r.id}; ${r.memoriesDeleted} memory(ies) deleted with it, ${r.memoriesUpdated} updated.`, { ...r });
        }),
    );
  }

  if (scopes.has("write")) {
    server.registerTool(
      "add_memory",
      {
        title: "Add memory",
        description: "Save a fact, preference or instruction about the user directly (no conversation needed). Write one self-contained sentence. Adding the same key again replaces it.",
        inputSchema: {
          kind: z.enum(ADDABLE_KINDS).describe("fact, preference, instruction, event or profile"),
          text: z.string().min(1).max(10_000).describe("e.g. 'Alice prefers window seats.'"),
          key: z.string().min(1).max(1000).optional().describe("Your key: adding again with it replaces the text."),
          userId: userIdArg,
        },
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      },
      (args) =>
        guarded(async () => {
          const r = await write(() => mnemo.add({ kind: args.kind, text: args.text, key: args.key }, scopeOf(args.userId)));
          return text(`${r.created ? "Added" : r.changed ? "Updated" : "Already known"} ${r.memory.id}: ${r.memory.text}`, { id: r.memory.id, created: r.created, changed: r.changed });
        }),
    );
  }

  server.registerTool(
    "search_nodes",
    {
      title: "Search nodes",
      description: "Search the knowledge graph: entities whose name, type or observations contain the query.",
      inputSchema: { query: z.string().min(1).max(1000).describe("The text to match against entity names, types, and observation content") },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) => guarded(async () => graphResult(searchGraph(await readGraph(mnemo, scopeOf(undefined)), args.query))),
  );

  server.registerTool(
    "open_nodes",
    {
      title: "Open nodes",
      description: "Open entities of the knowledge graph by name.",
      inputSchema: { names: z.array(z.string().min(1).max(500)).max(1000).describe("An array of entity names to retrieve") },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) => guarded(async () => graphResult(openNodes(await readGraph(mnemo, scopeOf(undefined)), args.names))),
  );

  server.registerTool(
    "read_graph",
    {
      title: "Read graph",
      description: "Read the whole knowledge graph: entities with their memories as observations, and co-mention relations.",
      inputSchema: {},
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () => guarded(async () => graphResult(await readGraph(mnemo, scopeOf(undefined)))),
  );

  return server;
}
