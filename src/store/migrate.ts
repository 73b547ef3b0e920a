import { EMBEDDER_META_KEY } from "../core/context.js";
import { MnemoError } from "../core/errors.js";
import type { MemoryVersion } from "../core/types.js";
import { allMemories } from "./all-memories.js";
import type { ScopeKey, Store, TargetType, VectorRow } from "./types.js";

/**
 * What {@link copyStore} moved.
 *
 * @example
 * ```ts
 * const c: CopyCounts = { users: 10, episodes: 5882, memories: 4120, entities: 310, history: 5100, vectors: 10002 };
 * ```
 */
export interface CopyCounts {
  users: number;
  episodes: number;
  memories: number;
  entities: number;
  history: number;
  vectors: number;
}

const TARGETS: TargetType[] = ["episode", "memory", "segment"];

/**
 * Copies a whole store into an empty one (SQLite → PostgreSQL or back): every tenant and
 * user, with episodes, segments, entities, memories (inactive ones too), their history and
 * vectors as stored (no re-embedding), plus the embedder record. Each user is one commit.
 * A target that already holds data is refused (CONFLICT): erase it, or pick another.
 *
 * @example
 * ```ts
 * const from = await openStore("./mnemo.db");
 * const to = await openStore("postgres://mnemo@db/mnemo");
 * const counts = await copyStore(from, to);
 * ```
 */
export async function copyStore(from: Store, to: Store, onUser?: (scope: ScopeKey, done: number, total: number) => void): Promise<CopyCounts> {
  const target = await to.stats();
  if (target.episodes + target.memories + target.entities + target.segments > 0) {
    throw new MnemoError("CONFLICT", "The target store already holds data; migrate only into an empty store.", {
      hint: "Point --to at a new database (or schema: postgres://…?schema=name), or erase the target first.",
    });
  }
  const embedder = await from.getMeta(EMBEDDER_META_KEY);
  if (embedder !== null) await to.setMeta(EMBEDDER_META_KEY, embedder);
  const scopes: ScopeKey[] = [];
  for (const tenant of await from.listTenants()) for (const userId of await from.listUsers(tenant)) scopes.push({ tenant, userId });
  const counts: CopyCounts = { users: 0, episodes: 0, memories: 0, entities: 0, history: 0, vectors: 0 };
  for (const scope of scopes) {
    const episodes = await from.listEpisodes(scope);
    // Oldest first, so the target lists them newest first as the source does.
    const memories = (await allMemories(from, { ...scope, includeInvalidated: true, includeForgotten: true })).reverse();
    const segmentIds = new Set<string>();
    for (const e of episodes) if (e.segmentId) segmentIds.add(e.segmentId);
    for (const m of memories) for (const s of m.segmentIds) segmentIds.add(s);
    const segments = await from.getSegments(scope, [...segmentIds]);
    const entities = await from.listEntities(scope);
    const history: MemoryVersion[] = [];
    for (const m of memories) history.push(...(await from.memoryHistory(scope.tenant, m.id)));
    const vectors: VectorRow[] = [];
    for (const t of TARGETS) {
      const v = await from.loadVectors(scope, t);
      v.ids.forEach((id, i) => vectors.push({ targetType: t, targetId: id, vector: v.data.slice(i * v.dim, (i + 1) * v.dim) }));
    }
    await to.commit({ scope, episodes, segments, entities, memories, history, vectors });
    counts.users++;
    counts.episodes += episodes.length;
    counts.memories += memories.length;
    counts.entities += entities.length;
    counts.history += history.length;
    counts.vectors += vectors.length;
    onUser?.(scope, counts.users, scopes.length);
  }
  return counts;
}
