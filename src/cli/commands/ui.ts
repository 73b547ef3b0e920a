import type { Command } from "commander";
import { existsSync } from "node:fs";
import { isPostgresUrl } from "../../store/postgres/driver.js";
import { resolve } from "node:path";
import { MnemoError } from "../../core/errors.js";
import { defaultDbPath } from "../../mnemo.js";
import { startServer, type RunningServer } from "../../server/main.js";
import { cliIo } from "../io.js";
import type { GlobalOptions } from "../output.js";

/**
 * Options of {@link startInspector}.
 *
 * @example
 * ```ts
 * const o: InspectorOptions = { db: "./mnemo.db", port: 0 };
 * ```
 */
export interface InspectorOptions {
  /** SQLite file (default: $MNEMO_DB or the user data dir). It must exist. */
  db?: string | undefined;
  /** Port (default 8181; 0 picks a free one). */
  port?: number | undefined;
  /** Loopback interface (default 127.0.0.1); any other host is refused. */
  host?: string | undefined;
  /** Tenant to inspect (default "default"). */
  tenant?: string | undefined;
  /** Log level (default "error": the no-key warning is the command's own message). */
  logLevel?: string | undefined;
  /** Install SIGINT/SIGTERM handlers (the CLI does). */
  handleSignals?: boolean | undefined;
}

/**
 * Serves the web inspector for a local store on loopback, without keys (the `mnemo ui`
 * command). Resolves to the running server; the inspector is at `${url}/ui`.
 *
 * @example
 * ```ts
 * const s = await startInspector({ db: "./mnemo.db", port: 0 });
 * console.log(`${s.url}/ui`);
 * await s.close();
 * ```
 */
export async function startInspector(o: InspectorOptions = {}): Promise<RunningServer> {
  const given = o.db ?? defaultDbPath();
  const db = isPostgresUrl(given) ? given : resolve(given);
  if (!isPostgresUrl(db) && !existsSync(db)) {
    throw new MnemoError("NOT_FOUND", `No store at ${db}.`, { hint: "Pass --db <file> of an existing store (e.g. made by `mnemo import` or `mnemo demo`)." });
  }
  return startServer({
    db,
    port: o.port ?? 8181,
    host: o.host ?? "127.0.0.1",
    auth: false,
    defaultTenant: o.tenant,
    logLevel: o.logLevel ?? "error",
    rateLimit: false,
    handleSignals: o.handleSignals ?? false,
  });
}

/**
 * Registers `mnemo ui`: the web inspector for a local file, on loopback without keys.
 *
 * @example
 * ```ts
 * const program = new Command("mnemo");
 * registerUiCommand(program, () => program.opts<GlobalOptions>());
 * ```
 */
export function registerUiCommand(program: Command, g: () => GlobalOptions): void {
  program
    .command("ui")
    .description("web inspector for a local store at http://127.0.0.1:8181/ui (loopback only, no key; with keys use `mnemo serve` and open /ui)")
    .option("--port <n>", "port (0 picks a free one)", "8181")
    .option("--host <addr>", "loopback interface", "127.0.0.1")
    .action(async (o: { port: string; host: string }) => {
      const opts = g();
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MnemoError("INVALID_CONFIG", "--port must be an integer from 0 to 65535.");
      const s = await startInspector({ db: opts.db, port, host: o.host, tenant: opts.tenant, handleSignals: true });
      cliIo().stderr.write(`mnemo ui: open ${s.url}/ui (tenant ${opts.tenant}, no key on loopback; Ctrl-C stops)\n`);
    });
}
