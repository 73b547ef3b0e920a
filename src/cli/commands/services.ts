import type { Command } from "commander";
import { runKeysCommand } from "../../auth/cli.js";
import { runMcpCommand } from "../../mcp/main.js";
import { runServeCommand } from "../../server/main.js";
import { cliIo } from "../io.js";
import type { GlobalOptions } from "../output.js";

const SERVE_HELP = `usage: mnemo serve [--port 8080] [--host 127.0.0.1] [--db <path|postgres://URL>] [--mcp] [--mcp-pin-user] [--no-auth]
                   [--body-limit <bytes>] [--import-limit <bytes>] [--rate-limit <req/s per key, 0 = off>] [--burst <n>]
                   [--metrics-auth] [--timeout <ms>] [--log-level info]
HTTP API (see docs/SERVER.md and GET /openapi.json); --mcp also serves MCP at /mcp (--mcp-pin-user: tools only
reach the X-Mnemo-User user). --metrics-auth: GET /metrics needs a key with the metrics or admin scope.
--no-auth is accepted only on a loopback host, and only from this server's own origin. API keys and
Idempotency-Key replies live in the store's database (a postgres:// store: shared by every server on it).`;
const MCP_HELP = `usage: mnemo mcp [--db <path|postgres://URL>] [--user <id>] [--tenant <id>] [--pin-user]
MCP server on stdio (tools: remember, recall, list_memories, get_memory, forget, delete_message, search_nodes, open_nodes, read_graph).
--pin-user: every tool acts for --user only (a userId argument naming another user is refused).`;
const KEYS_HELP = `usage: mnemo keys create --tenant <name> [--scopes read,write,admin,metrics] [--name <label>]
       mnemo keys list [--tenant <name>]
       mnemo keys revoke <id>
(all take --db <path|postgres://URL> and --json; keys live in that store's database)`;

/** Adds the global --db / --tenant / --json to a pass-through argv when the command lacks them. */
function withGlobals(args: string[], g: GlobalOptions, take: { db?: boolean; tenant?: boolean; json?: boolean }): string[] {
  const out = [...args];
  if (take.db && g.db && !out.includes("--db")) out.push("--db", g.db);
  if (take.tenant && g.tenant !== "default" && !out.includes("--tenant")) out.push("--tenant", g.tenant);
  if (take.json && g.json && !out.includes("--json")) out.push("--json");
  return out;
}

function passThrough(program: Command, name: string, description: string, help: string, run: (args: string[]) => Promise<void>): void {
  program
    .command(name)
    .description(description)
    .helpOption(false)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .argument("[args...]")
    .action(async (args: string[]) => {
      if (args.includes("--help") || args.includes("-h")) {
        cliIo().stdout.write(help + "\n");
        return;
      }
      await run(args);
    });
}

/**
 * Registers serve, mcp and keys (implemented in src/server, src/mcp, src/auth).
 *
 * @example
 * ```ts
 * const program = new Command("mnemo");
 * registerServiceCommands(program, () => program.opts<GlobalOptions>());
 * ```
 */
export function registerServiceCommands(program: Command, g: () => GlobalOptions): void {
  passThrough(program, "serve", "HTTP API server with API keys (and MCP over HTTP with --mcp); `mnemo serve --help`", SERVE_HELP, async (args) => {
    await runServeCommand(withGlobals(args, g(), { db: true }));
  });
  passThrough(program, "mcp", "MCP server on stdio for Claude Desktop, Cursor, VS Code; `mnemo mcp --help`", MCP_HELP, async (args) => {
    await runMcpCommand(withGlobals(args, g(), { db: true, tenant: true }));
  });
  passThrough(program, "keys", "create, list and revoke API keys; `mnemo keys --help`", KEYS_HELP, async (args) => {
    cliIo().stdout.write((await runKeysCommand(withGlobals(args, g(), { json: true, tenant: true }), { db: g().db })) + "\n");
  });
}
