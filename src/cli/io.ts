import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Where a CLI run writes and reads: the process streams by default, or buffers injected by
 * a caller that runs commands in-process (tests, embedding hosts).
 *
 * @example
 * ```ts
 * let out = "";
 * const io: CliIo = { stdout: { write: (s) => ((out += s), true) }, stderr: { write: () => true } };
 * ```
 */
export interface CliIo {
  stdout: { write(chunk: string): boolean; isTTY?: boolean | undefined };
  stderr: { write(chunk: string): boolean; isTTY?: boolean | undefined };
  /** Reads all of stdin (for `-` file arguments); default reads file descriptor 0. */
  readStdin?: (() => string) | undefined;
}

interface IoState {
  io: CliIo;
  exitCode: number | undefined;
}

const store = new AsyncLocalStorage<IoState>();

/**
 * The streams of the current CLI run (the process streams outside {@link withIo}).
 *
 * @example
 * ```ts
 * cliIo().stdout.write("done\n");
 * ```
 */
export function cliIo(): CliIo {
  return store.getStore()?.io ?? { stdout: process.stdout, stderr: process.stderr };
}

/**
 * Sets the exit code of the current run (the process exit code outside {@link withIo}).
 *
 * @example
 * ```ts
 * setExitCode(4); // not found
 * ```
 */
export function setExitCode(code: number): void {
  const s = store.getStore();
  if (s) s.exitCode = code;
  else process.exitCode = code;
}

/**
 * The exit code set so far in the current run, if any.
 *
 * @example
 * ```ts
 * const code = currentExitCode() ?? 0;
 * ```
 */
export function currentExitCode(): number | undefined {
  const s = store.getStore();
  if (s) return s.exitCode;
  return typeof process.exitCode === "number" ? process.exitCode : undefined;
}

/**
 * Runs `fn` with `io` as the CLI streams; resolves to fn's result and the exit code it set.
 *
 * @example
 * ```ts
 * const { exitCode } = await withIo(io, () => program.parseAsync(argv));
 * ```
 */
export async function withIo<T>(io: CliIo, fn: () => Promise<T>): Promise<{ value: T; exitCode: number | undefined }> {
  const state: IoState = { io, exitCode: undefined };
  const value = await store.run(state, fn);
  return { value, exitCode: state.exitCode };
}
