import type Database from "better-sqlite3";
import type { Memory } from "../../core/types.js";
import type { EpisodeNeighbours, LinkedMemories, MemoryLink, ScopeKey } from "../types.js";
import { rowToEpisode, type Row } from "./rows.js";

/**
 * The `memory_links.link` code of each link kind.
 *
 * @example
 * ```ts
 * db.prepare("SELECT memory_rid FROM memory_links WHERE link = ? AND key = ?").all(LINK_CODE.entity, "ent_1");
 * ```
 */
export const LINK_CODE: Record<MemoryLink, number> = { entity: 0, source: 1, segment: 2 };

/** Prepares (and caches) a statement. */
type Prepare = (sql: string) => Database.Statement;

/**
 * Rewrites the link rows of one memory: removes those of its previous row (when given)
 * and adds those of the new one. Runs inside the commit's transaction.
 *
 * @example
 * ```ts
 * writeLinks(stmt, rid, old, memory); // old: the row's entity_ids / sources / segment_ids JSON, or undefined
 * ```
 */
export function writeLinks(
  stmt: Prepare,
  rid: number,
  old: { entity_ids: string; sources: string; segment_ids: string; forgotten_at: string | null } | undefined,
  m: Pick<Memory, "entityIds" | "sources" | "segmentIds" | "forgottenAt">,
): void {
  // A forgotten memory has no links: a key's link count is its degree.
  const next: string[][] = m.forgottenAt ? [[], [], []] : [m.entityIds, m.sources, m.segmentIds];
  if (old) {
    const before: string[][] = old.forgotten_at ? [[], [], []] : [old.entity_ids, old.sources, old.segment_ids].map((j) => JSON.parse(j) as string[]);
    if (before.every((keys, i) => keys.length === next[i]!.length && keys.every((k, j) => k === next[i]![j]))) return;
    const del = stmt(`DELETE FROM memory_links WHERE link = ? AND key = ? AND memory_rid = ?`);
    before.forEach((keys, code) => keys.forEach((k) => del.run(code, k, rid)));
  }
  const ins = stmt(`INSERT OR IGNORE INTO memory_links (link, key, memory_rid) VALUES (?, ?, ?)`);
  next.forEach((keys, code) => keys.forEach((k) => ins.run(code, k, rid)));
}

/**
 * {@link Store.linkedMemories} for SQLite: an index range per key on `memory_links`.
 *
 * @example
 * ```ts
 * const [n] = linkedMemories(stmt, key, "entity", ["ent_1"], 100); // { key: "ent_1", count: 12, memoryIds: [...] }
 * ```
 */
export function linkedMemories(stmt: Prepare, scope: ScopeKey, link: MemoryLink, keys: string[], limit: number): LinkedMemories[] {
  const code = LINK_CODE[link];
  // Forgotten memories hold no link rows, and keys are row ids (each of one scope): the
  // count is a range count on the primary key, without reading the memories.
  const count = stmt(`SELECT COUNT(*) AS n FROM memory_links WHERE link = ? AND key = ?`);
  const ids = stmt(`SELECT m.id AS id FROM memory_links l JOIN memories m ON m.rid = l.memory_rid
    WHERE l.link = ? AND l.key = ? AND m.tenant = ? AND m.user_id = ? AND m.forgotten_at IS NULL ORDER BY l.memory_rid DESC LIMIT ?`);
  const out: LinkedMemories[] = [];
  for (const key of [...new Set(keys)]) {
    const memoryIds = (ids.all(code, key, scope.tenant, scope.userId, Math.max(0, limit)) as Array<{ id: string }>).map((r) => r.id);
    const n = memoryIds.length < limit ? memoryIds.length : (count.get(code, key) as { n: number }).n;
    out.push({ key, count: n, memoryIds });
  }
  return out;
}

/**
 * {@link Store.episodeNeighbours} for SQLite: two index seeks per episode on
 * `episodes_time` (tenant, user, occurred_at, seq).
 *
 * @example
 * ```ts
 * const [n] = episodeNeighbours(stmt, key, ["ep_7"], 2);
 * ```
 */
export function episodeNeighbours(stmt: Prepare, scope: ScopeKey, episodeIds: string[], radius: number): EpisodeNeighbours[] {
  const self = stmt(`SELECT occurred_at, seq FROM episodes WHERE id = ? AND tenant = ? AND user_id = ?`);
  const before = stmt(`SELECT * FROM episodes WHERE tenant = ? AND user_id = ? AND (occurred_at, seq) < (?, ?) ORDER BY occurred_at DESC, seq DESC LIMIT ?`);
  const after = stmt(`SELECT * FROM episodes WHERE tenant = ? AND user_id = ? AND (occurred_at, seq) > (?, ?) ORDER BY occurred_at, seq LIMIT ?`);
  const out: EpisodeNeighbours[] = [];
  const n = Math.max(0, radius);
  for (const id of [...new Set(episodeIds)]) {
    const r = self.get(id, scope.tenant, scope.userId) as { occurred_at: string; seq: number } | undefined;
    if (!r) continue;
    const args = [scope.tenant, scope.userId, r.occurred_at, r.seq, n];
    out.push({
      episodeId: id,
      before: n === 0 ? [] : (before.all(...args) as Row[]).map(rowToEpisode),
      after: n === 0 ? [] : (after.all(...args) as Row[]).map(rowToEpisode),
    });
  }
  return out;
}
