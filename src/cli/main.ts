#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { registerBenchCommands } from "./commands/bench.js";
import { registerDataCommands } from "./commands/data.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerMemoryCommands } from "./commands/memories.js";
import { registerMigrateCommand } from "./commands/migrate.js";
import { registerServiceCommands } from "./commands/services.js";
import { cliIo, withIo, type CliIo } from "./io.js";
import { registerUiCommand } from "./commands/ui.js";
import { EXIT, fail, type GlobalOptions } from "./output.js";
import v8 from "node:v8";

// MNEMO_LOW_MEMORY=1: V8 keeps a smaller heap — about a third less resident memory for a
// server, recalls ≈ 1.3× slower (docs/SCALING.md, "Memory of a server process").
// NODE_OPTIONS may not carry --optimize-for-size, so the CLI sets it itself.
if (process.env.MNEMO_LOW_MEMORY === "1") v8.setFlagsFromString("--optimize-for-size");

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

/**
 * Builds the `mnemo` command line program.
 *
 * @example
 * ```ts
 * await buildProgram().parseAsync(["node", "mnemo", "stats", "--json"]);
 * ```
 */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name("mnemo")
    .description("Long-term memory for LLM agents: remember conversations, recall what answers a question under a token budget.")
    .version(pkg.version)
    .option("--db <path>", "SQLite database file or postgres:// URL (default: $MNEMO_DB or the user data dir)")
    .option("--tenant <id>", "tenant", "default")
    .option("--embedder <spec>", "embedder: word-vectors (default), hashing, openai/<model>, ollama/<model>, local:<dir> (or $MNEMO_EMBEDDER)")
    .option("--llm <provider/model>", "extract memories with this model: openai/<model>, ollama/<model>, anthropic/<model>, … (or $MNEMO_LLM); default offline rules")
    .option("--json", "machine-readable JSON output")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => void cliIo().stdout.write(s), writeErr: (s) => void cliIo().stderr.write(s) });
  const g = (): GlobalOptions => {
    const o = program.opts<{ db?: string; tenant: string; json?: boolean; embedder?: string; llm?: string }>();
    return { db: o.db ?? process.env.MNEMO_DB, tenant: o.tenant, json: o.json, embedder: o.embedder ?? process.env.MNEMO_EMBEDDER, llm: o.llm ?? process.env.MNEMO_LLM };
  };
  registerDataCommands(program, g);
  registerMemoryCommands(program, g);
  registerDemoCommand(program, g);
  registerServiceCommands(program, g);
  registerBenchCommands(program, g);
  registerUiCommand(program, g);
  registerMigrateCommand(program, g);
  return program;
}

/**
 * Runs the CLI with the given argv; resolves to the exit code. Pass `io` to run in-process
 * with your own stdout/stderr (nothing is written to the process streams then, and
 * `process.exitCode` is left alone).
 *
 * @example
 * ```ts
 * run(process.argv).then((code) => { process.exitCode = code; }); // e.g. mnemo stats --json
 * let out = "";
 * await run(["node", "mnemo", "--db", "m.db", "stats", "--json"], { stdout: { write: (s) => ((out += s), true) }, stderr: process.stderr });
 * ```
 */
export async function run(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const program = buildProgram();
  const { value, exitCode } = await withIo(io, async (): Promise<number | undefined> => {
    try {
      await program.parseAsync(argv);
      return undefined;
    } catch (e) {
      if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      fail(e, program.opts<{ json?: boolean }>().json);
      return undefined;
    }
  });
  return value ?? exitCode ?? EXIT.ok;
}

const invokedDirectly = process.argv[1] !== undefined && /(?:^|[/\\])(main\.[jt]s|mnemo)$/.test(process.argv[1]);
if (invokedDirectly) {
  run(process.argv).then((code) => {
    process.exitCode = code;
  });
}
