import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { Hono, type Context } from "hono";
import { pino, type Logger } from "pino";
import { KEY_SCOPES, openSideDb, type KeyBackend, type KeyScope } from "../auth/keys.js";
import type { Mnemo } from "../mnemo.js";
import { handleMcpHttp } from "../mcp/http.js";
import { checkContentType, decodeUtf8, parseJsonBody, readBodyBytes } from "./body.js";
import { ApiError, errorResponse, toErrorResponse } from "./errors.js";
import { IdempotencyStore, type IdempotencyRecords, type StoredResponse } from "./idempotency.js";
import { Lifecycle } from "./lifecycle.js";
import { ServerMetrics } from "./metrics.js";
import { buildOpenApi, renderDocsHtml, type JsonObject } from "./openapi.js";
import { WriteQueue } from "./queue.js";
import { RateLimiter } from "./ratelimit.js";
import type { Principal, RawInput, Route, RouteEnv, RouteOutput, SystemServices } from "./route.js";
import { ROUTES } from "./routes/index.js";
import { SCOPE_ID_RE } from "./schemas.js";
import { mountUi } from "../ui/serve.js";

/**
 * Tunables of the HTTP app. Every field is optional.
 *
 * @example
 * ```ts
 * const options: AppOptions = { bodyLimitBytes: 2 << 20, rateLimit: { rate: 100, burst: 200 }, logLevel: "warn" };
 * ```
 */
export interface AppOptions {
  /** Require API keys (default true). When false every request acts as `defaultTenant` with all scopes. */
  auth?: boolean | undefined;
  /** Tenant used when auth is off (default "default"). */
  defaultTenant?: string | undefined;
  /** Largest accepted body in bytes (default 1 MiB). */
  bodyLimitBytes?: number | undefined;
  /** Largest accepted body of POST /v1/import in bytes (default 64 MiB, and never below bodyLimitBytes): an export must re-import. */
  importBodyLimitBytes?: number | undefined;
  /** Per-key token bucket (default 50 requests/s, burst 100); false disables it. */
  rateLimit?: { rate: number; burst?: number | undefined } | false | undefined;
  /** Per-request time limit in ms (default 30 s). */
  requestTimeoutMs?: number | undefined;
  /** A pino logger (default: JSON to stdout at `logLevel`). */
  logger?: Logger | undefined;
  /** Level of the default logger (default "info"). */
  logLevel?: string | undefined;
  /** The SQLite file of the store: keeps Idempotency-Key responses in it (else in memory, unless `idempotency` is given) and enables the file-size metric. */
  dbPath?: string | null | undefined;
  /** Where Idempotency-Key responses live when not in `dbPath`: e.g. a PostgreSQL store's `serverTables().idempotency`, shared by every server process. */
  idempotency?: IdempotencyRecords | undefined;
  /** Serve MCP (Streamable HTTP) at /mcp with the same keys. */
  mcp?: boolean | undefined;
  /** Shared lifecycle (for graceful shutdown); one is created when absent. */
  lifecycle?: Lifecycle | undefined;
  /** Base URL advertised in the OpenAPI document. */
  serverUrl?: string | undefined;
  /** GET /metrics needs a key with the `metrics` (or `admin`) scope (default false: public, but rate limited). */
  metricsAuth?: boolean | undefined;
  /** MCP at /mcp: the user is pinned to X-Mnemo-User (tools refuse another `userId`). */
  mcpPinUser?: boolean | undefined;
}

/**
 * Hono context variables set by the app.
 *
 * @example
 * ```ts
 * app.get("/x", (c) => c.text(c.get("requestId")));
 * ```
 */
export interface AppEnv {
  Variables: { requestId: string; route: string; principal: Principal };
}

/**
 * The Hono app, plus its lifecycle and a dispose hook for what it opened.
 *
 * @example
 * ```ts
 * const app: MnemoApp = createApp({ mnemo, keys }); await app.request("/healthz"); app.dispose();
 * ```
 */
export type MnemoApp = Hono<AppEnv> & { readonly lifecycle: Lifecycle; readonly logger: Logger; dispose(): void };

const PUBLIC_DURING_DRAIN = new Set(["/healthz", "/readyz", "/metrics"]);
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1"]);

function jsonResponse(status: number, body: string, extra?: Record<string, string>): Response {
  return new Response(body, { status, headers: { "content-type": "application/json; charset=utf-8", ...extra } });
}

function ndjsonResponse(status: number, lines: string[]): Response {
  let i = 0;
  const enc = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i >= lines.length) return controller.close();
      let chunk = "";
      while (i < lines.length && chunk.length < 64 * 1024) chunk += lines[i++] + "\n";
      controller.enqueue(enc.encode(chunk));
    },
  });
  return new Response(stream, { status, headers: { "content-type": "application/x-ndjson; charset=utf-8" } });
}

