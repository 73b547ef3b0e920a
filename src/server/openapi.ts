import { createRequire } from "node:module";
import { z } from "zod";
import type { Route, RouteMeta } from "./route.js";
import * as S from "./schemas.js";

/**
 * A JSON object (the OpenAPI document and its parts).
 *
 * @example
 * ```ts
 * const doc: JsonObject = buildOpenApi(ROUTES);
 * ```
 */
export type JsonObject = Record<string, unknown>;

/** Names of shared schemas in `components.schemas`. */
const NAMED: Array<[z.ZodType, string]> = [
  [S.RememberRequestSchema, "RememberRequest"],
  [S.RememberResponseSchema, "RememberResponse"],
  [S.RecallRequestSchema, "RecallRequest"],
  [S.RecallResponseSchema, "RecallResponse"],
  [S.MemorySchema, "Memory"],
  [S.MemoryListSchema, "MemoryList"],
  [S.HistorySchema, "MemoryHistory"],
  [S.PatchMemoryRequestSchema, "MemoryPatch"],
  [S.CountsSchema, "Counts"],
  [S.HealthSchema, "Health"],
  [S.ReadySchema, "Ready"],
  [S.ErrorSchema, "Error"],
];

const STATUS_TEXT: Record<number, string> = {
  400: "Invalid input (bad JSON, wrong types, unknown fields, bad dates).",
  401: "Missing, unknown or revoked API key.",
  403: "The key lacks the scope this route needs.",
  404: "Nothing with that id in this tenant.",
  409: "Conflict (e.g. the same Idempotency-Key is still running, or ids of another scope on import).",
  413: "The body is larger than the limit.",
  415: "Wrong Content-Type.",
  422: "The Idempotency-Key was used for a different request.",
  429: "Rate limited; see Retry-After.",
  503: "Shutting down or timed out; retry.",
};

function version(): string {
  try {
    const pkg = createRequire(import.meta.url)("../../package.json") as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonObject {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonObject;
  return rest;
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function parameters(meta: RouteMeta): JsonObject[] {
  const out: JsonObject[] = [];
  for (const [where, schema] of [["path", meta.params], ["query", meta.query]] as const) {
    if (!schema) continue;
    const js = jsonSchema(schema, "input") as { properties?: Record<string, JsonObject>; required?: string[] };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      const { description, ...rest } = prop;
      out.push({ name, in: where, required: where === "path" || (js.required ?? []).includes(name), ...(description ? { description } : {}), schema: rest });
    }
  }
  if (meta.idempotent) {
    out.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description: "Makes retries safe: the first successful response is stored for 24 h and replayed for the same key and request.",
      schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
    });
  }
  return out;
}

const MEDIA = { json: "application/json", ndjson: "application/x-ndjson", text: "text/plain", html: "text/html" } as const;

/**
 * Builds the OpenAPI 3.1 document of the routes, from their zod schemas (JSON Schema
 * 2020-12 via `z.toJSONSchema`). Shared schemas live in `components.schemas`.
 *
 * @example
 * ```ts
 * const doc = buildOpenApi(ROUTES, { serverUrl: "http://127.0.0.1:8080" });
 * doc.openapi; // "3.1.0"
 * ```
 */
