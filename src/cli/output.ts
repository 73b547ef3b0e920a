import { MnemoError } from "../core/errors.js";
import { cliIo, setExitCode } from "./io.js";

/**
 * Global CLI options shared by every command.
 *
 * @example
 * ```ts
 * const g: GlobalOptions = { db: "mnemo.db", embedder: "hashing:512", tenant: "default", json: true };
 * ```
 */
export interface GlobalOptions {
  db?: string;
  /** Embedder spec (see createEmbedder); default the bundled word vectors. */
  embedder?: string;
  /** Chat model spec (see createLLM) for LLM extraction; default the offline extractor. */
  llm?: string;
  tenant: string;
  json?: boolean;
}

/**
 * Exit codes: 0 ok, 1 internal error, 2 usage, 3 invalid input, 4 not found, 5 conflict, 6 provider failure.
 *
 * @example
 * ```ts
 * process.exitCode = EXIT.notFound; // 4
 * ```
 */
export const EXIT = { ok: 0, internal: 1, usage: 2, invalid: 3, notFound: 4, conflict: 5, provider: 6 } as const;

/**
 * The exit code for an error.
 *
 * @example
 * ```ts
 * exitCodeFor(new MnemoError("NOT_FOUND", "No memory mem_1.")); // 4 (EXIT.notFound)
 * exitCodeFor(new Error("boom")); // 1 (EXIT.internal)
 * ```
 */
export function exitCodeFor(e: unknown): number {
  if (!(e instanceof MnemoError)) return EXIT.internal;
  const s = e.httpStatus;
  if (s === 404) return EXIT.notFound;
  if (s === 409) return EXIT.conflict;
  if (s === 502) return EXIT.provider;
  if (s >= 400 && s < 500) return EXIT.invalid;
  return EXIT.internal;
}

/**
 * Prints a result as JSON or through `human`.
 *
 * @example
 * ```ts
 * print(opts.json, stats, () => `${stats.memories} memories`);
 * ```
 */
export function print(json: boolean | undefined, value: unknown, human: () => string): void {
  cliIo().stdout.write((json ? JSON.stringify(value, null, 2) : human()) + "\n");
}

/**
 * Prints an error (JSON to stderr with --json) and sets the exit code.
 *
 * @example
 * ```ts
 * fail(new MnemoError("INVALID_INPUT", "--budget must be a positive integer."), false); // stderr + exit code 3
 * ```
 */
export function fail(e: unknown, json: boolean | undefined): void {
  const err = e instanceof MnemoError ? e : new MnemoError("STORE_ERROR", e instanceof Error ? e.message : String(e));
  const { stderr } = cliIo();
  if (json) stderr.write(JSON.stringify({ error: err.toJSON() }) + "\n");
  else stderr.write(`error ${err.code}: ${err.message}\nhint: ${err.hint}\n`);
  setExitCode(exitCodeFor(e));
}

/**
 * Parses a comma-separated list option.
 *
 * @example
 * ```ts
 * list("conv-26, conv-30,"); // ["conv-26", "conv-30"]
 * list(undefined); // undefined
 * ```
 */
export function list(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return v.split(",").map((x) => x.trim()).filter((x) => x.length > 0);
}

/**
 * Parses a positive integer option, or throws INVALID_INPUT.
 *
 * @example
 * ```ts
 * int("--budget", "300", 1000); // 300
 * int("--budget", undefined, 1000); // 1000
 * ```
 */
export function int(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new MnemoError("INVALID_INPUT", `${name} must be a positive integer, got ${JSON.stringify(v)}.`);
  return n;
}

/**
 * A minimal progress bar on stderr, shown only when stdout is a TTY.
 *
 * @example
 * ```ts
 * const bar = progress("importing");
 * bar.update(50, 200);
 * bar.stop();
 * ```
 */
export function progress(label: string): { update(done: number, total: number): void; stop(): void } {
  const io = cliIo();
  const tty = io.stdout.isTTY === true && io.stderr.isTTY === true;
  let last = 0;
  return {
    update(done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 80 && done < total) return;
      last = now;
      const width = 30;
      const filled = total > 0 ? Math.round((done / total) * width) : 0;
      io.stderr.write(`\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`);
    },
    stop() {
      if (tty) io.stderr.write("\n");
    },
  };
}