function flatQuery(c: Context<AppEnv>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, vs] of Object.entries(c.req.queries())) out[k] = vs.join(",");
  return out;
}

/**
 * Creates the HTTP API as a Hono app: JSON routes under /v1 (authenticated by API key,
 * tenant from the key), /healthz, /readyz, /metrics, /openapi.json, /docs and optionally
 * /mcp. Errors always have the shape `{"error":{"code","message","hint"}}`.
 *
 * @example
 * ```ts
 * const app = createApp({ mnemo, keys: KeyStore.open("./mnemo.db"), options: { dbPath: "./mnemo.db" } });
 * const res = await app.request("/healthz");
 * ```
 */
export function createApp(input: { mnemo: Mnemo; keys: KeyBackend | null; options?: AppOptions }): MnemoApp {
  const { mnemo, keys } = input;
  const o = input.options ?? {};
  const auth = o.auth ?? true;
  if (auth && !keys) throw new ApiError("INVALID_CONFIG", "createApp needs a key store when auth is on.");
  const defaultTenant = o.defaultTenant ?? "default";
  if (!SCOPE_ID_RE.test(defaultTenant)) throw new ApiError("INVALID_CONFIG", `defaultTenant ${JSON.stringify(defaultTenant)} is not a valid id.`);
  const bodyLimit = o.bodyLimitBytes ?? 1024 * 1024;
  const importBodyLimit = Math.max(bodyLimit, o.importBodyLimitBytes ?? 64 * 1024 * 1024);
  const timeoutMs = o.requestTimeoutMs ?? 30_000;
  const logger = o.logger ?? pino({ level: o.logLevel ?? "info" });
  const lifecycle = o.lifecycle ?? new Lifecycle();
  const fileDb = o.dbPath && o.dbPath !== ":memory:" ? o.dbPath : null;
  const sideDb = o.idempotency ? null : fileDb ? openSideDb(fileDb) : new Database(":memory:");
  const idempotency = new IdempotencyStore(o.idempotency ?? sideDb!);
  const queue = new WriteQueue();
  // PostgreSQL writes of different users run in parallel (per-user advisory locks); a SQLite
  // file takes one writer at a time, and its store is not yet safe with several users' writes
  // overlapping while another process holds the file (seen under bench:server --processes 2),
  // so a SQLite store keeps one write at a time per process.
  const perUserWrites = mnemo.store.dialect === "postgres";
  const limiter = o.rateLimit === false ? null : new RateLimiter(o.rateLimit ?? { rate: 50, burst: 100 });
  const metrics = new ServerMetrics({ mnemo, dbPath: fileDb });
  // Unauthenticated scrapes share one small bucket (renderings are cached for a second too).
  const publicLimiter = new RateLimiter({ rate: 5, burst: 20 });
  let writable: { at: number; ok: Promise<boolean> } | null = null;
  let openapi: JsonObject | null = null;
  let docs: string | null = null;
  const system: SystemServices = {
    draining: () => lifecycle.draining,
    metrics: async () => ({ contentType: metrics.contentType, text: await metrics.render() }),
    writable: () => {
      // A real (tiny) write, at most once a second: a full disk or read-only file is "read-only".
      const now = Date.now();
      if (writable && now - writable.at < 1000) return writable.ok;
      const ok = mnemo.store.setMeta("readyz.probe", "1").then(
        () => true,
        () => false,
      );
      writable = { at: now, ok };
      return ok;
    },
    openapi: () => (openapi ??= buildOpenApi(ROUTES, { serverUrl: o.serverUrl })),
    docs: () => (docs ??= renderDocsHtml(system.openapi())),
  };
  const allScopes: readonly KeyScope[] = KEY_SCOPES;

  const authenticate = async (c: Context<AppEnv>, need: KeyScope | readonly KeyScope[]): Promise<Principal> => {
    let p: Principal;
    if (!auth) {
      // Without keys, only local non-browser clients: refuse other Host names (DNS rebinding)
      // and cross-site browser requests (a web page POSTing to localhost).
      // A page on another localhost port (another dev server, a local app) is another site
      // too: a browser request is accepted only from this server's own origin.
      const local = (h: string) => LOCAL_HOSTS.has(h.replace(/^\[|\]$/g, ""));
      const self = new URL(c.req.url);
      if (!local(self.hostname)) throw new ApiError("FORBIDDEN", "Without keys the server only answers requests addressed to localhost.");
      const origin = c.req.header("origin");
      if (origin !== undefined && !(URL.canParse(origin) && new URL(origin).origin === self.origin)) throw new ApiError("FORBIDDEN", "Without keys the server refuses browser requests from other sites (another localhost port included).");
      const site = c.req.header("sec-fetch-site");
      if (site !== undefined && site !== "same-origin" && site !== "none") throw new ApiError("FORBIDDEN", "Without keys the server refuses cross-site browser requests.");
      p = { tenant: defaultTenant, keyId: "anonymous", scopes: allScopes };
    } else {
      const h = c.req.header("authorization");
      const m = h ? /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(h) : null;
      if (!m) throw new ApiError("UNAUTHORIZED", h ? "The Authorization header must be `Bearer <key>`." : "No Authorization header.");
      const info = await keys!.verify(m[1]!);
      if (!info) throw new ApiError("UNAUTHORIZED", "The key is unknown or revoked.");
      p = { tenant: info.tenant, keyId: info.id, scopes: info.scopes };
    }
    c.set("principal", p);
    if (limiter) {
      const r = limiter.take(p.keyId);
      if (!r.ok) throw new ApiError("RATE_LIMITED", undefined, { retryAfter: r.retryAfterSeconds });
    }
    const needs: readonly KeyScope[] = typeof need === "string" ? [need] : need;
    if (!needs.some((n) => p.scopes.includes(n))) throw new ApiError("FORBIDDEN", `This route needs the ${needs.join(" or ")} scope; the key has ${p.scopes.join(", ") || "none"}.`);
    return p;
  };

  const withTimeout = <T>(p: Promise<T>, controller: AbortController): Promise<T> => {
    p.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new ApiError("TIMEOUT", `No answer within ${timeoutMs} ms.`, { retryAfter: 1 }));
      }, timeoutMs);
    });
    return Promise.race([p, t]).finally(() => clearTimeout(timer));
  };

  const toResponse = (out: RouteOutput): Response => {
    if (out.kind === "ndjson") return ndjsonResponse(out.status ?? 200, out.lines);
    if (out.kind === "text") return new Response(out.text, { status: out.status ?? 200, headers: { "content-type": out.contentType } });
    return jsonResponse(out.status ?? 200, JSON.stringify(out.body));
  };

  const runRoute = async (route: Route, c: Context<AppEnv>): Promise<Response> => {
    const meta = route.meta;
    c.set("route", meta.path);
    const controller = new AbortController();
    const inner = async (): Promise<Response> => {
      let principal: Principal;
      if (meta.scope) principal = await authenticate(c, meta.scope);
      else if (meta.path === "/metrics" && o.metricsAuth) principal = await authenticate(c, ["metrics", "admin"]);
      else {
        principal = { tenant: defaultTenant, keyId: "public", scopes: [] };
        if (meta.path === "/metrics") {
          const r = publicLimiter.take("public:/metrics");
          if (!r.ok) throw new ApiError("RATE_LIMITED", undefined, { retryAfter: r.retryAfterSeconds });
        }
      }
      const raw: RawInput = { body: undefined, query: flatQuery(c), params: c.req.param() as Record<string, string> };
      let bytes: Uint8Array = new Uint8Array(0);
      if (meta.body) {
        checkContentType(c.req.header("content-type") ?? null, meta.body.kind);
        bytes = await readBodyBytes(c.req.raw, meta.body.kind === "ndjson" ? importBodyLimit : bodyLimit);
        const text = decodeUtf8(bytes);
        raw.body = meta.body.kind === "json" ? parseJsonBody(text) : text;
      }
      const env: RouteEnv = { mnemo, principal, signal: controller.signal, write: (fn, userId) => queue.run(fn, controller.signal, perUserWrites && userId !== undefined ? `${principal.tenant}\u0000${userId}` : undefined), idempotency, system };
      const idemHeader = meta.idempotent ? c.req.header("idempotency-key") : undefined;
      const run = async (): Promise<RouteOutput> => {
        const out = await route.run(raw, env);
        if (out.kind === "json" && out.writes) metrics.count(out.writes);
        return out;
      };
      if (idemHeader === undefined) return toResponse(await run());
      const key = IdempotencyStore.checkKey(idemHeader);
      const url = new URL(c.req.url);
      const view = principal.scopes.includes("read") ? "read" : "blind";
      const fp = IdempotencyStore.fingerprint(c.req.method, url.pathname + url.search, meta.body?.kind === "json" ? raw.body : bytes, view);
      const replay = await idempotency.begin(principal.tenant, key, fp);
      if (replay) return new Response(replay.body, { status: replay.status, headers: { "content-type": replay.contentType, "idempotent-replayed": "true" } });
      // The work outlives a timed-out request: its response is still stored for the retry.
      const work = (async () => {
        const out = await run();
        if (out.kind === "json") {
          const stored: StoredResponse = { status: out.status ?? 200, body: JSON.stringify(out.body), contentType: "application/json; charset=utf-8" };
          try {
            if (stored.status < 300) await idempotency.save(principal.tenant, key, fp, stored, out.userId ?? null);
          } catch (err) {
            // The write is committed; without the stored response a retry re-runs it, which message ids keep harmless.
            logger.warn({ reqId: c.get("requestId"), err }, "could not store the idempotent response");
          }
          return jsonResponse(stored.status, stored.body);
        }
        return toResponse(out);
      })().finally(() => idempotency.end(principal.tenant, key));
      return lifecycle.track(work);
    };
    return withTimeout(inner(), controller);
  };

  const app = new Hono<AppEnv>();

  app.use("*", async (c, next) => {
    const t0 = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    c.set("requestId", requestId);
    metrics.inFlight.inc();
    try {
      if (lifecycle.draining && !PUBLIC_DURING_DRAIN.has(c.req.path)) {
        c.res = errorResponse(new ApiError("UNAVAILABLE"), requestId);
        c.res.headers.set("connection", "close");
      } else {
        await lifecycle.track(next());
      }
    } finally {
      metrics.inFlight.dec();
    }
    try {
      c.res.headers.set("x-request-id", requestId);
    } catch {
      c.res = new Response(c.res.body, c.res);
      c.res.headers.set("x-request-id", requestId);
    }
    const ms = performance.now() - t0;
    const route = c.get("route") ?? "unmatched";
    metrics.observe(c.req.method, route, c.res.status, ms / 1000);
    const p = c.get("principal");
    logger.info({ reqId: requestId, method: c.req.method, path: c.req.path, route, status: c.res.status, ms: Math.round(ms * 10) / 10, tenant: p?.tenant, keyId: p?.keyId }, "request");
  });

  app.onError((err, c) => {
    const mapped = toErrorResponse(err);
    if (mapped.internal) logger.error({ reqId: c.get("requestId"), err }, "request failed");
    const res = jsonResponse(mapped.status, JSON.stringify(mapped.body), mapped.headers);
    if (mapped.body.error.code === "UNAUTHORIZED") res.headers.set("www-authenticate", 'Bearer realm="mnemo"');
    return res;
  });

  app.notFound((c) => {
    c.set("route", "unmatched");
    return errorResponse(new ApiError("ROUTE_NOT_FOUND", `${c.req.method} ${c.req.path.slice(0, 200)}`));
  });

  // The web inspector (static page + bundle; its API calls need a key like any client).
  mountUi(app);

  const methodsByPath = new Map<string, string[]>();
  for (const route of ROUTES) {
    const honoPath = route.meta.path.replace(/\{(\w+)\}/g, ":$1");
    app.on(route.meta.method.toUpperCase(), honoPath, (c) => runRoute(route, c));
    methodsByPath.set(honoPath, [...(methodsByPath.get(honoPath) ?? []), route.meta.method.toUpperCase()]);
  }

  if (o.mcp) {
    app.all("/mcp", async (c) => {
      c.set("route", "/mcp");
      const principal = await authenticate(c, "read");
      let parsedBody: unknown;
      if (c.req.method === "POST") {
        checkContentType(c.req.header("content-type") ?? null, "json");
        parsedBody = parseJsonBody(decodeUtf8(await readBodyBytes(c.req.raw, bodyLimit)));
      }
      const user = c.req.header("x-mnemo-user") ?? c.req.query("userId") ?? "default";
      if (!SCOPE_ID_RE.test(user)) throw new ApiError("INVALID_SCOPE", "X-Mnemo-User is not a valid user id.");
      const controller = new AbortController();
      const write = <T>(fn: () => Promise<T>) => queue.run(fn, controller.signal);
      return withTimeout(handleMcpHttp(c.req.raw, { mnemo, tenant: principal.tenant, userId: user, pinUser: o.mcpPinUser, scopes: principal.scopes, write, parsedBody }), controller);
    });
  }

  for (const [path, methods] of methodsByPath) {
    app.all(path, (c) => {
      c.set("route", path.replace(/:(\w+)/g, "{$1}"));
      const res = errorResponse(new ApiError("METHOD_NOT_ALLOWED", `${c.req.method} is not one of ${methods.join(", ")}.`));
      res.headers.set("allow", methods.join(", "));
      return res;
    });
  }

  let disposed = false;
  return Object.assign(app, {
    lifecycle,
    logger,
    dispose() {
      if (disposed) return;
      disposed = true;
      if (sideDb?.open) sideDb.close();
    },
  });
}
