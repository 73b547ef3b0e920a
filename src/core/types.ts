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

/**
 * The scope arguments a caller passes; `tenant` defaults to `"default"`.
 *
 * @example
 * ```ts
 * const scope: ScopeInput = { userId: "alice", sessionId: "s1" }; // tenant "default"
 * ```
 */
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

/**
 * A raw message, kept verbatim and immutable.
 *
 * @example
 * ```ts
 * const [ep] = await store.getEpisodes({ tenant: "default", userId: "conv-26" }, ["ep_1"]);
 * console.log(`${ep?.speaker}: ${ep?.text} (${ep?.externalId})`);
 * ```
 */
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
  /** Who produced the text (provenance); absent on rows written before provenance existed (= "user"). */
  source?: SourceRole | undefined;
  /** Trust of the source; absent = "trusted" (rows written before provenance existed). */
  trust?: TrustLevel | undefined;
  /** Set when the text looked like an injection: kept verbatim, never distilled, not recalled unless asked. */
  quarantine?: Quarantine | null | undefined;
  /** Sensitive categories the text touches (contextual integrity); absent = none. */
  sensitivity?: SensitivityCategory[] | undefined;
}

/**
 * Who produced a piece of text: the user, the assistant, a system prompt, a tool or a
 * document (pasted or retrieved content), or an import.
 *
 * @example
 * ```ts
 * SOURCE_ROLES.includes("tool"); // true
 * ```
 */
export const SOURCE_ROLES = ["user", "assistant", "system", "tool", "document", "import"] as const;
/**
 * A source role (provenance). See {@link SOURCE_ROLES}.
 *
 * @example
 * ```ts
 * const s: SourceRole = "user";
 * ```
 */
export type SourceRole = (typeof SOURCE_ROLES)[number];
/**
 * Trust levels: only "trusted" text can become an instruction or a fact about the user.
 *
 * @example
 * ```ts
 * TRUST_LEVELS; // ["trusted", "untrusted"]
 * ```
 */
export const TRUST_LEVELS = ["trusted", "untrusted"] as const;
/**
 * A trust level. See {@link TRUST_LEVELS}.
 *
 * @example
 * ```ts
 * const t: TrustLevel = "untrusted";
 * ```
 */
export type TrustLevel = (typeof TRUST_LEVELS)[number];
/**
 * Why an episode was quarantined (the rules that matched), and when.
 *
 * @example
 * ```ts
 * const q: Quarantine = { reasons: ["override-instructions"], at: "2024-01-01T00:00:00.000Z" };
 * ```
 */
export interface Quarantine {
  reasons: string[];
  at: string;
}
/**
 * Sensitive categories: GDPR art. 9 special categories plus finances, criminal records and credentials.
 *
 * @example
 * ```ts
 * SENSITIVITY_CATEGORIES.includes("health"); // true
 * ```
 */
export const SENSITIVITY_CATEGORIES = ["health", "sexuality", "religion", "politics", "ethnicity", "union", "genetic", "finances", "criminal", "credentials"] as const;
/**
 * A sensitive category. See {@link SENSITIVITY_CATEGORIES}.
 *
 * @example
 * ```ts
 * const c: SensitivityCategory = "finances";
 * ```
 */
export type SensitivityCategory = (typeof SENSITIVITY_CATEGORIES)[number];

/**
 * The kinds of distilled memory.
 *
 * @example
 * ```ts
 * MEMORY_KINDS.includes("preference"); // true
 * MEMORY_KINDS.join(","); // "fact,event,preference,profile,instruction,summary"
 * ```
 */
export const MEMORY_KINDS = ["fact", "event", "preference", "profile", "instruction", "summary"] as const;
/**
 * A kind of memory.
 *
 * @example
 * ```ts
 * const kinds: MemoryKind[] = ["fact", "preference"];
 * ```
 */
export type MemoryKind = (typeof MEMORY_KINDS)[number];

/**
 * A distilled, time-aware unit of memory.
 *
 * @example
 * ```ts
 * const m: Memory = await mnemo.memory("mem_3f1c", { userId: "conv-26" });
 * console.log(m.kind, m.text, m.validFrom, m.sources);
 * ```
 */
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
  /** Provenance: the role of the source episode it was distilled from; absent = "user" (older rows). */
  source?: SourceRole | undefined;
  /** Trust of that source; absent = "trusted" (older rows). */
  trust?: TrustLevel | undefined;
  /** Sensitive categories of the text; absent = none. */
  sensitivity?: SensitivityCategory[] | undefined;
}

/**
 * One past version of a memory.
 *
 * @example
 * ```ts
 * const v: MemoryVersion = { memoryId: "mem_1", version: 2, op: "update", text: "Caroline lives in Boston.", validFrom: "2023-05-08T00:00:00.000Z", validTo: null, sources: ["ep_7"], at: "2023-05-08T13:56:00.000Z", reason: null };
 * ```
 */
