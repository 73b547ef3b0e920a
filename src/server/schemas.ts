/**
 * Request and response schemas of the HTTP API (zod 4). The OpenAPI document is generated
 * from these same schemas (see `openapi.ts`), and the typed client uses their inferred types.
 */
import { z } from "zod";
import { MEMORY_KINDS, SENSITIVITY_CATEGORIES, SOURCE_ROLES, TRUST_LEVELS } from "../core/types.js";
import { SENSITIVE_POLICIES } from "../recall/policy.js";

/** Provenance and sensitivity fields shown on memories and recall results (docs/SECURITY.md). */
const provenance = {
  source: z.enum(SOURCE_ROLES).optional().describe("Who produced the text: user, assistant, system, tool, document or import."),
  trust: z.enum(TRUST_LEVELS).optional().describe("Only trusted text is an instruction or a fact about the user."),
  sensitivity: z.array(z.enum(SENSITIVITY_CATEGORIES)).optional().describe("Sensitive categories of the text."),
};

/**
 * Scope ids (tenant, userId, agentId, sessionId): the core's rule.
 *
 * @example
 * ```ts
 * SCOPE_ID_RE.test("alice@example.com"); // true
 * ```
 */
export const SCOPE_ID_RE = /^[\p{L}\p{N}_.:@-]{1,200}$/u;
/**
 * Record ids in paths (memories): letters, digits, `_`, `-`, `.`, `:`; no slashes.
 *
 * @example
 * ```ts
 * RECORD_ID_RE.test("../etc/passwd"); // false
 * ```
 */
export const RECORD_ID_RE = /^[A-Za-z0-9_:-][A-Za-z0-9_.:-]{0,199}$/;

const scopeId = (what: string) => z.string().regex(SCOPE_ID_RE, `${what} must be 1-200 letters, digits, '-', '_', '.', ':' or '@'`);
const isoish = z.string().min(1).max(100);

/**
 * A memory kind.
 *
 * @example
 * ```ts
 * MemoryKindSchema.parse("fact");
 * ```
 */
export const MemoryKindSchema = z.enum(MEMORY_KINDS);

/**
 * One message of `POST /v1/remember`.
 *
 * @example
 * ```ts
 * MessageSchema.parse({ id: "m1", role: "user", content: "I moved to Boston." });
 * ```
 */
