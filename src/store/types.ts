import type { Entity, Episode, Memory, MemoryKind, MemoryVersion, Segment, Stats } from "../core/types.js";

/**
 * The storage key of a scope: every row belongs to exactly one tenant and user.
 *
 * @example
 * ```ts
 * const key: ScopeKey = { tenant: "default", userId: "conv-26" };
 * ```
 */
export interface ScopeKey {
  tenant: string;
  userId: string;
}

/**
 * Which table a text search or a vector belongs to.
 *
 * @example
 * ```ts
 * const hits = await store.searchText(key, "memory" satisfies TargetType, ["boston"], 20);
 * ```
 */
export type TargetType = "memory" | "episode" | "segment";

/**
 * A vector row; `vector` is L2-normalised.
 *
 * @example
 * ```ts
 * const row: VectorRow = { targetType: "memory", targetId: "mem_1", vector: normalize(new Float32Array([3, 4])) };
 * ```
 */
export interface VectorRow {
  targetType: TargetType;
  targetId: string;
  vector: Float32Array;
}

/**
 * Everything one write changes. A store applies a batch atomically: all of it or nothing.
 * Rows are upserted by id; a memory's entity links are its `entityIds`.
 *
 * @example
 * ```ts
 * const batch: WriteBatch = { scope: { tenant: "default", userId: "alice" }, memories: [memory], history: [version] };
 * await store.commit(batch);
 * ```
 */
export interface WriteBatch {
  scope: ScopeKey;
  episodes?: Episode[];
  segments?: Segment[];
  memories?: Memory[];
  history?: MemoryVersion[];
  entities?: Entity[];
  vectors?: VectorRow[];
  /** Episode id → segment id assignments for episodes already stored. */
  episodeSegments?: Array<{ episodeId: string; segmentId: string }>;
}

/**
 * Filter for listing memories.
 *
 * @example
 * ```ts
 * const f: MemoryFilter = { tenant: "default", userId: "alice", kinds: ["fact"], limit: 50 };
 * ```
 */
