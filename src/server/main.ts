import { serverState } from "./state.js";
import { createAdaptorServer } from "@hono/node-server";
import type { Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { pino, type Logger } from "pino";
import { MnemoError } from "../core/errors.js";
import type { MnemoOptions } from "../core/options.js";
import { Mnemo, defaultDbPath } from "../mnemo.js";
import { redactUrl } from "../store/postgres/driver.js";
import { createApp, type AppOptions } from "./app.js";
import { Lifecycle } from "./lifecycle.js";
import { isMainModule } from "../core/main-module.js";
import { preloadHeavyDeps } from "../core/lazy-deps.js";

/**
 * Options of {@link startServer}; everything is optional.
 *
 * @example
 * ```ts
 * const o: StartServerOptions = { port: 0, db: "./mnemo.db", mcp: true, handleSignals: true };
 * ```
 */
export interface StartServerOptions {
  /** TCP port (default 8080; 0 picks a free one). */
  port?: number | undefined;
  /** Interface (default 127.0.0.1). */
  host?: string | undefined;
  /** SQLite file (default: $MNEMO_DB or the user data directory). */
  db?: string | undefined;
  /** Require API keys (default true). `false` is refused unless `host` is a loopback address. */
  auth?: boolean | undefined;
  /** Tenant of every request when `auth` is false (default "default"). */
  defaultTenant?: string | undefined;
  /** Also serve MCP (Streamable HTTP) at /mcp. */
  mcp?: boolean | undefined;
  /** Largest body in bytes (default 1 MiB). */
  bodyLimitBytes?: number | undefined;
  /** Largest POST /v1/import body in bytes (default 64 MiB). */
  importBodyLimitBytes?: number | undefined;
  /** GET /metrics needs a key with the metrics or admin scope. */
  metricsAuth?: boolean | undefined;
  /** MCP tools only reach the X-Mnemo-User user. */
  mcpPinUser?: boolean | undefined;
  /** Per-key token bucket (default 50/s, burst 100); false disables it. */
  rateLimit?: { rate: number; burst?: number | undefined } | false | undefined;
  /** Per-request time limit (default 30 s). */
  requestTimeoutMs?: number | undefined;
  /** How long shutdown waits for in-flight requests (default 10 s). */
  drainTimeoutMs?: number | undefined;
  /** Log level (default "info"), or a logger. */
  logLevel?: string | undefined;
  logger?: Logger | undefined;
  /** Extra options for Mnemo.open (path comes from `db`). */
  mnemoOptions?: Omit<MnemoOptions, "path"> | undefined;
  /** Install SIGTERM/SIGINT handlers that close the server gracefully (default false). */
  handleSignals?: boolean | undefined;
}

/**
 * A running server.
 *
 * @example
 * ```ts
 * const s: RunningServer = await startServer({ port: 0 }); await fetch(`${s.url}/healthz`); await s.close();
 * ```
 */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  port: number;
  /** Graceful shutdown: stop accepting, drain in-flight requests, close the store. Idempotent. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1"]);

/**
 * True when `host` only listens on the loopback interface.
 *
 * @example
 * ```ts
 * isLoopback("127.0.0.1"); // true
 * isLoopback("0.0.0.0");   // false
 * ```
 */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Starts the HTTP API (and /mcp when `mcp`) on @hono/node-server. Writes are answered only
 * after their SQLite commit; `close()` drains in-flight requests before closing the store.
 * This is what `mnemo serve` calls.
 *
 * @example
 * ```ts
 * const server = await startServer({ port: 8080, db: "./mnemo.db" });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const auth = options.auth ?? true;
  const logger = options.logger ?? pino({ level: options.logLevel ?? "info" });
  if (!auth && !isLoopback(host)) {
    throw new MnemoError("INVALID_CONFIG", `--no-auth is only allowed on a loopback host, not ${JSON.stringify(host)}.`, { hint: "Bind to 127.0.0.1, or create a key with `mnemo keys create --tenant <name>`." });
  }
  if (!auth) logger.warn({ host }, "authentication is OFF: every request acts as tenant \"default\" with all scopes (loopback only)");
  const db = options.db ?? defaultDbPath();
  const mnemo = await Mnemo.open({ ...options.mnemoOptions, path: db });
  // Keys and Idempotency-Key replies live in the store's database (shared by every process on a PostgreSQL store).
  const state = serverState(mnemo.store, db);
  const keys = state.keys;
  const lifecycle = new Lifecycle();
  const appOptions: AppOptions = {
    auth,
    defaultTenant: options.defaultTenant,
    bodyLimitBytes: options.bodyLimitBytes,
    importBodyLimitBytes: options.importBodyLimitBytes,
    metricsAuth: options.metricsAuth,
    mcpPinUser: options.mcpPinUser,
    rateLimit: options.rateLimit,
    requestTimeoutMs: options.requestTimeoutMs,
    logger,
    dbPath: state.dbPath,
    idempotency: state.idempotency,
    mcp: options.mcp,
    lifecycle,
  };
  const app = createApp({ mnemo, keys, options: appOptions });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  // Track each response until it is flushed to the socket (the app's own tracking ends when the
  // Response object exists, before @hono/node-server has written it).
  server.on("request", (_req, res: ServerResponse) => void lifecycle.track(new Promise<void>((r) => res.once("close", () => r()))));
  const timeout = options.requestTimeoutMs ?? 30_000;
  server.requestTimeout = timeout + 5_000;
  server.headersTimeout = Math.min(60_000, timeout + 5_000);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`;
  logger.info({ url, db: redactUrl(db), auth, mcp: options.mcp ?? false }, "listening");

  let closing: Promise<void> | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, "shutting down");
    void close().then(() => process.exit(0));
  };
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      lifecycle.draining = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drained = await lifecycle.drain(options.drainTimeoutMs ?? 10_000);
      if (!drained) logger.warn({ inFlight: lifecycle.size }, "drain timed out; closing anyway");
      server.closeAllConnections();
      await stopped;
      app.dispose();
      state.close();
      await mnemo.close();
      if (options.handleSignals) {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      }
      logger.info("closed");
    })());
  if (options.handleSignals) {
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  }
  return { url, port: addr.port, close };
}


