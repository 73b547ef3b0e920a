/**
 * API types (inferred from the zod schemas) and the projections from core records to them.
 */
import type { z } from "zod";
import type { Memory, MemoryVersion, RecallResult } from "../core/types.js";
import type {
  CountsSchema,
  MemoryListSchema,
  MemorySchema,
  MemoryVersionSchema,
  PatchMemoryRequestSchema,
  RecallRequestSchema,
  RecallResponseSchema,
  RecallResultSchema,
  RememberRequestSchema,
  RememberResponseSchema,
} from "./schemas.js";

/**
 * Request body of POST /v1/remember.
 *
 * @example
 * ```ts
 * const body: RememberRequest = { userId: "alice", messages: [{ role: "user", content: "hi" }] };
 * ```
 */
export type RememberRequest = z.input<typeof RememberRequestSchema>;
/**
 * Response of POST /v1/remember.
 *
 * @example
 * ```ts
 * const r: RememberResponse = await client.remember(body);
 * ```
 */
export type RememberResponse = z.output<typeof RememberResponseSchema>;
/**
 * Request body of POST /v1/recall.
 *
 * @example
 * ```ts
 * const q: RecallRequest = { userId: "alice", query: "hobbies?", kinds: ["preference"] };
 * ```
 */
export type RecallRequest = z.input<typeof RecallRequestSchema>;
/**
 * Response of POST /v1/recall.
 *
 * @example
 * ```ts
 * const r: RecallApiResponse = await client.recall(q);
 * ```
 */
export type RecallApiResponse = z.output<typeof RecallResponseSchema>;
/**
 * A memory as returned by the API.
 *
 * @example
 * ```ts
 * const m: ApiMemory = await client.getMemory("mem_3f1c");
 * ```
 */
export type ApiMemory = z.output<typeof MemorySchema>;
/**
 * A page of memories.
 *
 * @example
 * ```ts
 * const page: MemoryList = await client.listMemories({ userId: "alice" });
 * ```
 */
export type MemoryList = z.output<typeof MemoryListSchema>;
/**
 * One version of a memory.
 *
 * @example
 * ```ts
 * const versions: ApiMemoryVersion[] = await client.history("mem_3f1c");
 * ```
 */
export type ApiMemoryVersion = z.output<typeof MemoryVersionSchema>;
/**
 * Body of PATCH /v1/memories/{id}.
 *
 * @example
 * ```ts
 * const patch: PatchMemoryRequest = { kind: "preference" };
 * ```
 */
export type PatchMemoryRequest = z.input<typeof PatchMemoryRequestSchema>;
/**
 * Erase / import counts.
 *
 * @example
 * ```ts
 * const c: Counts = await client.eraseUser("alice");
 * ```
 */
export type Counts = z.output<typeof CountsSchema>;

/**
 * Projects a core memory to its API shape (drops the tenant and internal fields).
 *
 * @example
 * ```ts
 * const out = toApiMemory(await mnemo.memory(id, { tenant }));
 * ```
 */
export function toApiMemory(m: Memory): ApiMemory {
  return {
    id: m.id, userId: m.userId, agentId: m.agentId, kind: m.kind, text: m.text, subject: m.subject, validFrom: m.validFrom, validTo: m.validTo,
    observedAt: m.observedAt, recordedAt: m.recordedAt, invalidatedAt: m.invalidatedAt, forgottenAt: m.forgottenAt, expiresAt: m.expiresAt,
    confidence: m.confidence, importance: m.importance, strength: m.strength, accessCount: m.accessCount, lastAccessedAt: m.lastAccessedAt,
    sources: m.sources, entityIds: m.entityIds, version: m.version, metadata: m.metadata,
    source: m.source ?? "user", trust: m.trust ?? "trusted", sensitivity: m.sensitivity ?? [],
  };
}

/**
 * Projects a recall hit to its API shape.
 *
 * @example
 * ```ts
 * const results = response.results.map(toApiRecallResult);
 * ```
 */
export function toApiRecallResult(r: RecallResult): z.output<typeof RecallResultSchema> {
  return {
    id: r.id, type: r.type, kind: r.kind, text: r.text, score: r.score, sources: r.sources, occurredAt: r.occurredAt,
    source: r.source ?? "user", trust: r.trust ?? "trusted", sensitivity: r.sensitivity ?? [], ...(r.quarantined ? { quarantined: true } : {}),
  };
}

/**
 * Projects a memory version to its API shape.
 *
 * @example
 * ```ts
 * const items = (await mnemo.history(id)).map(toApiVersion);
 * ```
 */
export function toApiVersion(v: MemoryVersion): ApiMemoryVersion {
  return { memoryId: v.memoryId, version: v.version, op: v.op, text: v.text, validFrom: v.validFrom, validTo: v.validTo, sources: v.sources, at: v.at, reason: v.reason };
}