export interface MemoryVersion {
  memoryId: string;
  version: number;
  op: "add" | "update" | "invalidate" | "reinforce" | "forget" | "patch" | "restore";
  text: string;
  validFrom: string | null;
  validTo: string | null;
  sources: string[];
  at: string;
  reason: string | null;
}

/**
 * The kinds of entity.
 *
 * @example
 * ```ts
 * const t: EntityType = "place";
 * ```
 */
export type EntityType = "person" | "place" | "organization" | "object" | "topic";

/**
 * A named thing memories are linked to.
 *
 * @example
 * ```ts
 * const e: Entity = { id: "ent_1", tenant: "default", userId: "conv-26", name: "Caroline", type: "person", aliases: ["Caro"], mentionCount: 12 };
 * ```
 */
export interface Entity {
  id: string;
  tenant: string;
  userId: string;
  name: string;
  type: EntityType;
  aliases: string[];
  mentionCount: number;
}

/**
 * A topical chunk of consecutive episodes (hierarchy level between episodes and memories).
 *
 * @example
 * ```ts
 * const s: Segment = { id: "seg_1", tenant: "default", userId: "conv-26", sessionId: "session_1", episodeIds: ["ep_1", "ep_2"], startedAt: "2023-05-08T13:56:00.000Z", endedAt: "2023-05-08T14:02:00.000Z", summary: "Caroline, Melanie: support, group" };
 * ```
 */
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

/**
 * What one `remember` call did.
 *
 * @example
 * ```ts
 * const r: RememberResult = await mnemo.remember([{ speaker: "alice", content: "I moved to Boston." }], { userId: "alice" });
 * console.log(r.episodes.added, r.memories.added);
 * ```
 */
export interface RememberResult {
  episodes: { added: number; duplicates: number; ids: string[] };
  memories: { added: number; updated: number; invalidated: number; unchanged: number };
  segments: number;
  entities: number;
  /** Turns of this user waiting for extraction because the model provider was down (LLM mode; drained on the next call or by `extractPending`). */
  pendingExtraction?: number | undefined;
}

/**
 * A recall hit.
 *
 * @example
 * ```ts
 * const hit: RecallResult = { id: "mem_1", type: "memory", kind: "fact", text: "Caroline lives in Boston.", score: 0.82, sources: ["D1:3"], occurredAt: "2023-05-08T13:56:00.000Z", channels: { lexical: 0.5, dense: 0.32 }, tokens: 9 };
 * ```
 */
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
  /** Provenance of the line (absent only on older rows). */
  source?: SourceRole | undefined;
  trust?: TrustLevel | undefined;
  /** Set on a quarantined episode (only returned with `includeQuarantined`). */
  quarantined?: boolean | undefined;
  /** Sensitive categories of the line (only returned when the `sensitive` policy let it through). */
  sensitivity?: SensitivityCategory[] | undefined;
}

/**
 * What `recall` returns.
 *
 * @example
 * ```ts
 * const r: RecallResponse = await mnemo.recall("Where does Caroline live?", { userId: "conv-26", budgetTokens: 300 });
 * console.log(r.context, r.contextTokens, r.results.length);
 * ```
 */
export interface RecallResponse {
  /** The packed context: lines grouped under one date header per day, oldest first. */
  context: string;
  /** Tokens of `context` (cl100k BPE), never above the budget. */
  contextTokens: number;
  /** What the context holds, one per line, best score first, each with all its sources. */
  results: RecallResult[];
  query: { text: string; entities: string[]; timeRange: { from: string; to: string } | null };
  /**
   * What the guard kept out of this context without revealing it: sensitive lines left out by
   * the `sensitive` policy (count and categories) and quarantined episodes that matched.
   */
  withheld?: Withheld | undefined;
}

/**
 * What recall withheld: counts and categories only, never the text.
 *
 * @example
 * ```ts
 * const w: Withheld = { sensitive: 2, categories: ["health"], quarantined: 1 };
 * ```
 */
export interface Withheld {
  /** Sensitive memories/episodes that matched the query but were left out by the policy. */
  sensitive: number;
  /** Their categories (sorted, unique). */
  categories: SensitivityCategory[];
  /** Quarantined episodes that matched the query but were left out. */
  quarantined: number;
}

/**
 * Counts for `stats`.
 *
 * @example
 * ```ts
 * const s: Stats = { episodes: 419, memories: 512, entities: 37, segments: 61, users: 1, vectors: 931 };
 * ```
 */
export interface Stats {
  episodes: number;
  memories: number;
  entities: number;
  segments: number;
  users: number;
  vectors: number;
}
