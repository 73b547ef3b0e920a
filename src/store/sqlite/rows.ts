import { SENSITIVITY_CATEGORIES, SOURCE_ROLES, type Entity, type EntityType, type Episode, type Memory, type MemoryKind, type MemoryVersion, type Quarantine, type Segment, type SensitivityCategory, type SourceRole, type TrustLevel } from "../../core/types.js";

/**
 * A raw database row.
 *
 * @example
 * ```ts
 * const r: Row = { id: "ent_1", tenant: "default", user_id: "alice", name: "Caroline", type: "person", aliases: "[]", mention_count: 3 };
 * ```
 */
export type Row = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === "string" ? v : String(v ?? ""));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const arr = (v: unknown): string[] => (typeof v === "string" ? (JSON.parse(v) as string[]) : Array.isArray(v) ? (v as string[]) : []);
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === "string" ? (JSON.parse(v) as Record<string, unknown>) : v && typeof v === "object" ? (v as Record<string, unknown>) : {};

const SOURCES = new Set<string>(SOURCE_ROLES);
const CATEGORIES = new Set<string>(SENSITIVITY_CATEGORIES);
/** Provenance columns (NULL on rows written before they existed: user, trusted, nothing sensitive). */
const sourceOf = (v: unknown): SourceRole => (typeof v === "string" && SOURCES.has(v) ? (v as SourceRole) : "user");
const trustOf = (v: unknown): TrustLevel => (v === "untrusted" ? "untrusted" : "trusted");
const categoriesOf = (v: unknown): SensitivityCategory[] => (v === "" ? [] : arr(v ?? "[]").filter((c): c is SensitivityCategory => CATEGORIES.has(c)));
const quarantineOf = (v: unknown): Quarantine | null => {
  if (v === null || v === undefined) return null;
  const q = obj(v) as Partial<Quarantine>;
  return { reasons: Array.isArray(q.reasons) ? q.reasons.map(String) : [], at: typeof q.at === "string" ? q.at : "" };
};

/**
 * The provenance fields of a row; each is left out when its column is NULL (a row written
 * before provenance existed, read as user / trusted / not sensitive).
 *
 * @example
 * ```ts
 * guardFields({ source: "tool", trust: "untrusted", sensitivity: null }); // { source: "tool", trust: "untrusted" }
 * ```
 */
export function guardFields(r: Row): Pick<Memory, "source" | "trust" | "sensitivity"> {
  const out: Pick<Memory, "source" | "trust" | "sensitivity"> = {};
  if (r.source !== null && r.source !== undefined) out.source = sourceOf(r.source);
  if (r.trust !== null && r.trust !== undefined) out.trust = trustOf(r.trust);
  if (r.sensitivity !== null && r.sensitivity !== undefined) out.sensitivity = categoriesOf(r.sensitivity);
  return out;
}

/**
 * The provenance columns of an episode or memory as SQL parameters (JSON for lists).
 *
 * @example
 * ```ts
 * guardColumns({ source: "tool", trust: "untrusted", sensitivity: ["health"] }); // ["tool", "untrusted", '["health"]']
 * ```
 */
export function guardColumns(r: Pick<Memory, "source" | "trust" | "sensitivity">): [string | null, string | null, string | null] {
  return [r.source ?? null, r.trust ?? null, r.sensitivity ? JSON.stringify(r.sensitivity) : null];
}

/**
 * {@link guardColumns} as SQLite stores them (schema 6): the usual values (user, trusted,
 * nothing sensitive) as '' (read back as those values; NULL still means "not set").
 *
 * @example
 * ```ts
 * compactGuardColumns({ source: "user", trust: "trusted", sensitivity: [] }); // ["", "", ""]
 * ```
 */
export function compactGuardColumns(r: Pick<Memory, "source" | "trust" | "sensitivity">): [string | null, string | null, string | null] {
  const [source, trust, sensitivity] = guardColumns(r);
  return [source === "user" ? "" : source, trust === "trusted" ? "" : trust, sensitivity === "[]" ? "" : sensitivity];
}

/**
 * Maps an `episodes` row to an {@link Episode}. Shared by every SQL store.
 *
 * @example
 * ```ts
 * const episodes = db.prepare("SELECT * FROM episodes WHERE tenant = ? AND user_id = ?").all("default", "alice").map((r) => rowToEpisode(r as Row));
 * ```
 */
export function rowToEpisode(r: Row): Episode {
  return {
    id: str(r.id),
    externalId: strOrNull(r.external_id),
    tenant: str(r.tenant),
    userId: str(r.user_id),
    agentId: strOrNull(r.agent_id),
    sessionId: strOrNull(r.session_id),
    speaker: str(r.speaker),
    role: strOrNull(r.role),
    text: str(r.text),
    attachmentText: strOrNull(r.attachment_text),
    occurredAt: str(r.occurred_at),
    recordedAt: str(r.recorded_at),
    contentHash: hashText(r.content_hash),
    segmentId: strOrNull(r.segment_id),
    seq: Number(r.seq),
    metadata: obj(r.metadata),
    ...guardFields(r),
    ...(r.quarantine !== null && r.quarantine !== undefined ? { quarantine: quarantineOf(r.quarantine) } : {}),
  };
}