/**
 * Parses `serve` arguments (`--port --host --db --no-auth --mcp --mcp-pin-user --body-limit
 * --import-limit --metrics-auth --rate-limit --burst --timeout --log-level`) into {@link StartServerOptions}.
 *
 * @example
 * ```ts
 * parseServeArgs(["--port", "0", "--db", "/tmp/m.db"]).port; // 0
 * ```
 */
export function parseServeArgs(argv: string[]): StartServerOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      db: { type: "string" },
      "no-auth": { type: "boolean" },
      mcp: { type: "boolean" },
      "body-limit": { type: "string" },
      "import-limit": { type: "string" },
      "metrics-auth": { type: "boolean" },
      "mcp-pin-user": { type: "boolean" },
      "rate-limit": { type: "string" },
      burst: { type: "string" },
      timeout: { type: "string" },
      "log-level": { type: "string" },
    },
    strict: true,
  });
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new MnemoError("INVALID_CONFIG", `--${name} must be a non-negative number.`);
    return n;
  };
  const rate = num("rate-limit", values["rate-limit"]);
  return {
    port: num("port", values.port),
    host: values.host,
    db: values.db,
    auth: values["no-auth"] ? false : true,
    mcp: values.mcp ?? false,
    bodyLimitBytes: num("body-limit", values["body-limit"]),
    importBodyLimitBytes: num("import-limit", values["import-limit"]),
    metricsAuth: values["metrics-auth"] ?? false,
    mcpPinUser: values["mcp-pin-user"] ?? false,
    rateLimit: rate === undefined ? undefined : rate === 0 ? false : { rate, burst: num("burst", values.burst) },
    requestTimeoutMs: num("timeout", values.timeout),
    logLevel: values["log-level"],
    handleSignals: true,
  };
}

/**
 * The `mnemo serve` command: parses the flags, starts the server with signal handling and
 * prints `mnemo serve: listening on <url>` on stderr. Resolves once listening.
 *
 * @example
 * ```ts
 * await runServeCommand(["--port", "8080", "--db", "./mnemo.db", "--mcp"]);
 * ```
 */
export async function runServeCommand(argv: string[]): Promise<RunningServer> {
  const server = await startServer(parseServeArgs(argv));
  process.stderr.write(`mnemo serve: listening on ${server.url}\n`);
  // The first request must not pay for loading the NLP and tokenizer modules.
  preloadHeavyDeps();
  return server;
}

if (isMainModule(import.meta.url)) {
  runServeCommand(process.argv.slice(2)).catch((e: unknown) => {
    const hint = e instanceof MnemoError ? `\n${e.hint}` : "";
    process.stderr.write(`mnemo serve: ${(e as Error).message}${hint}\n`);
    process.exit(1);
  });
}
