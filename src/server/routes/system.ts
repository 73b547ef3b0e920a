import { z } from "zod";
import { defineRoute, type Route } from "../route.js";
import { HealthSchema, ReadySchema } from "../schemas.js";

const healthRoute = defineRoute({
  method: "get",
  path: "/healthz",
  operationId: "health",
  summary: "Liveness",
  description: "200 while the process serves HTTP.",
  tags: ["system"],
  scope: null,
  response: { schema: HealthSchema, description: "Alive." },
  async handler() {
    return { kind: "json", body: { status: "ok" } };
  },
});

const readyRoute = defineRoute({
  method: "get",
  path: "/readyz",
  operationId: "ready",
  summary: "Readiness",
  description: "200 when the store answers and takes writes and the server is not shutting down; 503 while draining or when the store cannot write (disk full, read-only file).",
  tags: ["system"],
  scope: null,
  response: { schema: ReadySchema, description: "Ready." },
  errors: [503],
  async handler(_input, env) {
    if (env.system.draining()) return { kind: "json", status: 503, body: { status: "draining" } };
    await env.mnemo.stats({ tenant: "\u0000readyz" });
    // Recall still works on a store that cannot write, but writes would fail: not ready.
    if (!(await env.system.writable())) return { kind: "json", status: 503, body: { status: "read-only" } };
    return { kind: "json", body: { status: "ready" } };
  },
});

const metricsRoute = defineRoute({
  method: "get",
  path: "/metrics",
  operationId: "metrics",
  summary: "Prometheus metrics",
  description: "Request counts and latencies per route, requests in flight, records written by this server (maintained counters) and the store's file size. Public but rate limited (5/s, burst 20), or behind a key with the metrics or admin scope when the server runs with --metrics-auth.",
  tags: ["system"],
  scope: null,
  response: { schema: z.string(), kind: "text", description: "Prometheus text exposition format." },
  async handler(_input, env) {
    const m = await env.system.metrics();
    return { kind: "text", contentType: m.contentType, text: m.text };
  },
});

const openapiRoute = defineRoute({
  method: "get",
  path: "/openapi.json",
  operationId: "openapi",
  summary: "This API as OpenAPI 3.1",
  tags: ["system"],
  scope: null,
  response: { schema: z.record(z.string(), z.unknown()), description: "The OpenAPI 3.1 document." },
  async handler(_input, env) {
    return { kind: "json", body: env.system.openapi() };
  },
});

const docsRoute = defineRoute({
  method: "get",
  path: "/docs",
  operationId: "docs",
  summary: "Human-readable API reference",
  tags: ["system"],
  scope: null,
  response: { schema: z.string(), kind: "html", description: "An HTML page generated from the OpenAPI document." },
  async handler(_input, env) {
    return { kind: "text", contentType: "text/html; charset=utf-8", text: env.system.docs() };
  },
});

/**
 * Unauthenticated system routes: health, readiness, metrics, OpenAPI and docs.
 *
 * @example
 * ```ts
 * systemRoutes.map((r) => r.meta.path); // ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"]
 * ```
 */
export const systemRoutes: Route[] = [healthRoute, readyRoute, metricsRoute, openapiRoute, docsRoute];