export interface MemoryFilter {
  tenant: string;
  userId?: string | undefined;
  agentId?: string | undefined;
  kinds?: MemoryKind[] | undefined;
  includeInvalidated?: boolean | undefined;
  includeForgotten?: boolean | undefined;
  /** Opaque cursor returned by the previous page. */
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * A memory as consolidation's index reads it ({@link Store.listMemoryTexts}).
 *
 * @example
 * ```ts
 * const t: MemoryText = { id: "mem_1", slot: "alice|lives_in", text: "Alice lives in Lisbon." };
 * ```
 */
export type MemoryText = Pick<Memory, "id" | "slot" | "text">;

/**
 * One page of a listing.
 *
 * @example
 * ```ts
 * const page: Page<Memory> = await store.listMemories({ tenant: "default", userId: "alice", limit: 100 });
 * const next = page.nextCursor ? await store.listMemories({ tenant: "default", userId: "alice", cursor: page.nextCursor }) : null;
 * ```
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A text-search hit: higher score is better (BM25).
 *
 * @example
 * ```ts
 * const hit: TextHit = { id: "mem_1", score: 7.3 };
 * ```
 */
export interface TextHit {
  id: string;
  score: number;
}

/**
 * A vector-search hit: cosine similarity (vectors are L2-normalised), higher is better.
 *
 * @example
 * ```ts
 * const hits: VectorHit[] = await store.searchVectors(key, "episode", queryVector, 60); // [{ id: "ep_1", score: 0.83 }, …]
 * ```
 */
export interface VectorHit {
  id: string;
  score: number;
}

/**
 * Optional filters of {@link Store.searchText}: a time window `[from, to)` (ISO-8601) on
 * the row's event time: an episode's `occurredAt`, a memory's `validFrom ?? observedAt`,
 * a segment's `startedAt`; for memories, a set of entities they must be linked to.
 *
 * @example
 * ```ts
 * await store.searchText(key, "episode", ["hiking"], 60, { from: "2023-05-01T00:00:00.000Z", to: "2023-06-01T00:00:00.000Z" });
 * ```
 */
export interface TextSearchOptions {
  from?: string | undefined;
  to?: string | undefined;
  /**
   * Memories only: keep the rows linked to at least one of these entities (their
   * `entityIds`). The answer-type channel asks this way for the memories of the typed
   * entities a question asks about, ranked in the store, instead of loading them all.
   */
  entityIds?: string[] | undefined;
}

/**
 * How a memory points at other rows: its `entityIds` ("entity"), its `sources`
 * (episode ids, "source") or its `segmentIds` ("segment").
 *
 * @example
 * ```ts
 * const link: MemoryLink = "entity";
 * ```
 */
export type MemoryLink = "entity" | "source" | "segment";

/**
 * The memories that point at one key (graph neighbours): `count` is how many
 * not-forgotten memories do (invalidated ones included; keys are row ids, each of one
 * scope, so a store may count without checking the scope), `memoryIds` the most
 * recently written of them in the scope, at most the limit asked, newest first.
 *
 * @example
 * ```ts
 * const [caroline] = await store.linkedMemories(key, "entity", ["ent_caroline"], 200);
 * caroline.count; // 312 (the entity's degree); caroline.memoryIds.length ≤ 200
 * ```
 */
export interface LinkedMemories {
  key: string;
  count: number;
  memoryIds: string[];
}

/**
 * The turns around one episode in the scope's timeline (ordered by `occurredAt`, then
 * `seq`, every session together): `before` nearest first, `after` nearest first.
 *
 * @example
 * ```ts
 * const [n] = await store.episodeNeighbours(key, ["ep_7"], 2);
 * n.before[0]; // the turn right before ep_7
 * ```
 */
export interface EpisodeNeighbours {
  episodeId: string;
  before: Episode[];
  after: Episode[];
}

/**
 * The vectors of a scope, packed row-major.
 *
 * @example
 * ```ts
 * const m: VectorMatrix = { ids: ["mem_1", "mem_2"], dim: 2, data: new Float32Array([0.6, 0.8, 1, 0]) };
 * ```
 */
export interface VectorMatrix {
  ids: string[];
  dim: number;
  data: Float32Array;
}

/**
 * The storage interface: small on purpose, so that SQLite and PostgreSQL implement
 * the same contract (see test/store-contract.ts). Every method returns a Promise.
 * Stores never decide anything: ranking, consolidation and decay live above them.
 *
 * @example
 * ```ts
 * const store = await SqliteStore.open("mnemo.db");
 * await store.commit({ scope: { tenant: "default", userId: "u1" }, episodes: [ep] });
 * ```
 */
export interface Store {
  /** "sqlite" or "postgres". */
  readonly dialect: string;
  /** Releases the connection(s). */
  close(): Promise<void>;
  /** Applies a batch atomically. */
  commit(batch: WriteBatch): Promise<void>;
  /**
   * Runs `fn` as the only writer of the scope, across processes and within this one: `fn`
   * gets a store whose reads see every earlier commit of the scope and whose commits land
   * together when `fn` resolves (nothing of them when it throws). Other writers of the
   * scope (commit, touchMemories, erase, another writeScope) wait. SQLite serialises
   * every writer of the file (BEGIN IMMEDIATE); PostgreSQL one scope at a time (an
   * advisory lock on the tenant and user). Re-entrant on the store `fn` receives.
   */
  writeScope<T>(scope: ScopeKey, fn: (store: Store) => Promise<T>): Promise<T>;
  /** A counter that changes on every commit touching the scope (cache invalidation). */
  generation(scope: ScopeKey): Promise<number>;

  /** Episodes of the scope matching any of the external ids or content hashes. */
  findEpisodes(scope: ScopeKey, keys: { externalIds: string[]; hashes: string[] }): Promise<Array<Pick<Episode, "id" | "externalId" | "contentHash" | "sessionId">>>;
  /** Episodes by id (missing ids are skipped); in the order asked. Rows may be shared with a cache and frozen: spread one before changing it. */
  getEpisodes(scope: ScopeKey, ids: string[]): Promise<Episode[]>;
  /** Episodes of the scope in time order. */
  listEpisodes(scope: ScopeKey, options?: { sessionId?: string; after?: string; limit?: number }): Promise<Episode[]>;
  /** Highest episode `seq` in the scope, or 0. */
  maxSeq(scope: ScopeKey): Promise<number>;

