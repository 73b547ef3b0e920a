/**
 * Schemas of the inspector's read routes (`/v1/inspect/*`). They are ordinary API routes
 * (same keys, scopes, errors and OpenAPI document); the web inspector at `/ui` is their
 * first client.
 */
import { z } from "zod";
import { MEMORY_KINDS } from "../../core/types.js";
import { MemorySchema, MemoryVersionSchema, RecallRequestSchema, SCOPE_ID_RE } from "../../server/schemas.js";

const scopeId = z.string().regex(SCOPE_ID_RE, "must be 1-200 letters, digits, '-', '_', '.', ':' or '@'");
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a day like 2024-03-15");

/**
 * The caller, as the key says.
 *
 * @example
 * ```ts
 * WhoAmISchema.parse({ tenant: "acme", keyId: "anonymous", scopes: ["read"], auth: false });
 * ```
 */
export const WhoAmISchema = z.object({ tenant: z.string(), keyId: z.string(), scopes: z.array(z.string()), auth: z.boolean() });

/**
 * One user of the tenant with its counts.
 *
 * @example
 * ```ts
 * UserSummarySchema.parse({ userId: "alice", episodes: 2, memories: 3, entities: 1, segments: 1 });
 * ```
 */
export const UserSummarySchema = z.object({ userId: z.string(), episodes: z.number().int(), memories: z.number().int(), entities: z.number().int(), segments: z.number().int() });

/**
 * Response of `GET /v1/inspect/users`.
 *
 * @example
 * ```ts
 * const { items } = UserListSchema.parse(await res.json());
 * ```
 */
export const UserListSchema = z.object({ items: z.array(UserSummarySchema) });

/**
 * Path of the per-user inspector routes.
 *
 * @example
 * ```ts
 * InspectUserParamsSchema.parse({ userId: "alice" });
 * ```
 */
export const InspectUserParamsSchema = z.strictObject({ userId: scopeId });

/**
 * Status of a memory: recalled (`valid`), superseded (`invalidated`) or soft-deleted (`forgotten`).
 *
 * @example
 * ```ts
 * MemoryStatusSchema.parse("forgotten");
 * ```
 */
export const MemoryStatusSchema = z.enum(["valid", "invalidated", "forgotten"]);

/**
 * Query of `GET /v1/inspect/users/{userId}/memories`: every filter is optional.
 *
 * @example
 * ```ts
 * SearchMemoriesQuerySchema.parse({ q: "lisbon", kind: "fact,event", status: "valid", from: "2024-01-01" });
 * ```
 */
export const SearchMemoriesQuerySchema = z.strictObject({
  q: z.string().max(500).optional().describe("Case-insensitive substring of the text or subject."),
  kind: z.string().regex(new RegExp(`^(${MEMORY_KINDS.join("|")})(,(${MEMORY_KINDS.join("|")}))*$`), "kind must be a comma-separated list of memory kinds").optional(),
  status: z.string().regex(/^(all|valid|invalidated|forgotten)(,(valid|invalidated|forgotten))*$/, "status must be all or a list of valid, invalidated, forgotten").optional(),
  from: day.optional().describe("Observed on or after this day (UTC)."),
  to: day.optional().describe("Observed on or before this day (UTC)."),
  role: z.string().max(50).optional().describe("Source role, where memories carry one."),
  sensitivity: z.string().max(50).optional().describe("Sensitivity, where memories carry one."),
  limit: z.string().regex(/^\d{1,4}$/, "limit must be 1-1000").optional(),
  cursor: z.string().regex(/^\d{1,9}$/, "cursor is not valid").optional(),
});

/**
 * A memory with its status and every field the store keeps (fields added by newer versions,
 * such as a source role or a sensitivity, pass through).
 *
 * @example
 * ```ts
 * InspectMemorySchema.parse({ ...memory, status: "valid" });
 * ```
 */
export const InspectMemorySchema = MemorySchema.extend({ status: MemoryStatusSchema }).loose();

/**
 * Response of `GET /v1/inspect/users/{userId}/memories`.
 *
 * @example
 * ```ts
 * const { items, total, facets } = MemorySearchSchema.parse(await res.json());
 * ```
 */
export const MemorySearchSchema = z.object({
  items: z.array(InspectMemorySchema),
  total: z.number().int().describe("Matches before paging."),
  nextCursor: z.string().nullable(),
  facets: z.object({
    kinds: z.record(z.string(), z.number().int()),
    statuses: z.record(z.string(), z.number().int()),
    roles: z.record(z.string(), z.number().int()).describe("Empty when memories carry no source role."),
    sensitivities: z.record(z.string(), z.number().int()).describe("Empty when memories carry no sensitivity."),
  }),
});

