/**
 * Status of a memory: recalled, superseded or soft-deleted.
 *
 * @example
 * ```ts
 * const s: MemoryStatus = "forgotten";
 * ```
 */
export type MemoryStatus = "valid" | "invalidated" | "forgotten";

/**
 * The caller (GET /v1/inspect/whoami).
 *
 * @example
 * ```ts
 * const me: WhoAmI = { tenant: "acme", keyId: "0123456789abcdef", scopes: ["read"], auth: true };
 * ```
 */
export interface WhoAmI {
  tenant: string;
  keyId: string;
  scopes: string[];
  auth: boolean;
}

/**
 * A user with counts (GET /v1/inspect/users).
 *
 * @example
 * ```ts
 * const u: UserSummary = { userId: "alice", episodes: 8, memories: 6, entities: 7, segments: 4 };
 * ```
 */
export interface UserSummary {
  userId: string;
  episodes: number;
  memories: number;
  entities: number;
  segments: number;
}

/**
 * A memory with its status and any provenance fields the server adds.
 *
 * @example
 * ```ts
 * const text = (m: Memory) => `${m.kind}: ${m.text}`;
 * ```
 */
export interface Memory {
  id: string;
  userId: string;
  kind: string;
  text: string;
  subject: string | null;
  validFrom: string | null;
  validTo: string | null;
  observedAt: string;
  recordedAt: string;
  invalidatedAt: string | null;
  forgottenAt: string | null;
  expiresAt: string | null;
  confidence: number;
  importance: number;
  strength: number;
  accessCount: number;
  sources: string[];
  entityIds: string[];
  version: number;
  metadata: Record<string, unknown>;
  status: MemoryStatus;
  /** Provenance, where the server records it. */
  source?: string;
  trust?: string;
  sensitivity?: string[] | string;
  [extra: string]: unknown;
}

/**
 * One page of a memory search with facet counts.
 *
 * @example
 * ```ts
 * const n = (r: MemorySearch) => r.total;
 * ```
 */
export interface MemorySearch {
  items: Memory[];
  total: number;
  nextCursor: string | null;
  facets: { kinds: Record<string, number>; statuses: Record<string, number>; roles: Record<string, number>; sensitivities: Record<string, number> };
}

/**
 * A stored message (and, in the conversation view, the memories from it).
 *
 * @example
 * ```ts
 * const line = (e: Episode) => `${e.speaker}: ${e.text}`;
 * ```
 */
export interface Episode {
  id: string;
  externalId: string | null;
  sessionId: string | null;
  speaker: string;
  role: string | null;
  text: string;
  attachmentText: string | null;
  occurredAt: string;
  memories?: Array<{ id: string; kind: string; text: string; status: MemoryStatus }>;
  source?: string;
  trust?: string;
  quarantine?: { reasons: string[]; at: string } | null;
  sensitivity?: string[];
  [extra: string]: unknown;
}

/**
 * The days that have messages and one day's conversation.
 *
 * @example
 * ```ts
 * const days = (d: EpisodeDay) => d.days.map((x) => x.day);
 * ```
 */
export interface EpisodeDay {
  days: Array<{ day: string; count: number }>;
  day: string | null;
  items: Episode[];
}

/**
 * One version of a memory.
 *
 * @example
 * ```ts
 * const label = (v: Version) => `v${v.version} ${v.op}`;
 * ```
 */
export interface Version {
  memoryId: string;
  version: number;
  op: string;
  text: string;
  validFrom: string | null;
  validTo: string | null;
  sources: string[];
  at: string;
  reason: string | null;
}

/**
 * A memory with its versions, source messages and entities.
 *
 * @example
 * ```ts
 * const first = (t: Trace) => t.versions[0];
 * ```
 */
export interface Trace {
  memory: Memory;
  versions: Version[];
  episodes: Episode[];
  entities: Array<{ id: string; name: string; type: string }>;
}

/**
 * An entity of the graph with its memory ids.
 *
 * @example
 * ```ts
 * const size = (e: GraphEntity) => e.memoryIds.length;
 * ```
 */
export interface GraphEntity {
  id: string;
  name: string;
  type: string;
  aliases: string[];
  mentionCount: number;
  memoryIds: string[];
}

/**
 * The entity graph of a user.
 *
 * @example
 * ```ts
 * const names = (g: Graph) => g.entities.map((e) => e.name);
 * ```
 */
export interface Graph {
  entities: GraphEntity[];
  memories: Array<{ id: string; kind: string; text: string; entityIds: string[] }>;
  edges: Array<{ source: string; target: string; weight: number }>;
}

/**
 * A recall result with its per-channel scores.
 *
 * @example
 * ```ts
 * const lexical = (r: RecallResult) => r.channels.lexical ?? 0;
 * ```
 */
export interface RecallResult {
  id: string;
  type: "memory" | "episode";
  kind: string;
  text: string;
  score: number;
  sources: string[];
  occurredAt: string | null;
  speaker: string | null;
  channels: Record<string, number>;
  tokens: number;
  source?: string;
  trust?: string;
  quarantined?: boolean;
  sensitivity?: string[];
}

/**
 * The recall playground's response.
 *
 * @example
 * ```ts
 * const tokens = (r: Recall) => r.contextTokens;
 * ```
 */
export interface Recall {
  context: string;
  contextTokens: number;
  results: RecallResult[];
  query: { text: string; entities: string[]; timeRange: { from: string; to: string } | null };
  withheld?: { sensitive?: number; categories?: string[]; quarantined?: number };
}