  /** Segments by id. */
  getSegments(scope: ScopeKey, ids: string[]): Promise<Segment[]>;
  /** The latest segment of a session (by end time), if any. */
  lastSegment(scope: ScopeKey, sessionId: string | null): Promise<Segment | null>;

  /** A memory by id within a tenant, or null. */
  getMemory(tenant: string, id: string): Promise<Memory | null>;
  /** Memories by id within a scope; in the order asked. Rows may be shared with a cache and frozen: spread one before changing it. */
  getMemories(scope: ScopeKey, ids: string[]): Promise<Memory[]>;
  /** Paginated listing, newest first. */
  listMemories(filter: MemoryFilter): Promise<Page<Memory>>;
  /**
   * The active (not invalidated, not forgotten) memories of a scope as id, slot and text only,
   * newest first, a page at a time (at most 1,000): what consolidation's index is built from,
   * without decoding whole rows.
   */
  listMemoryTexts(scope: ScopeKey, options?: { cursor?: string | undefined; limit?: number | undefined }): Promise<Page<MemoryText>>;
  /** Active (not invalidated, not forgotten) memories holding one of the slots. */
  memoriesBySlot(scope: ScopeKey, slots: string[]): Promise<Memory[]>;
  /** Every version of a memory, oldest first. */
  memoryHistory(tenant: string, id: string): Promise<MemoryVersion[]>;
  /** Records recall access: bumps access count, last access and strength. */
  touchMemories(scope: ScopeKey, ids: string[], at: string, strengthGain: number): Promise<void>;

  /** All entities of the scope. */
  listEntities(scope: ScopeKey): Promise<Entity[]>;

  /**
   * BM25 full-text search over one table of the scope; terms are plain words (no query
   * syntax), any of them matches. `options` restricts the rows to a time window.
   */
  searchText(scope: ScopeKey, target: TargetType, terms: string[], limit: number, options?: TextSearchOptions): Promise<TextHit[]>;
  /**
   * The `k` rows of one table of the scope whose vectors are most similar (cosine) to
   * `vector`, best first. Exact for small scopes; a store may answer from an approximate
   * (ANN) index for large ones. A vector of another dimension is EMBEDDER_MISMATCH.
   */
  searchVectors(scope: ScopeKey, target: TargetType, vector: Float32Array, k: number): Promise<VectorHit[]>;
  /**
   * Graph neighbours: for each key (in the order asked), the not-forgotten memories of the
   * scope that point at it through `link`, with their count; at most `limit` ids per key.
   */
  linkedMemories(scope: ScopeKey, link: MemoryLink, keys: string[], limit: number): Promise<LinkedMemories[]>;
  /** For each episode found (in the order asked), up to `radius` turns before and after it in the scope's timeline. */
  episodeNeighbours(scope: ScopeKey, episodeIds: string[], radius: number): Promise<EpisodeNeighbours[]>;
  /** All vectors of one table of the scope. */
  loadVectors(scope: ScopeKey, target: TargetType): Promise<VectorMatrix>;
  /** Removes every vector (before re-embedding with another model). */
  clearVectors(): Promise<void>;

  /** A store-wide setting. */
  getMeta(key: string): Promise<string | null>;
  /** Sets a store-wide setting. */
  setMeta(key: string, value: string): Promise<void>;

  /**
   * Hard-deletes episodes of the scope by id, and the given memories with their history
   * (full-text rows and vectors too); returns how many episodes were deleted. Memories and
   * segments that still cite the episodes are the caller's to update first.
   * Optional: a store without it cannot delete single messages (STORE_ERROR).
   */
  deleteEpisodes?(scope: ScopeKey, ids: string[], memoryIds?: string[]): Promise<number>;
  /** Hard-deletes everything of a user (or a whole tenant when userId is omitted), leaving no trace in the file. */
  erase(scope: { tenant: string; userId?: string | undefined }): Promise<{ episodes: number; memories: number; entities: number }>;
  /** Counts, for one user, one tenant or the whole store. */
  stats(scope?: { tenant?: string | undefined; userId?: string | undefined }): Promise<Stats>;
  /** Every tenant with data. */
  listTenants(): Promise<string[]>;
  /** The users of a tenant with data. */
  listUsers(tenant: string): Promise<string[]>;
}
