import { z } from "zod";
import type { Memory, MemoryKind } from "../../core/types.js";
import { defineRoute, type Route, type RouteEnv } from "../route.js";
import {
  DeletedEpisodeSchema,
  EpisodeIdParamsSchema,
  EpisodeUserQuerySchema,
  MemoryAckSchema,
  HistorySchema,
  ListMemoriesQuerySchema,
  MemoryIdParamsSchema,
  MemoryListSchema,
  MemorySchema,
  PatchMemoryRequestSchema,
  UserQuerySchema,
} from "../schemas.js";
import { toApiMemory, toApiVersion } from "../types.js";

const listRoute = defineRoute({
  method: "get",
  path: "/v1/memories",
  operationId: "listMemories",
  summary: "List a user's memories",
  description: "Newest first. Pass nextCursor back as cursor for the next page.",
  tags: ["memories"],
  scope: "read",
  query: ListMemoriesQuerySchema,
  response: { schema: MemoryListSchema, description: "One page of memories." },
  errors: [400],
  async handler({ query }, env) {
    const page = await env.mnemo.memories({
      tenant: env.principal.tenant,
      userId: query.userId,
      agentId: query.agentId,
      kinds: query.kind ? (query.kind.split(",") as MemoryKind[]) : undefined,
      includeInvalidated: query.includeInvalidated === "true",
      includeForgotten: query.includeForgotten === "true",
      cursor: query.cursor,
      limit: query.limit !== undefined ? Number(query.limit) : undefined,
    });
    return { kind: "json", body: { items: page.items.map(toApiMemory), nextCursor: page.nextCursor } };
  },
});

const getRoute = defineRoute({
  method: "get",
  path: "/v1/memories/{id}",
  operationId: "getMemory",
  summary: "Get one memory",
  tags: ["memories"],
  scope: "read",
  params: MemoryIdParamsSchema,
  query: UserQuerySchema,
  response: { schema: MemorySchema, description: "The memory." },
  errors: [400, 404],
  async handler({ params, query }, env) {
    const m = await env.mnemo.memory(params.id, { tenant: env.principal.tenant, userId: query.userId });
    return { kind: "json", body: toApiMemory(m) };
  },
});

const historyRoute = defineRoute({
  method: "get",
  path: "/v1/memories/{id}/history",
  operationId: "memoryHistory",
  summary: "Every version of a memory",
  tags: ["memories"],
  scope: "read",
  params: MemoryIdParamsSchema,
  query: UserQuerySchema,
  response: { schema: HistorySchema, description: "Versions, oldest first." },
  errors: [400, 404],
  async handler({ params, query }, env) {
    const items = await env.mnemo.history(params.id, { tenant: env.principal.tenant, userId: query.userId });
    return { kind: "json", body: { items: items.map(toApiVersion) } };
  },
});

const patchRoute = defineRoute({
  method: "patch",
  path: "/v1/memories/{id}",
  operationId: "updateMemory",
  summary: "Edit a memory",
  description: "The previous version stays in history.",
  tags: ["memories"],
  scope: "write",
  params: MemoryIdParamsSchema,
  query: UserQuerySchema,
  body: PatchMemoryRequestSchema,
  response: { schema: z.union([MemorySchema, MemoryAckSchema]), description: "The memory after the edit (only its id, user, version and forgottenAt for a key without the read scope)." },
  idempotent: true,
  errors: [400, 404, 409, 413, 415, 422],
  async handler({ params, query, body }, env) {
    const m = await env.write(() => env.mnemo.update(params.id, body, { tenant: env.principal.tenant, userId: query.userId }), query.userId);
    return { kind: "json", body: visible(m, env), userId: m.userId, writes: { memories_patched: 1 } };
  },
});

const deleteRoute = defineRoute({
  method: "delete",
  path: "/v1/memories/{id}",
  operationId: "forgetMemory",
  summary: "Forget a memory",
  description: "A soft delete: the memory is never recalled again but stays in history. Use DELETE /v1/users/{userId} to erase.",
  tags: ["memories"],
  scope: "write",
  params: MemoryIdParamsSchema,
  query: UserQuerySchema,
  response: { schema: z.union([MemorySchema, MemoryAckSchema]), description: "The forgotten memory (only its id, user, version and forgottenAt for a key without the read scope)." },
  idempotent: true,
  errors: [400, 404, 409, 422],
  async handler({ params, query }, env) {
    const m = await env.write(() => env.mnemo.forget(params.id, { tenant: env.principal.tenant, userId: query.userId }), query.userId);
    return { kind: "json", body: visible(m, env), userId: m.userId, writes: { memories_forgotten: 1 } };
  },
});

const deleteEpisodeRoute = defineRoute({
  method: "delete",
  path: "/v1/episodes/{id}",
  operationId: "deleteEpisode",
  summary: "Delete a message",
  description:
    "Hard-deletes one message (by episode id, or by the message id you sent) of the user: never recalled or exported again. Memories that came only from it are deleted with it; others drop it from their sources.",
  tags: ["memories"],
  scope: "write",
  params: EpisodeIdParamsSchema,
  query: EpisodeUserQuerySchema,
  response: { schema: DeletedEpisodeSchema, description: "What changed." },
  idempotent: true,
  errors: [400, 404, 409, 422],
  async handler({ params, query }, env) {
    const r = await env.write(() => env.mnemo.deleteEpisode(params.id, { tenant: env.principal.tenant, userId: query.userId }), query.userId);
    return { kind: "json", body: r, userId: query.userId, writes: { episodes_deleted: 1, memories_deleted: r.memoriesDeleted } };
  },
});

/** A memory as the caller may see it: whole with the read scope, else only what changed. */
function visible(m: Memory, env: RouteEnv): unknown {
  if (env.principal.scopes.includes("read")) return toApiMemory(m);
  return { id: m.id, userId: m.userId, version: m.version, forgottenAt: m.forgottenAt };
}

/**
 * The `/v1/memories` routes (list, get, history, patch, forget) and `DELETE /v1/episodes/{id}`.
 *
 * @example
 * ```ts
 * for (const r of memoryRoutes) console.log(r.meta.method, r.meta.path);
 * ```
 */
export const memoryRoutes: Route[] = [listRoute, getRoute, historyRoute, patchRoute, deleteRoute, deleteEpisodeRoute];