/**
 * One stored message with the memories distilled from it.
 *
 * @example
 * ```ts
 * InspectEpisodeSchema.parse({ id: "ep_1", externalId: "m1", sessionId: null, speaker: "alice", role: "user", text: "hi", attachmentText: null, occurredAt: "…", memories: [] });
 * ```
 */
export const InspectEpisodeSchema = z
  .object({
    id: z.string(),
    externalId: z.string().nullable(),
    sessionId: z.string().nullable(),
    speaker: z.string(),
    role: z.string().nullable(),
    text: z.string(),
    attachmentText: z.string().nullable(),
    occurredAt: z.string(),
    memories: z.array(z.object({ id: z.string(), kind: z.string(), text: z.string(), status: MemoryStatusSchema })),
  })
  .loose();

/**
 * Query of `GET /v1/inspect/users/{userId}/episodes`.
 *
 * @example
 * ```ts
 * EpisodesQuerySchema.parse({ day: "2024-04-02" });
 * ```
 */
export const EpisodesQuerySchema = z.strictObject({ day: day.optional().describe("Day to show (UTC); default the latest.") });

/**
 * Response of `GET /v1/inspect/users/{userId}/episodes`: the days that have messages, and one day's conversation.
 *
 * @example
 * ```ts
 * const { days, day, items } = EpisodeDaySchema.parse(await res.json());
 * ```
 */
export const EpisodeDaySchema = z.object({
  days: z.array(z.object({ day: z.string(), count: z.number().int() })),
  day: z.string().nullable(),
  items: z.array(InspectEpisodeSchema),
});

/**
 * Response of `GET /v1/inspect/users/{userId}/graph`: entities, the memories linked to them,
 * and co-mention edges (two entities in one memory).
 *
 * @example
 * ```ts
 * const { entities, memories, edges } = GraphSchema.parse(await res.json());
 * ```
 */
export const GraphSchema = z.object({
  entities: z.array(z.object({ id: z.string(), name: z.string(), type: z.string(), aliases: z.array(z.string()), mentionCount: z.number().int(), memoryIds: z.array(z.string()) })),
  memories: z.array(z.object({ id: z.string(), kind: z.string(), text: z.string(), entityIds: z.array(z.string()) })),
  edges: z.array(z.object({ source: z.string(), target: z.string(), weight: z.number().int() })),
});

/**
 * Path of `GET /v1/inspect/memories/{id}`.
 *
 * @example
 * ```ts
 * TraceParamsSchema.parse({ id: "mem_1" });
 * ```
 */
export const TraceParamsSchema = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,199}$/, "id is not a valid memory id") });

/**
 * Response of `GET /v1/inspect/memories/{id}`: the memory, its versions oldest first, and the
 * messages any version came from.
 *
 * @example
 * ```ts
 * const { memory, versions, episodes } = TraceSchema.parse(await res.json());
 * ```
 */
export const TraceSchema = z.object({
  memory: InspectMemorySchema,
  versions: z.array(MemoryVersionSchema),
  episodes: z.array(InspectEpisodeSchema.omit({ memories: true })),
  entities: z.array(z.object({ id: z.string(), name: z.string(), type: z.string() })),
});

/**
 * Body of `POST /v1/inspect/recall`: the same as `POST /v1/recall`.
 *
 * @example
 * ```ts
 * InspectRecallRequestSchema.parse({ userId: "alice", query: "Where does Alice live?", budgetTokens: 200 });
 * ```
 */
export const InspectRecallRequestSchema = RecallRequestSchema;

/**
 * Response of `POST /v1/inspect/recall`: the context exactly as `POST /v1/recall` returns it,
 * plus each result's per-channel scores and tokens, and how the query was read.
 *
 * @example
 * ```ts
 * const { context, contextTokens, results, query } = InspectRecallSchema.parse(await res.json());
 * ```
 */
export const InspectRecallSchema = z.object({
  context: z.string(),
  contextTokens: z.number().int(),
  results: z.array(
    z.object({
      id: z.string(),
      type: z.enum(["memory", "episode"]),
      kind: z.string(),
      text: z.string(),
      score: z.number(),
      sources: z.array(z.string()),
      occurredAt: z.string().nullable(),
      speaker: z.string().nullable(),
      channels: z.record(z.string(), z.number()),
      tokens: z.number().int(),
    }).loose(),
  ),
  query: z.object({ text: z.string(), entities: z.array(z.string()), timeRange: z.object({ from: z.string(), to: z.string() }).nullable() }),
}).loose();
