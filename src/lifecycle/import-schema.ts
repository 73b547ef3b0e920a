import { z } from "zod";
import { MEMORY_KINDS } from "../core/types.js";
import { EPISODE_PROVENANCE_SHAPE, MEMORY_PROVENANCE_SHAPE } from "../guard/provenance.js";

/** True when a string holds a lone UTF-16 surrogate (SQLite would store it as U+FFFD). */
export function hasLoneSurrogate(s: string): boolean {
  return /\p{Cs}/u.test(s);
}

/** A string without lone surrogates. */
const wellFormed = (max: number) => z.string().max(max).refine((s) => !hasLoneSurrogate(s), "holds a lone UTF-16 surrogate");
/** Record ids: what Mnemo writes (letters, digits, `_`, `-`, `.`, `:`). */
const id = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, "is not a valid record id");
/** A timestamp as Mnemo stores it: canonical ISO 8601 UTC (`2024-01-01T00:00:00.000Z`), compared as text. */
const iso = z.string().refine((s) => {
  const t = Date.parse(s);
  return Number.isFinite(t) && new Date(t).toISOString() === s;
}, "must be an ISO 8601 UTC timestamp like 2024-01-01T00:00:00.000Z");
const niso = iso.nullable();
const nonEmpty = (max: number) => wellFormed(max).refine((s) => s.trim() !== "", "must not be empty");
const nstr = wellFormed(10_000).nullable();
const unit = z.number().min(0).max(1);
const count = z.number().int().min(0);
/** Metadata: JSON values whose strings are well-formed. */
const record = z.record(z.string(), z.unknown()).refine((v) => !hasLoneSurrogate(JSON.stringify(v)), "holds a lone UTF-16 surrogate");

const profileLine = z.object({ memoryId: id, text: nonEmpty(1_000_000), sources: z.array(z.string()), importance: unit, observedAt: iso });

/**
 * One export line of each type, validated like a write: ids, canonical dates, ranges
 * (confidence and importance 0-1, strength ≥ 0), non-empty text without lone surrogates,
 * and the `metadata.lines` of a profile summary (what recall and remember read back).
 *
 * @example
 * ```ts
 * const r = IMPORT_SCHEMAS.memory.safeParse(JSON.parse(line));
 * ```
 */
export const IMPORT_SCHEMAS = {
  episode: z
    .strictObject({
      type: z.literal("episode"), id, externalId: wellFormed(500).nullable(), tenant: z.string(), userId: z.string(), agentId: nstr, sessionId: nstr, speaker: nonEmpty(200),
      role: nstr, text: wellFormed(1_000_000), attachmentText: wellFormed(1_000_000).nullable(), occurredAt: iso, recordedAt: iso, contentHash: z.string().max(200), segmentId: id.nullable(),
      seq: count, metadata: record,
      ...EPISODE_PROVENANCE_SHAPE,
    })
    .refine((e) => e.text.trim() !== "" || (e.attachmentText ?? "").trim() !== "", { message: "must not be empty", path: ["text"] }),
  segment: z.strictObject({
    type: z.literal("segment"), id, tenant: z.string(), userId: z.string(), sessionId: nstr, episodeIds: z.array(id), startedAt: iso, endedAt: iso, summary: wellFormed(100_000),
  }),
  entity: z.strictObject({
    type: z.literal("entity"), id, tenant: z.string(), userId: z.string(), name: nonEmpty(500), aliases: z.array(nonEmpty(500)), mentionCount: count,
    // "type" is taken by the line type; the entity type travels as entityType.
    entityType: z.enum(["person", "place", "organization", "object", "topic"]).optional(),
  }),
  memory: z
    .strictObject({
      type: z.literal("memory"), id, tenant: z.string(), userId: z.string(), agentId: nstr, kind: z.enum(MEMORY_KINDS), text: nonEmpty(1_000_000), subject: nstr, slot: nstr,
      validFrom: niso, validTo: niso, observedAt: iso, recordedAt: iso, invalidatedAt: niso, confidence: unit, importance: unit, strength: z.number().min(0).max(1e6),
      lastAccessedAt: iso, accessCount: count, sources: z.array(id).min(1), entityIds: z.array(id), segmentIds: z.array(id), version: z.number().int().min(1),
      forgottenAt: niso, expiresAt: niso, metadata: record,
      ...MEMORY_PROVENANCE_SHAPE,
    })
    .superRefine((m, ctx) => {
      if (m.kind !== "summary") return;
      if (m.subject === null) ctx.addIssue({ code: "custom", path: ["subject"], message: "a summary needs a subject" });
      const lines = z.array(profileLine).safeParse(m.metadata.lines ?? []);
      if (!lines.success) ctx.addIssue({ code: "custom", path: ["metadata", "lines", ...lines.error.issues[0]!.path.map(String)], message: lines.error.issues[0]!.message });
    }),
  history: z.strictObject({
    type: z.literal("history"), memoryId: id, version: z.number().int().min(1), op: z.enum(["add", "update", "invalidate", "reinforce", "forget", "patch", "restore"]), text: wellFormed(1_000_000),
    validFrom: niso, validTo: niso, sources: z.array(z.string()), at: iso, reason: nstr,
  }),
};
