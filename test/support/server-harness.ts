/**
 * Test helpers for the HTTP API: an in-process app (requests go through `app.request`,
 * no sockets), a real server on a random loopback port, and a server in a child process
 * (for crash tests). Every helper works in its own temp directory and cleans it up.
 *
 * @example
 * ```ts
 * const t = await createTestApp();
 * const client = t.client(t.key("acme", "read,write,admin"));
 * await client.remember({ userId: "u1", messages: [{ content: "hi" }] });
 * await t.close();
 * ```
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { KeyStore } from "../../src/auth/keys.js";
import { MnemoClient } from "../../src/client/index.js";
import type { MnemoOptions } from "../../src/core/options.js";
import { Mnemo } from "../../src/mnemo.js";
import { createApp, type AppOptions, type MnemoApp } from "../../src/server/app.js";
import { serverState } from "../../src/server/state.js";

/** The repository root. */
export const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** A fresh temp directory; removed by the returned cleanup. */
export function tempDir(prefix = "mnemo-srv-"): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An in-process app over a temp SQLite file. */
export interface TestApp {
  dir: string;
  dbPath: string;
  mnemo: Mnemo;
  keys: KeyStore;
  app: MnemoApp;
  /** A fetch that routes through `app.request`. */
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  /** Creates a key and returns it. */
  key(tenant: string, scopes?: string): string;
  /** A client over the in-process app. */
  client(apiKey?: string, retries?: number): MnemoClient;
  /** Raw request helper. */
  request(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  close(): Promise<void>;
}

/** Creates an in-process app (logs silenced, rate limit off unless given). */
export async function createTestApp(options: AppOptions & { mnemoOptions?: Omit<MnemoOptions, "path">; db?: string } = {}): Promise<TestApp> {
  const { dir, cleanup } = tempDir();
  const { mnemoOptions, db, ...appOptions } = options;
  // `db`: another store (a postgres:// URL). Its Idempotency-Key replies live in it, as in
  // `mnemo serve`; keys live in a side file here, so that `key()` can stay synchronous.
  const dbPath = db ?? join(dir, "mnemo.db");
  const sidePath = db ? join(dir, "keys.db") : dbPath;
  const mnemo = await Mnemo.open({ ...mnemoOptions, path: dbPath });
  const keys = KeyStore.open(sidePath);
  const idempotency = db ? serverState(mnemo.store, db).idempotency : undefined;
  const app = createApp({ mnemo, keys, options: { logLevel: "silent", rateLimit: false, dbPath: idempotency ? null : sidePath, idempotency, ...appOptions } });
  const fetchFn = (input: string, init: RequestInit) => Promise.resolve(app.request(input, init));
  return {
    dir,
    dbPath,
    mnemo,
    keys,
    app,
    fetch: fetchFn,
    key: (tenant, scopes = "read,write,admin") => keys.create({ tenant, scopes }).key,
    client: (apiKey, retries = 0) => new MnemoClient({ baseUrl: "http://mnemo.test", apiKey, fetch: fetchFn, retries }),
    request: (path, init = {}) => {
      const { key, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key) headers.set("authorization", `Bearer ${key}`);
      return Promise.resolve(app.request(path, { ...rest, headers }));
    },
    close: async () => {
      app.dispose();
      keys.close();
      await mnemo.close();
      cleanup();
    },
  };
}

/** A server running in a child process. */
export interface SpawnedServer {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code/signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Log lines seen on stdout (pino JSON, one per request at the default level). */
  logs: string[];
}

/**
 * Spawns `node --import tsx src/server/main.ts --port 0 --db <db> ...args` (one process, so
 * that kill -9 hits the server itself) and waits for its "listening" log line.
 */
export async function spawnServer(db: string, args: string[] = [], env: Record<string, string> = {}): Promise<SpawnedServer> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/server/main.ts"), "--port", "0", "--db", db, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_NO_WARNINGS: "1", ...env },
  });
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once("exit", (code, signal) => r({ code, signal })));
  let stderr = "";
  createInterface({ input: child.stdout! }).on("line", (line) => logs.push(line));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s: ${stderr}`)), 30_000);
    createInterface({ input: child.stderr! }).on("line", (line) => {
      stderr += line + "\n";
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${stderr}`));
    });
  });
  return { url, child, exited, logs };
}

/** SHA-256 of a string. */
export function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}
