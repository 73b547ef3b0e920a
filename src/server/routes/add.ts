import { z } from "zod";
import { ADDABLE_KINDS } from "../../lifecycle/add.js";
import { defineRoute, type Route } from "../route.js";
import { MemoryIdParamsSchema, MemorySchema, SCOPE_ID_RE, UserQuerySchema } from "../schemas.js";
import { toApiMemory } from "../types.js";

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

const AddMemoryResponseSchema = z.object({ memory: MemorySchema, created: z.boolean(), changed: z.boolean() });

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
    const r = await env.write(() => env.mnemo.add(input, { tenant: env.principal.tenant, userId, agentId }));
    return { kind: "json", status: r.created ? 201 : 200, body: { memory: toApiMemory(r.memory), created: r.created, changed: r.changed }, userId };
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
  response: { schema: MemorySchema, description: "The memory after the restore." },
  idempotent: true,
  errors: [400, 404, 409, 422],
  async handler({ params, query }, env) {
    const m = await env.write(() => env.mnemo.restore(params.id, { tenant: env.principal.tenant, userId: query.userId }));
    return { kind: "json", body: toApiMemory(m), userId: m.userId };
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