export const MessageSchema = z.strictObject({
  id: z.string().min(1).max(500).optional().describe("Your id for the message; re-sending the same id stores nothing new."),
  role: z.string().min(1).max(50).optional().describe("Chat role (user, assistant, …)."),
  speaker: z.string().min(1).max(200).optional().describe("Who said it, when a name is known."),
  content: z.string().min(1).max(100_000),
  attachmentText: z.string().max(100_000).optional(),
  occurredAt: isoish.optional().describe("ISO 8601 time the message was said (default: now)."),
  sessionId: scopeId("sessionId").optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Body of `POST /v1/remember`.
 *
 * @example
 * ```ts
 * RememberRequestSchema.parse({ userId: "alice", messages: [{ content: "hi" }] });
 * ```
 */
export const RememberRequestSchema = z.strictObject({
  userId: scopeId("userId"),
  agentId: scopeId("agentId").optional(),
  sessionId: scopeId("sessionId").optional(),
  messages: z.array(MessageSchema).min(1).max(1000),
});

/**
 * Response of `POST /v1/remember`.
 *
 * @example
 * ```ts
 * RememberResponseSchema.parse(await res.json());
 * ```
 */
export const RememberResponseSchema = z.object({
  episodes: z.object({ added: z.number().int(), duplicates: z.number().int(), ids: z.array(z.string()) }),
  memories: z.object({ added: z.number().int(), updated: z.number().int(), invalidated: z.number().int(), unchanged: z.number().int() }),
});

/**
 * Body of `POST /v1/recall`.
 *
 * @example
 * ```ts
 * RecallRequestSchema.parse({ userId: "alice", query: "Where does Alice live?", budgetTokens: 300 });
 * ```
 */
export const RecallRequestSchema = z.strictObject({
  userId: scopeId("userId"),
  agentId: scopeId("agentId").optional(),
  query: z.string().min(1).max(10_000),
  budgetTokens: z.number().int().min(1).max(100_000).optional(),
  asOf: isoish.optional().describe("Answer as of this ISO 8601 time."),
  kinds: z.array(MemoryKindSchema).min(1).max(MEMORY_KINDS.length).optional(),
  filters: z
    .strictObject({ sessionId: scopeId("sessionId").optional(), speaker: z.string().min(1).max(200).optional(), from: isoish.optional(), to: isoish.optional() })
    .optional(),
  includeEpisodes: z.boolean().optional(),
  citeSources: z.boolean().optional().describe("End each context line with its source id, e.g. (D1:3)."),
  sensitive: z
    .enum(SENSITIVE_POLICIES)
    .optional()
    .describe("Sensitive memories: relevant (default) only when the query is about their category, exclude never, include always."),
  includeQuarantined: z.boolean().optional().describe("Also recall quarantined episodes (suspected injections), marked as such."),
});

/**
 * One recall hit.
 *
 * @example
 * ```ts
 * RecallResultSchema.parse({ id: "mem_1", type: "memory", kind: "fact", text: "…", score: 0.1, sources: ["m1"], occurredAt: null });
 * ```
 */
export const RecallResultSchema = z.object({
  id: z.string(),
  type: z.enum(["memory", "episode"]),
  kind: z.enum([...MEMORY_KINDS, "episode"]),
  text: z.string(),
  score: z.number(),
  sources: z.array(z.string()),
  occurredAt: z.string().nullable(),
  ...provenance,
  quarantined: z.boolean().optional().describe("A quarantined episode (only with includeQuarantined)."),
});

/**
 * What recall withheld: counts and categories, never the text.
 *
 * @example
 * ```ts
 * WithheldSchema.parse({ sensitive: 2, categories: ["health"], quarantined: 0 });
 * ```
 */
export const WithheldSchema = z.object({
  sensitive: z.number().int().describe("Sensitive items that matched the query but were left out by the policy."),
  categories: z.array(z.enum(SENSITIVITY_CATEGORIES)),
  quarantined: z.number().int().describe("Quarantined episodes that matched the query but were left out."),
});

/**
 * Response of `POST /v1/recall`.
 *
 * @example
 * ```ts
 * const { context } = RecallResponseSchema.parse(await res.json());
 * ```
 */
export const RecallResponseSchema = z.object({ context: z.string(), contextTokens: z.number().int(), results: z.array(RecallResultSchema), withheld: WithheldSchema.optional() });

/**
 * A memory as the API shows it (the tenant is implied by the key and left out).
 *
 * @example
 * ```ts
 * const memory = MemorySchema.parse(await res.json());
 * ```
 */
export const MemorySchema = z.object({
  id: z.string(),
  userId: z.string(),
  agentId: z.string().nullable(),
  kind: MemoryKindSchema,
  text: z.string(),
  subject: z.string().nullable(),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  observedAt: z.string(),
  recordedAt: z.string(),
  invalidatedAt: z.string().nullable(),
  forgottenAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  confidence: z.number(),
  importance: z.number(),
  strength: z.number(),
  accessCount: z.number().int(),
  lastAccessedAt: z.string(),
  sources: z.array(z.string()),
  entityIds: z.array(z.string()),
  version: z.number().int(),
  metadata: z.record(z.string(), z.unknown()),
  ...provenance,
});

/**
 * A page of memories.
 *
 * @example
 * ```ts
 * const { items, nextCursor } = MemoryListSchema.parse(await res.json());
 * ```
 */
export const MemoryListSchema = z.object({ items: z.array(MemorySchema), nextCursor: z.string().nullable() });

/**
 * Query of `GET /v1/memories`.
 *
 * @example
 * ```ts
 * ListMemoriesQuerySchema.parse({ userId: "alice", kind: "fact,event", limit: "20" });
 * ```
 */
export const ListMemoriesQuerySchema = z.strictObject({
  userId: scopeId("userId"),
  agentId: scopeId("agentId").optional(),
  kind: z.string().regex(new RegExp(`^(${MEMORY_KINDS.join("|")})(,(${MEMORY_KINDS.join("|")}))*$`), "kind must be a comma-separated list of memory kinds").optional(),
  cursor: z.string().regex(/^[0-9a-z]{1,12}$/, "cursor must be a value returned as nextCursor").optional(),
  limit: z.string().regex(/^[1-9][0-9]{0,3}$/, "limit must be an integer from 1 to 1000").refine((s) => Number(s) <= 1000, "limit must be at most 1000").optional(),
  includeInvalidated: z.enum(["true", "false"]).optional(),
  includeForgotten: z.enum(["true", "false"]).optional(),
});

/**
 * Path parameters of `/v1/memories/{id}`.
 *
 * @example
 * ```ts
 * MemoryIdParamsSchema.parse({ id: "mem_3f1c" });
 * ```
 */
export const MemoryIdParamsSchema = z.strictObject({ id: z.string().regex(RECORD_ID_RE, "id is not a valid memory id") });

/**
 * Optional user restriction on single-memory routes.
 *
 * @example
 * ```ts
 * UserQuerySchema.parse({ userId: "alice" });
 * ```
 */
export const UserQuerySchema = z.strictObject({ userId: scopeId("userId").optional() });

/**
 * One version of a memory.
 *
 * @example
 * ```ts
 * MemoryVersionSchema.array().parse(history.items);
 * ```
 */
export const MemoryVersionSchema = z.object({
  memoryId: z.string(),
  version: z.number().int(),
  op: z.enum(["add", "update", "invalidate", "reinforce", "forget", "patch", "restore"]),
  text: z.string(),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  sources: z.array(z.string()),
  at: z.string(),
  reason: z.string().nullable(),
});

/**
 * Response of `GET /v1/memories/{id}/history`.
 *
 * @example
 * ```ts
 * const { items } = HistorySchema.parse(await res.json());
 * ```
 */
export const HistorySchema = z.object({ items: z.array(MemoryVersionSchema) });

/**
 * Body of `PATCH /v1/memories/{id}`.
 *
 * @example
 * ```ts
 * PatchMemoryRequestSchema.parse({ text: "Alice lives in Lisbon.", importance: 0.8 });
 * ```
 */
export const PatchMemoryRequestSchema = z
  .strictObject({
    text: z.string().min(1).max(10_000).optional(),
    kind: MemoryKindSchema.optional(),
    importance: z.number().min(0).max(1).optional(),
    expiresAt: isoish.nullable().optional(),
    validFrom: isoish.nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, "the patch must change at least one field");

/**
 * Path parameters of `/v1/users/{userId}`.
 *
 * @example
 * ```ts
 * UserParamsSchema.parse({ userId: "alice" });
 * ```
 */
export const UserParamsSchema = z.strictObject({ userId: scopeId("userId") });

/**
 * Counts removed by an erase, or written by an import.
 *
 * @example
 * ```ts
 * CountsSchema.parse({ episodes: 2, memories: 3, entities: 1 });
 * ```
 */
export const CountsSchema = z.object({ episodes: z.number().int(), memories: z.number().int(), entities: z.number().int() });

/**
 * What PATCH and DELETE on a memory answer to a key without the read scope: the change,
 * never the content (a write-only key must not read memories back).
 *
 * @example
 * ```ts
 * MemoryAckSchema.parse({ id: "mem_3f1c", userId: "alice", version: 3, forgottenAt: null });
 * ```
 */
export const MemoryAckSchema = z.object({ id: z.string(), userId: z.string(), version: z.number().int(), forgottenAt: z.string().nullable() });

/**
 * Path parameters of `/v1/episodes/{id}`: an episode id or the caller's own message id.
 *
 * @example
 * ```ts
 * EpisodeIdParamsSchema.parse({ id: "ep_3f1c" });
 * ```
 */
export const EpisodeIdParamsSchema = z.strictObject({ id: z.string().min(1).max(500).refine((s) => !s.includes("/"), "id is not a valid message id") });

/**
 * Query of `DELETE /v1/episodes/{id}`: the user is required.
 *
 * @example
 * ```ts
 * EpisodeUserQuerySchema.parse({ userId: "alice" });
 * ```
 */
export const EpisodeUserQuerySchema = z.strictObject({ userId: scopeId("userId") });

/**
 * Response of `DELETE /v1/episodes/{id}`.
 *
 * @example
 * ```ts
 * DeletedEpisodeSchema.parse({ id: "ep_1", memoriesDeleted: 1, memoriesUpdated: 0 });
 * ```
 */
export const DeletedEpisodeSchema = z.object({ id: z.string(), memoriesDeleted: z.number().int(), memoriesUpdated: z.number().int() });

/**
 * Body of `POST /v1/import`: JSONL made by the export route.
 *
 * @example
 * ```ts
 * ImportBodySchema.parse(fs.readFileSync("alice.jsonl", "utf8"));
 * ```
 */
export const ImportBodySchema = z.string().min(1).describe("JSONL made by GET /v1/users/{userId}/export.");

/**
 * Query of `POST /v1/import`.
 *
 * @example
 * ```ts
 * ImportQuerySchema.parse({ userId: "alice-copy" });
 * ```
 */
export const ImportQuerySchema = z.strictObject({
  userId: scopeId("userId").optional().describe("Import as this user (default: the user in the export header)."),
  allowInstructions: z.enum(["true", "false"]).optional().describe("Accept `instruction` memories from this file (needs the admin scope; default false)."),
});

/**
 * Body of `GET /v1/users/{userId}/export`.
 *
 * @example
 * ```ts
 * ExportBodySchema.parse(await res.text());
 * ```
 */
export const ExportBodySchema = z.string().describe("JSONL: a header line, then episodes, segments, entities, memories and history.");

/**
 * Response of `GET /healthz`.
 *
 * @example
 * ```ts
 * HealthSchema.parse({ status: "ok" });
 * ```
 */
export const HealthSchema = z.object({ status: z.literal("ok") });

/**
 * Response of `GET /readyz`.
 *
 * @example
 * ```ts
 * ReadySchema.parse({ status: "draining" });
 * ```
 */
export const ReadySchema = z.object({ status: z.enum(["ready", "draining", "read-only"]) });

/**
 * The error body shared by every failed response.
 *
 * @example
 * ```ts
 * const { error } = ErrorSchema.parse(await res.json()); // error.code, error.hint
 * ```
 */
export const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), hint: z.string() }) });
