import { MEMORY_KINDS, type MemoryKind } from "../../core/types.js";
import {
  EpisodeDaySchema,
  EpisodesQuerySchema,
  GraphSchema,
  InspectRecallRequestSchema,
  InspectRecallSchema,
  InspectUserParamsSchema,
  MemorySearchSchema,
  SearchMemoriesQuerySchema,
  TraceParamsSchema,
  TraceSchema,
  UserListSchema,
  WhoAmISchema,
} from "../../ui/api/schemas.js";
import { entityGraph, episodesByDay, listUsers, memoryTrace, searchMemories, type MemoryStatus } from "../../ui/api/queries.js";
import { defineRoute, type Route } from "../route.js";

const whoamiRoute = defineRoute({
  method: "get",
  path: "/v1/inspect/whoami",
  operationId: "inspectWhoami",
  summary: "The key's tenant and scopes",
  description: "What the web inspector shows after login. With `--no-auth`, keyId is `anonymous` and auth is false.",
  tags: ["inspect"],
  scope: "read",
  response: { schema: WhoAmISchema, description: "The caller." },
  async handler(_input, env) {
    const p = env.principal;
    return { kind: "json", body: { tenant: p.tenant, keyId: p.keyId, scopes: [...p.scopes], auth: p.keyId !== "anonymous" } };
  },
});

const usersRoute = defineRoute({
  method: "get",
  path: "/v1/inspect/users",
  operationId: "inspectUsers",
  summary: "Users of the tenant with counts",
  description: "Every user that has episodes, memories or entities, with counts (valid memories only).",
  tags: ["inspect"],
  scope: "read",
  response: { schema: UserListSchema, description: "The users." },
  async handler(_input, env) {
    return { kind: "json", body: await listUsers(env.mnemo, env.principal.tenant) };
  },
});

const memoriesRoute = defineRoute({
  method: "get",
  path: "/v1/inspect/users/{userId}/memories",
  operationId: "inspectMemories",
  summary: "Search a user's memories",
  description: "Filters by text, kind, status (default valid), observed day range, source role and sensitivity (where memories carry them). Facets count all the user's memories.",
  tags: ["inspect"],
  scope: "read",
  params: InspectUserParamsSchema,
  query: SearchMemoriesQuerySchema,
  response: { schema: MemorySearchSchema, description: "One page of matches." },
  errors: [400, 404],
  async handler({ params, query }, env) {
    const statuses: MemoryStatus[] | undefined = query.status === undefined ? undefined : query.status === "all" ? ["valid", "invalidated", "forgotten"] : (query.status.split(",") as MemoryStatus[]);
    const kinds = query.kind ? (query.kind.split(",").filter((k) => (MEMORY_KINDS as readonly string[]).includes(k)) as MemoryKind[]) : undefined;
    const limit = query.limit !== undefined ? Math.min(1000, Math.max(1, Number(query.limit))) : undefined;
    const body = await searchMemories(env.mnemo, env.principal.tenant, params.userId, {
      q: query.q,
      kinds,
      statuses,
      from: query.from,
      to: query.to,
      role: query.role,
      sensitivity: query.sensitivity,
      limit,
      cursor: query.cursor !== undefined ? Number(query.cursor) : undefined,
    });
    return { kind: "json", body };
  },
});

const episodesRoute = defineRoute({
  method: "get",
  path: "/v1/inspect/users/{userId}/episodes",
  operationId: "inspectEpisodes",
  summary: "A user's conversation, day by day",
  description: "The days that have messages, and one day's messages (UTC; default the latest), each with the memories distilled from it.",
  tags: ["inspect"],
  scope: "read",
  params: InspectUserParamsSchema,
  query: EpisodesQuerySchema,
  response: { schema: EpisodeDaySchema, description: "Days and one day's messages." },
  errors: [400, 404],
  async handler({ params, query }, env) {
    return { kind: "json", body: await episodesByDay(env.mnemo, env.principal.tenant, params.userId, query.day) };
  },
});

const graphRoute = defineRoute({
  method: "get",
  path: "/v1/inspect/users/{userId}/graph",
  operationId: "inspectGraph",
  summary: "A user's entity graph",
  description: "People, places, organisations… with their valid memories; an edge joins two entities named in one memory.",
  tags: ["inspect"],
  scope: "read",
  params: InspectUserParamsSchema,
  response: { schema: GraphSchema, description: "Entities, memories and edges." },
  errors: [400, 404],
  async handler({ params }, env) {
    return { kind: "json", body: await entityGraph(env.mnemo, env.principal.tenant, params.userId) };
  },
});

const traceRoute = defineRoute({
  method: "get",
  path: "/v1/inspect/memories/{id}",
  operationId: "inspectMemory",
  summary: "A memory's history with its source messages",
  description: "The memory (any status), every version oldest first, the messages the versions came from, and its entities.",
  tags: ["inspect"],
  scope: "read",
  params: TraceParamsSchema,
  response: { schema: TraceSchema, description: "The memory and its timeline." },
  errors: [400, 404],
  async handler({ params }, env) {
    return { kind: "json", body: await memoryTrace(env.mnemo, env.principal.tenant, params.id) };
  },
});

const recallRoute = defineRoute({
  method: "post",
  path: "/v1/inspect/recall",
  operationId: "inspectRecall",
  summary: "Recall with per-channel scores",
  description: "The same recall as POST /v1/recall (same body, same context), plus each result's per-channel scores and tokens and how the query was read.",
  tags: ["inspect"],
  scope: "read",
  body: InspectRecallRequestSchema,
  response: { schema: InspectRecallSchema, description: "The context and its explained results." },
  errors: [400, 413, 415],
  async handler({ body }, env) {
    // Every option of POST /v1/recall passes through (same body schema), so the context is the same.
    const { query, userId, ...options } = body;
    const r = await env.mnemo.recall(query, { ...options, tenant: env.principal.tenant, userId });
    // Each result keeps every field the engine reports (channels, tokens, and provenance where the store has it).
    const results = r.results.map((x) => ({ ...x, speaker: x.speaker ?? null }));
    const { results: _r, context: _c, contextTokens: _t, ...extra } = r;
    return { kind: "json", body: { ...extra, context: r.context, contextTokens: r.contextTokens, results, query: r.query } };
  },
});

/**
 * The read routes of the web inspector (`/v1/inspect/*`), with the read scope.
 *
 * @example
 * ```ts
 * const paths = inspectRoutes.map((r) => `${r.meta.method.toUpperCase()} ${r.meta.path}`);
 * ```
 */
export const inspectRoutes: Route[] = [whoamiRoute, usersRoute, memoriesRoute, episodesRoute, graphRoute, traceRoute, recallRoute];
