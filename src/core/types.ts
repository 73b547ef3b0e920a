/**
 * The data model of Mnemo. See docs/DESIGN.md for the full description.
 * All timestamps are ISO 8601 strings in UTC.
 */

/**
 * Who a record belongs to. Always taken from the call's arguments, never from metadata.
 *
 * @example
 * ```ts
 * const scope: Scope = { tenant: "default", userId: "alice", agentId: "support-bot" };
 * ```
 */
export interface Scope {
  tenant: string;
  userId: string;
  agentId?: string | undefined;
  sessionId?: string | undefined;
}

/** The scope arguments a caller passes; `tenant` defaults to `"default"`. */
export type ScopeInput = Omit<Scope, "tenant"> & { tenant?: string | undefined };

/**
 * One message or event handed to {@link Mnemo.remember}.
 *
 * @example
 * ```ts
 * const m: MessageInput = { id: "D1:3", speaker: "Caroline", content: "I went to a support group yesterday.", occurredAt: "2023-05-08T13:56:00Z" };
 * ```
 */
export interface MessageInput {
  /** The caller's external id; re-sending the same id adds nothing. */
  id?: string | undefined;
  /** Who said it: a name ("Caroline") or a role ("user", "assistant"). */
  speaker?: string | undefined;
  /** The chat role, when the speaker is a name. */
  role?: string | undefined;
  /** The text, kept verbatim. */
  content: string;
  /** Text of an attachment, e.g. an image caption. */
  attachmentText?: string | undefined;
  /** When it happened (ISO 8601 or a Date). Defaults to now. */
  occurredAt?: string | Date | undefined;
  /** Session this message belongs to (overrides the call's sessionId). */
  sessionId?: string | undefined;
  /** Free-form metadata. It can never change the scope. */
  metadata?: Record<string, unknown> | undefined;
}

/** A raw message, kept verbatim and immutable. */
export interface Episode {
  id: string;
  externalId: string | null;
  tenant: string;
  userId: string;
  agentId: string | null;
  sessionId: string | null;
  speaker: string;
  role: string | null;
  text: string;
  attachmentText: string | null;
  occurredAt: string;
  recordedAt: string;
  contentHash: string;
  segmentId: string | null;
  seq: number;
  metadata: Record<string, unknown>;
}

/** The kinds of distilled memory. */
export const MEMORY_KINDS = ["fact", "event", "preference", "profile", "instruction", "summary"] as const;
/** A kind of memory. */
export type MemoryKind = (typeof MEMORY_KINDS)[number];

/** A distilled, time-aware unit of memory. */
export interface Memory {
  id: string;
  tenant: string;
  userId: string;
  agentId: string | null;
  kind: MemoryKind;
  text: string;
  /** The entity the memory is about (a name), if any. */
  subject: string | null;
  /** A normalised "subject|attribute" slot used to detect contradictions; null when none. */
  slot: string | null;
  /** Event time: when the described state or event began/happened. */
  validFrom: string | null;
  /** Event time: when it stopped being true (set when contradicted). */
  validTo: string | null;
  /** When the source was said (episode time); drives `asOf`. */
  observedAt: string;
  /** Wall-clock time of storage. */
  recordedAt: string;
  /** Wall-clock time the memory was invalidated, or null. */
  invalidatedAt: string | null;
  confidence: number;
  importance: number;
  /** Decay strength in (0, ∞); reinforced by repetition and recall. */
  strength: number;
  lastAccessedAt: string;
  accessCount: number;
  /** Episode ids this memory came from (never empty). */
  sources: string[];
  /** Entity ids linked to this memory. */
  entityIds: string[];
  /** Segment ids of the sources (hierarchy). */
  segmentIds: string[];
  version: number;
  /** Set when forgotten (soft delete); forgotten memories are never recalled. */
  forgottenAt: string | null;
  /** Optional expiry; after it the memory is never recalled. */
  expiresAt: string | null;
  metadata: Record<string, unknown>;
}

/** One past version of a memory. */
export interface MemoryVersion {
  memoryId: string;
  version: number;
  op: "add" | "update" | "invalidate" | "reinforce" | "forget" | "patch";
  text: string;
  validFrom: string | null;
  validTo: string | null;
  sources: string[];
  at: string;
  reason: string | null;
}

/** The kinds of entity. */
export type EntityType = "person" | "place" | "organization" | "object" | "topic";

/** A named thing memories are linked to. */
export interface Entity {
  id: string;
  tenant: string;
  userId: string;
  name: string;
  type: EntityType;
  aliases: string[];
  mentionCount: number;
}

/** A topical chunk of consecutive episodes (hierarchy level between episodes and memories). */
export interface Segment {
  id: string;
  tenant: string;
  userId: string;
  sessionId: string | null;
  episodeIds: string[];
  startedAt: string;
  endedAt: string;
  /** An extractive summary: salient sentences and keywords. */
  summary: string;
}

/** What one `remember` call did. */
export interface RememberResult {
  episodes: { added: number; duplicates: number; ids: string[] };
  memories: { added: number; updated: number; invalidated: number; unchanged: number };
  segments: number;
  entities: number;
}

/** A recall hit. */
export interface RecallResult {
  id: string;
  type: "memory" | "episode";
  kind: MemoryKind | "episode";
  text: string;
  score: number;
  /** External ids (or ids) of the source episodes. */
  sources: string[];
  occurredAt: string | null;
  speaker?: string | null;
  /** Contribution of each channel to the fused score (debugging). */
  channels: Record<string, number>;
  tokens: number;
}

/** What `recall` returns. */
export interface RecallResponse {
  context: string;
  contextTokens: number;
  results: RecallResult[];
  query: { text: string; entities: string[]; timeRange: { from: string; to: string } | null };
}

/** Counts for `stats`. */
export interface Stats {
  episodes: number;
  memories: number;
  entities: number;
  segments: number;
  users: number;
  vectors: number;
}