/**
 * Maps a `segments` row to a {@link Segment}.
 *
 * @example
 * ```ts
 * const seg = rowToSegment(db.prepare("SELECT * FROM segments WHERE id = ?").get("seg_1") as Row);
 * ```
 */
export function rowToSegment(r: Row): Segment {
  return {
    id: str(r.id),
    tenant: str(r.tenant),
    userId: str(r.user_id),
    sessionId: strOrNull(r.session_id),
    episodeIds: arr(r.episode_ids),
    startedAt: str(r.started_at),
    endedAt: str(r.ended_at),
    summary: str(r.summary),
  };
}

/**
 * Maps a `memories` row to a {@link Memory}.
 *
 * @example
 * ```ts
 * const m = rowToMemory(db.prepare("SELECT * FROM memories WHERE id = ?").get("mem_1") as Row);
 * ```
 */
export function rowToMemory(r: Row): Memory {
  return {
    id: str(r.id),
    tenant: str(r.tenant),
    userId: str(r.user_id),
    agentId: strOrNull(r.agent_id),
    kind: str(r.kind) as MemoryKind,
    text: str(r.text),
    subject: strOrNull(r.subject),
    slot: strOrNull(r.slot),
    validFrom: strOrNull(r.valid_from),
    validTo: strOrNull(r.valid_to),
    observedAt: str(r.observed_at),
    recordedAt: str(r.recorded_at),
    invalidatedAt: strOrNull(r.invalidated_at),
    confidence: Number(r.confidence),
    importance: Number(r.importance),
    strength: Number(r.strength),
    // "" (SQLite, schema 6): never accessed since observed, the common case, in 1 byte instead of 24.
    lastAccessedAt: r.last_accessed_at === "" ? str(r.observed_at) : str(r.last_accessed_at),
    accessCount: Number(r.access_count),
    sources: arr(r.sources),
    entityIds: arr(r.entity_ids),
    segmentIds: arr(r.segment_ids),
    version: Number(r.version),
    forgottenAt: strOrNull(r.forgotten_at),
    expiresAt: strOrNull(r.expires_at),
    metadata: obj(r.metadata),
    ...guardFields(r),
  };
}

/**
 * Maps a `memory_history` row to a {@link MemoryVersion}.
 *
 * @example
 * ```ts
 * const v = rowToVersion(db.prepare("SELECT * FROM memory_history WHERE memory_id = ?").get("mem_1") as Row);
 * ```
 */
export function rowToVersion(r: Row): MemoryVersion {
  return {
    memoryId: str(r.memory_id),
    version: Number(r.version),
    op: str(r.op) as MemoryVersion["op"],
    text: str(r.text),
    validFrom: strOrNull(r.valid_from),
    validTo: strOrNull(r.valid_to),
    sources: arr(r.sources),
    at: str(r.at),
    reason: strOrNull(r.reason),
  };
}

/**
 * Maps an `entities` row to an {@link Entity}.
 *
 * @example
 * ```ts
 * rowToEntity({ id: "ent_1", tenant: "default", user_id: "alice", name: "Caroline", type: "person", aliases: '["Caro"]', mention_count: 12 });
 * // { id: "ent_1", ..., userId: "alice", aliases: ["Caro"], mentionCount: 12 }
 * ```
 */
export function rowToEntity(r: Row): Entity {
  return {
    id: str(r.id),
    tenant: str(r.tenant),
    userId: str(r.user_id),
    name: str(r.name),
    type: str(r.type) as EntityType,
    aliases: arr(r.aliases),
    mentionCount: Number(r.mention_count),
  };
}

const HEX_HASH = /^[0-9a-f]{64}$/;

/**
 * How a content hash is stored (schema 6): a hex SHA-256 as its 32 bytes (half the row's
 * and the hash index's bytes), anything else as the text it is.
 *
 * @example
 * ```ts
 * hashColumn("6a32…f9b"); // Buffer of 32 bytes
 * hashText(hashColumn(h)) === h; // true
 * ```
 */
export function hashColumn(h: string): string | Buffer {
  return HEX_HASH.test(h) ? Buffer.from(h, "hex") : h;
}

/**
 * A stored content hash as text (see {@link hashColumn}).
 *
 * @example
 * ```ts
 * hashText(Buffer.from("ab", "hex")); // "ab"
 * ```
 */
export function hashText(v: unknown): string {
  return Buffer.isBuffer(v) ? v.toString("hex") : str(v);
}