export function buildOpenApi(routes: Route[], options: { serverUrl?: string | undefined; title?: string | undefined } = {}): JsonObject {
  const schemas: Record<string, JsonObject> = {};
  const names = new Map<z.ZodType, string>(NAMED);
  const ref = (schema: z.ZodType, fallback: string, io: "input" | "output"): JsonObject => {
    const name = names.get(schema) ?? fallback;
    names.set(schema, name);
    if (!schemas[name]) schemas[name] = jsonSchema(schema, io);
    return { $ref: `#/components/schemas/${name}` };
  };
  const errorRef = ref(S.ErrorSchema, "Error", "output");
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const { meta } of routes) {
    const responses: Record<string, JsonObject> = {};
    const kind = meta.response.kind;
    const okSchema = kind === "json" ? ref(meta.response.schema, `${upperFirst(meta.operationId)}Response`, "output") : jsonSchema(meta.response.schema, "output");
    responses[String(meta.response.status)] = { description: meta.response.description, content: { [MEDIA[kind]]: { schema: okSchema } } };
    const errs = new Set(meta.errors);
    if (meta.scope !== null) for (const s of [401, 403, 429, 503]) errs.add(s);
    for (const s of [...errs].sort((a, b) => a - b)) {
      if (String(s) in responses) continue;
      responses[String(s)] = { description: STATUS_TEXT[s] ?? "Error.", content: { "application/json": { schema: errorRef } } };
    }
    const op: JsonObject = {
      operationId: meta.operationId,
      summary: meta.summary,
      ...(meta.description ? { description: meta.description } : {}),
      tags: meta.tags,
      parameters: parameters(meta),
      responses,
      security: meta.scope === null ? [] : [{ bearerAuth: [] }],
      ...(meta.scope !== null ? { "x-mnemo-scope": meta.scope } : {}),
    };
    if (meta.body) {
      const bodySchema = meta.body.kind === "json" ? ref(meta.body.schema, `${upperFirst(meta.operationId)}Request`, "input") : jsonSchema(meta.body.schema, "input");
      op.requestBody = { required: true, content: { [MEDIA[meta.body.kind]]: { schema: bodySchema } } };
    }
    (paths[meta.path] ??= {})[meta.method] = op;
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: options.title ?? "Mnemo API",
      version: version(),
      description: "Long-term memory for LLM agents. Every /v1 route needs `Authorization: Bearer <key>`; the tenant comes from the key.",
      license: { name: "MIT", identifier: "MIT" },
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [
      { name: "memory", description: "Remember and recall." },
      { name: "memories", description: "Read and edit single memories." },
      { name: "users", description: "Erase, export and import users." },
      { name: "system", description: "Health, metrics and documentation (no key needed)." },
    ],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", description: "An API key from `mnemo keys create --tenant <name>`." } },
    },
  };
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Renders a plain HTML reference page (no scripts) from an OpenAPI document.
 *
 * @example
 * ```ts
 * const html = renderDocsHtml(buildOpenApi(ROUTES));
 * ```
 */
export function renderDocsHtml(doc: JsonObject): string {
  const info = doc.info as { title: string; version: string; description: string };
  const paths = doc.paths as Record<string, Record<string, JsonObject>>;
  const schemas = ((doc.components as JsonObject).schemas ?? {}) as Record<string, JsonObject>;
  const resolve = (s: unknown): unknown => {
    const r = (s as { $ref?: string } | undefined)?.$ref;
    return r ? schemas[r.split("/").pop() ?? ""] : s;
  };
  const parts: string[] = [];
  const toc: string[] = [];
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const anchor = String(op.operationId);
      toc.push(`<li><a href="#${esc(anchor)}"><code>${method.toUpperCase()} ${esc(path)}</code></a> — ${esc(String(op.summary))}</li>`);
      const params = (op.parameters as JsonObject[]).map(
        (p) => `<tr><td><code>${esc(String(p.name))}</code></td><td>${esc(String(p.in))}</td><td>${p.required ? "yes" : "no"}</td><td><code>${esc(JSON.stringify(p.schema))}</code></td></tr>`,
      );
      const body = op.requestBody as { content: Record<string, { schema: unknown }> } | undefined;
      const responses = Object.entries(op.responses as Record<string, { description: string; content?: Record<string, { schema: unknown }> }>);
      parts.push(`<section id="${esc(anchor)}"><h2><code>${method.toUpperCase()} ${esc(path)}</code></h2>
<p><b>${esc(String(op.summary))}</b>${op.description ? ` — ${esc(String(op.description))}` : ""}</p>
<p>Scope: ${op["x-mnemo-scope"] ? `<code>${esc(String(op["x-mnemo-scope"]))}</code> (Bearer key)` : "none (public)"}</p>
${params.length ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${params.join("")}</table>` : ""}
${body ? Object.entries(body.content).map(([type, c]) => `<details><summary>Request body (${esc(type)})</summary><pre>${esc(JSON.stringify(resolve(c.schema), null, 2))}</pre></details>`).join("") : ""}
<ul>${responses.map(([status, r]) => `<li><b>${esc(status)}</b> ${esc(r.description)}${r.content ? Object.entries(r.content).map(([type, c]) => ` <details><summary>${esc(type)}</summary><pre>${esc(JSON.stringify(resolve(c.schema), null, 2))}</pre></details>`).join("") : ""}</li>`).join("")}</ul>
</section>`);
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)} ${esc(info.version)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f5;padding:.5rem;overflow:auto}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}section{border-top:1px solid #ddd;margin-top:1.5rem}</style></head>
<body><h1>${esc(info.title)} <small>${esc(info.version)}</small></h1><p>${esc(info.description)}</p>
<p>Errors always have the shape <code>{"error":{"code","message","hint"}}</code>. Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>
<ul>${toc.join("")}</ul>${parts.join("\n")}</body></html>`;
}
