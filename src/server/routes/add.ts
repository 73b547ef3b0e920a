import { z } from "zod";
import { ADDABLE_KINDS } from "../../lifecycle/add.js";
import { defineRoute, type Route, type RouteEnv } from "../route.js";
import type { Memory } from "../../core/types.js";
import { MemoryAckSchema, MemoryIdParamsSchema, MemorySchema, SCOPE_ID_RE, UserQuerySchema } from "../schemas.js";
import { toApiMemory } from "../types.js";

/** A memory as the caller may see it: whole with the read scope, else only what changed (as PATCH and DELETE answer). */
function visible(m: Memory, env: RouteEnv): unknown {
  if (env.principal.scopes.includes("read")) return toApiMemory(m);
  return { id: m.id, userId: m.userId, version: m.version, forgottenAt: m.forgottenAt };
}

const scopeId = (what: string) => z.string().regex(SCOPE_ID_RE, `${what} must be 1-200 letters, digits, '-', '_', '.', ':' or '@'`);

/**
 * Body of `POST /v1/memories`: a fact, preference or instruction added directly.
 *
 * @example
 * ```ts
 * AddMemoryRequestSchema.parse({ userId: "alice", kind: "preference", text: "Alice prefers window seats." });
 * ```
 */
export const AddMemoryRequestSchema = z.strictObject({
  userId: scopeId("userId"),
  agentId: scopeId("agentId").optional(),
  kind: z.enum(ADDABLE_KINDS),
  text: z.string().min(1).max(10_000),
  key: z.string().min(1).max(1000).optional().describe("Adding again with the same key replaces that memory (old text kept in history)."),
  subject: z.string().min(1).max(200).nullable().optional(),
  importance: z.number().min(0).max(1).optional(),
  validFrom: z.string().min(1).max(100).nullable().optional(),
  expiresAt: z.string().min(1).max(100).nullable().optional(),
  occurredAt: z.string().min(1).max(100).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const AddMemoryResponseSchema = z.object({ memory: z.union([MemorySchema, MemoryAckSchema]), created: z.boolean(), changed: z.boolean() });

const addRoute = defineRoute({
  method: "post",
  path: "/v1/memories",
  operationId: "addMemory",
  summary: "Add a memory directly",
  description: "Adds a fact, preference or instruction without a conversation (its text is also kept as a source episode). Idempotent per key, or per kind and text.",
  tags: ["memories"],
  scope: "write",
  body: AddMemoryRequestSchema,
  response: { status: 201, schema: AddMemoryResponseSchema, description: "The memory, and whether it was created or changed." },
  idempotent: true,
  errors: [400, 409, 413, 415, 422],
  async handler({ body }, env) {
    const { userId, agentId, ...input } = body;
    const r = await env.write(() => env.mnemo.add(input, { tenant: env.principal.tenant, userId, agentId }), userId);
    return { kind: "json", status: r.created ? 201 : 200, body: { memory: visible(r.memory, env), created: r.created, changed: r.changed }, userId };
  },
});

const restoreRoute = defineRoute({
  method: "post",
  path: "/v1/memories/{id}/restore",
  operationId: "restoreMemory",
  summary: "Undo a forget",
  description: "The memory is recalled again; the forget stays in history. A memory that is not forgotten is returned unchanged.",
  tags: ["memories"],
  scope: "write",
  params: MemoryIdParamsSchema,
  query: UserQuerySchema,
  response: { schema: z.union([MemorySchema, MemoryAckSchema]), description: "The memory after the restore (only its id, user, version and forgottenAt for a key without the read scope)." },
  idempotent: true,
  errors: [400, 404, 409, 422],
  async handler({ params, query }, env) {
    const m = await env.write(() => env.mnemo.restore(params.id, { tenant: env.principal.tenant, userId: query.userId }), query.userId);
    return { kind: "json", body: visible(m, env), userId: m.userId };
  },
});

/**
 * `POST /v1/memories` (direct add) and `POST /v1/memories/{id}/restore` (undo a forget).
 *
 * @example
 * ```ts
 * for (const r of addRoutes) console.log(r.meta.method, r.meta.path);
 * ```
 */
export const addRoutes: Route[] = [addRoute, restoreRoute];
