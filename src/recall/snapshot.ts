import { allMemories } from "../store/all-memories.js";
import { scopeCacheKey, type Context } from "../core/context.js";
import { terms } from "../core/text.js";
import type { Entity, Episode, Memory, Segment } from "../core/types.js";
import type { ScopeKey } from "../store/types.js";
import { ExactIndex } from "./vector/exact.js";
import { createVectorIndex } from "./vector/index.js";
import type { VectorIndex } from "./vector/types.js";

/**
 * What recall keeps in memory per scope: rows, vector indexes and the memory–entity
 * graph. Rebuilt when the store's generation for the scope changes (any commit, from
 * any process), so a cached snapshot is never stale for longer than one query.
 *
 * @example
 * ```ts
 * const snap: Snapshot = await loadSnapshot(ctx, { tenant: "default", userId: "conv-26" });
 * snap.memories.size; // active and past memories of the scope
 * ```
 */
export interface Snapshot {
  generation: number;
  memories: Map<string, Memory>;
  episodes: Map<string, Episode>;
  /** Episodes in time order (for neighbour expansion). */
  timeline: Episode[];
  position: Map<string, number>;
  segments: Map<string, Segment>;
  entities: Map<string, Entity>;
  memoryVectors: VectorIndex;
  episodeVectors: VectorIndex;
  /** entity id → memory ids; memory id → entity ids. */
  entityMemories: Map<string, string[]>;
  /** episode id → ids of memories citing it. */
  episodeMemories: Map<string, string[]>;
  /** Stemmed term sets of memory and episode texts, filled lazily. */
  termSets: Map<string, Set<string>>;
  /**
   * Item key → a stable position (memories in write order, then episodes in time order),
   * used to break score ties: ids are random, so ties broken by id would make the same
   * data rank differently from one ingest to the next.
   */
  order: Map<string, number>;
}

/**
 * Compares two item keys by their stable position in the snapshot (for score ties).
 *
 * @example
 * ```ts
 * candidates.sort((a, b) => b.score - a.score || byOrder(snap, a.key, b.key));
 * ```
 */
export function byOrder(snap: Snapshot, a: string, b: string): number {
  return (snap.order.get(a) ?? Infinity) - (snap.order.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The stemmed term set of a memory's or episode's text, cached in the snapshot.
 *
 * @example
 * ```ts
 * const t = termSet(snap, "m:" + m.id, m.text); // e.g. Set {"carolin", "live", "boston"}
 * ```
 */
export function termSet(snap: Snapshot, key: string, text: string): Set<string> {
  let t = snap.termSets.get(key);
  if (!t) snap.termSets.set(key, (t = new Set(terms(text))));
  return t;
}

/**
 * Vectors per scope above which recall builds an HNSW index instead of searching exactly.
 * Exact search over 100-d vectors stays near 10 ms at 300,000 (bench/vector.ts measures
 * 384-d: 16 ms at 50,000); the pure-TypeScript HNSW is fast to query but slow to build.
 *
 * @example
 * ```ts
 * const exact = m.ids.length < ANN_THRESHOLD; // exact search below 300,000 vectors
 * ```
 */
export const ANN_THRESHOLD = 300_000;

function toIndex(m: { ids: string[]; dim: number; data: Float32Array }, fallbackDim: number): VectorIndex {
  if (m.ids.length === 0) return new ExactIndex(fallbackDim || 1);
  if (m.ids.length < ANN_THRESHOLD) return ExactIndex.fromMatrix(m.ids, m.dim, m.data);
  const index = createVectorIndex(m.dim, m.ids.length, { annThreshold: ANN_THRESHOLD });
  const vectors = m.ids.map((_, i) => m.data.subarray(i * m.dim, (i + 1) * m.dim));
  index.add(m.ids, vectors);
  return index;
}

/**
 * The scope's snapshot, from cache when the generation is unchanged.
 *
 * @example
 * ```ts
 * const snap = await loadSnapshot(ctx, { tenant: "default", userId: "conv-26" });
 * const ep = snap.episodes.get("ep_1");
 * ```
 */
export async function loadSnapshot(ctx: Context, key: ScopeKey): Promise<Snapshot> {
  const cacheKey = scopeCacheKey(key.tenant, key.userId);
  const generation = await ctx.store.generation(key);
  const cached = ctx.caches.get(cacheKey) as Snapshot | undefined;
  if (cached && cached.generation === generation) return cached;
  const [memories, episodes, entities, memVecs, epVecs] = await Promise.all([
    allMemories(ctx.store, { tenant: key.tenant, userId: key.userId, includeInvalidated: true }),
    ctx.store.listEpisodes(key),
    ctx.store.listEntities(key),
    ctx.store.loadVectors(key, "memory"),
    ctx.store.loadVectors(key, "episode"),
  ]);
  const segmentIds = [...new Set(episodes.map((e) => e.segmentId).filter((s): s is string => s !== null))];
  const segments = await ctx.store.getSegments(key, segmentIds);
  const entityMemories = new Map<string, string[]>();
  for (const m of memories) {
    if (m.forgottenAt) continue;
    for (const e of m.entityIds) {
      let list = entityMemories.get(e);
      if (!list) entityMemories.set(e, (list = []));
      list.push(m.id);
    }
  }
  const episodeMemories = new Map<string, string[]>();
  for (const m of memories) {
    if (m.forgottenAt || m.kind === "summary") continue;
    for (const s of m.sources) {
      let list = episodeMemories.get(s);
      if (!list) episodeMemories.set(s, (list = []));
      list.push(m.id);
    }
  }
  const snap: Snapshot = {
    generation,
    memories: new Map(memories.map((m) => [m.id, m])),
    episodes: new Map(episodes.map((e) => [e.id, e])),
    timeline: episodes,
    position: new Map(episodes.map((e, i) => [e.id, i])),
    segments: new Map(segments.map((s) => [s.id, s])),
    entities: new Map(entities.map((e) => [e.id, e])),
    memoryVectors: toIndex(memVecs, ctx.embedder.dim),
    episodeVectors: toIndex(epVecs, ctx.embedder.dim),
    entityMemories,
    episodeMemories,
    termSets: new Map(),
    order: new Map([...memories.map((m, i) => ["m:" + m.id, i] as const), ...episodes.map((e, i) => ["e:" + e.id, memories.length + i] as const)]),
  };
  ctx.caches.set(cacheKey, snap);
  return snap;
}
