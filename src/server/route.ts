import type { z } from "zod";
import { MnemoError } from "../core/errors.js";
import type { KeyScope } from "../auth/keys.js";
import type { Mnemo } from "../mnemo.js";
import type { IdempotencyStore } from "./idempotency.js";

/**
 * HTTP methods the API uses.
 *
 * @example
 * ```ts
 * const m: HttpMethod = "patch";
 * ```
 */
export type HttpMethod = "get" | "post" | "patch" | "delete";

/**
 * Who is calling: the tenant and scopes come from the API key, never from the request.
 *
 * @example
 * ```ts
 * const p: Principal = { tenant: "acme", keyId: "3f9a0c1d2e4b5a69", scopes: ["read"] };
 * ```
 */
export interface Principal {
  tenant: string;
  keyId: string;
  scopes: readonly KeyScope[];
}

/**
 * What a route handler gets besides its validated input.
 *
 * @example
 * ```ts
 * async function handler(_: unknown, env: RouteEnv) { return env.write(() => env.mnemo.forget("mem_1", { tenant: env.principal.tenant })); }
 * ```
 */
export interface RouteEnv {
  mnemo: Mnemo;
  principal: Principal;
  /** Aborted when the request times out. */
  signal: AbortSignal;
  /**
   * Runs a write in the server's write queue (skipped if the request already timed out):
   * on a PostgreSQL store after the earlier writes of `userId` (of the caller's tenant), or
   * of every user when the user is not known up front; on SQLite after every earlier write.
   */
  write<T>(fn: () => Promise<T>, userId?: string | undefined): Promise<T>;
  idempotency: IdempotencyStore;
  /** Server-level services for the system routes. */
  system: SystemServices;
}

/**
 * What the system routes (health, metrics, docs) need from the server.
 *
 * @example
 * ```ts
 * const ready = !system.draining();
 * ```
 */
export interface SystemServices {
  /** True once graceful shutdown has begun. */
  draining(): boolean;
  /** Whether the store takes writes now (false on a full disk or a read-only file). */
  writable(): Promise<boolean>;
  /** Prometheus text and its content type. */
  metrics(): Promise<{ contentType: string; text: string }>;
  /** The OpenAPI document. */
  openapi(): Record<string, unknown>;
  /** The HTML docs page. */
  docs(): string;
}

/**
 * What a handler returns: a JSON body, or JSONL lines.
 *
 * @example
 * ```ts
 * const out: RouteOutput = { kind: "json", body: { status: "ok" } };
 * ```
 */
export type RouteOutput =
  | {
      kind: "json";
      status?: number | undefined;
      body: unknown;
      /** The user the response is about (for erase bookkeeping). */
      userId?: string | null | undefined;
      /** What the route wrote, for the `mnemo_writes_total{op}` counters. */
      writes?: Record<string, number> | undefined;
    }
  | { kind: "ndjson"; status?: number | undefined; lines: string[] }
  | { kind: "text"; status?: number | undefined; contentType: string; text: string };

/**
 * Kinds of body a route takes or returns.
 *
 * @example
 * ```ts
 * const kind: BodyKind = "ndjson"; // POST /v1/import
 * ```
 */
export type BodyKind = "json" | "ndjson";

/**
 * The static description of a route (used by the router and the OpenAPI document).
 *
 * @example
 * ```ts
 * const doc = buildOpenApi(ROUTES); // reads every route's RouteMeta
 * ```
 */
export interface RouteMeta {
  method: HttpMethod;
  /** OpenAPI-style path, e.g. `/v1/memories/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string | undefined;
  tags: string[];
  /** Scope the key needs; null for public routes. */
  scope: KeyScope | null;
  body?: { schema: z.ZodType; kind: BodyKind } | undefined;
  query?: z.ZodObject | undefined;
  params?: z.ZodObject | undefined;
  response: { status: number; schema: z.ZodType; kind: BodyKind | "text" | "html"; description: string };
  /** Honors the Idempotency-Key header. */
  idempotent: boolean;
  /** Error statuses the route documents (besides 401/403/429 for authenticated routes). */
  errors: number[];
}

/**
 * Raw, unvalidated input of a request.
 *
 * @example
 * ```ts
 * const raw: RawInput = { body: { userId: "u1", query: "hi" }, query: {}, params: {} };
 * ```
 */
export interface RawInput {
  body: unknown;
  query: Record<string, string>;
  params: Record<string, string>;
}

/**
 * A route with its types erased, ready for the router.
 *
 * @example
 * ```ts
 * const out = await rememberRoute.run(raw, env);
 * ```
 */
export interface Route {
  meta: RouteMeta;
  run(raw: RawInput, env: RouteEnv): Promise<RouteOutput>;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * A route as written in `routes/*.ts`.
 *
 * @example
 * ```ts
 * defineRoute({ method: "get", path: "/healthz", operationId: "health", summary: "Liveness", tags: ["system"], scope: null, response: { schema: HealthSchema }, handler: async () => ({ kind: "json", body: { status: "ok" } }) });
 * ```
 */
export interface RouteSpec<B extends z.ZodType | undefined, Q extends z.ZodObject | undefined, P extends z.ZodObject | undefined> {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  scope: KeyScope | null;
  body?: B;
  bodyKind?: BodyKind;
  query?: Q;
  params?: P;
  response: { status?: number; schema: z.ZodType; kind?: BodyKind | "text" | "html"; description?: string };
  idempotent?: boolean;
  errors?: number[];
  handler(input: { body: Out<B>; query: Out<Q>; params: Out<P> }, env: RouteEnv): Promise<RouteOutput>;
}

/**
 * Validates a value with a zod schema; failures are INVALID_INPUT naming the field.
 *
 * @example
 * ```ts
 * const body = validate(RememberRequestSchema, json, "body");
 * ```
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue?.path.length ? `${where}.${issue.path.map(String).join(".")}` : where;
  throw new MnemoError("INVALID_INPUT", `${path}: ${issue?.message ?? "invalid"}.`);
}

/**
 * Declares a route: its schemas (validated before the handler runs) and its handler.
 *
 * @example
 * ```ts
 * export const health = defineRoute({
 *   method: "get", path: "/healthz", operationId: "health", summary: "Liveness", tags: ["system"], scope: null,
 *   response: { schema: HealthSchema }, handler: async () => ({ kind: "json", body: { status: "ok" } }),
 * });
 * ```
 */
export function defineRoute<B extends z.ZodType | undefined = undefined, Q extends z.ZodObject | undefined = undefined, P extends z.ZodObject | undefined = undefined>(
  spec: RouteSpec<B, Q, P>,
): Route {
  const meta: RouteMeta = {
    method: spec.method,
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    tags: spec.tags,
    scope: spec.scope,
    body: spec.body ? { schema: spec.body, kind: spec.bodyKind ?? "json" } : undefined,
    query: spec.query,
    params: spec.params,
    response: { status: spec.response.status ?? 200, schema: spec.response.schema, kind: spec.response.kind ?? "json", description: spec.response.description ?? "OK" },
    idempotent: spec.idempotent ?? false,
    errors: spec.errors ?? [],
  };
  return {
    meta,
    async run(raw, env) {
      const params = (spec.params ? validate(spec.params, raw.params, "path") : undefined) as Out<P>;
      const query = (spec.query ? validate(spec.query, raw.query, "query") : undefined) as Out<Q>;
      const body = (spec.body ? validate(spec.body, raw.body, "body") : undefined) as Out<B>;
      return spec.handler({ body, query, params }, env);
    },
  };
}
