import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { parseArgs } from "node:util";
import { Mnemo, defaultDbPath } from "../mnemo.js";
import { WriteQueue } from "../server/queue.js";
import { createMcpServer } from "./tools.js";
import { isMainModule } from "../core/main-module.js";
import { preloadHeavyDeps } from "../core/lazy-deps.js";

/**
 * Options of {@link runMcpStdio}.
 *
 * @example
 * ```ts
 * const o: McpStdioOptions = { db: "./mnemo.db", userId: "alice", tenant: "default" };
 * ```
 */
export interface McpStdioOptions {
  /** SQLite file (default: $MNEMO_DB or the user data directory). */
  db?: string | undefined;
  /** Tenant of every call (default "default"). */
  tenant?: string | undefined;
  /** Default user of every tool (default "default"). */
  userId?: string | undefined;
  /** Pin every tool to `userId`: a `userId` argument naming another user is refused (`mnemo mcp --pin-user`). */
  pinUser?: boolean | undefined;
  /** An already open Mnemo (then `db` is ignored and the caller closes it). */
  mnemo?: Mnemo | undefined;
  /** Streams (default: process.stdin / process.stdout). */
  stdin?: NodeJS.ReadableStream | undefined;
  stdout?: NodeJS.WritableStream | undefined;
}

/**
 * Serves Mnemo over MCP on stdio (for Claude Desktop, Cursor, VS Code…). Resolves once
 * connected; `closed` resolves when the client disconnects (the store is then closed).
 * Logs go to stderr only: stdout carries the protocol.
 *
 * @example
 * ```ts
 * const mcp = await runMcpStdio({ db: "./mnemo.db", tenant: "default", userId: "alice" });
 * await mcp.closed;
 * ```
 */
export async function runMcpStdio(options: McpStdioOptions = {}): Promise<{ close(): Promise<void>; closed: Promise<void> }> {
  const mnemo = options.mnemo ?? (await Mnemo.open({ path: options.db ?? defaultDbPath() }));
  const queue = new WriteQueue();
  const server = createMcpServer({
    mnemo,
    tenant: options.tenant ?? "default",
    userId: options.userId ?? "default",
    pinUser: options.pinUser,
    write: (fn) => queue.run(fn),
  });
  const transport = new StdioServerTransport(options.stdin as NodeJS.ReadStream | undefined, options.stdout as NodeJS.WriteStream | undefined);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | null = null;
  // server.close() closes the transport, whose onclose calls close() again before the
  // first call has returned its promise: a flag set first stops that recursion.
  let started = false;
  const close = (): Promise<void> => {
    if (started) return closing ?? closed;
    started = true;
    closing = (async () => {
      await server.close().catch(() => undefined);
      if (!options.mnemo) await mnemo.close();
      resolveClosed();
    })();
    return closing;
  };
  transport.onclose = () => void close();
  (options.stdin ?? process.stdin).once("end", () => void close());
  await server.connect(transport);
  return { close, closed };
}


/**
 * The `mnemo mcp` command: parses `--db`, `--user`, `--tenant` and `--pin-user`, serves MCP on stdio and
 * resolves when the client disconnects.
 *
 * @example
 * ```ts
 * await runMcpCommand(["--db", "./mnemo.db", "--user", "alice"]);
 * ```
 */
export async function runMcpCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { db: { type: "string" }, user: { type: "string" }, tenant: { type: "string" }, "pin-user": { type: "boolean" } },
    strict: true,
  });
  const { closed } = await runMcpStdio({ db: values.db, userId: values.user, tenant: values.tenant, pinUser: values["pin-user"] });
  // The first tool call must not pay for loading the NLP and tokenizer modules.
  preloadHeavyDeps();
  await closed;
}

if (isMainModule(import.meta.url)) {
  runMcpCommand(process.argv.slice(2))
    .then(() => process.exit(0))
    .catch((e: unknown) => {
      process.stderr.write(`mnemo mcp: ${(e as Error).message}\n`);
      process.exit(1);
    });
}
