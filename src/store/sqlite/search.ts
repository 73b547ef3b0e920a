import type Database from "better-sqlite3";
import type { Memory } from "../../core/types.js";
import type { LinkedMemories, MemoryLink, ScopeKey, TargetType, TextHit, TextSearchOptions } from "../types.js";
import { HEAD_WEIGHT } from "./constants.js";
import { scopeToken } from "./fts.js";

/**
 * The `memory_links.link` code of each link kind.
 *
 * @example
 * ```ts
 * db.prepare("SELECT memory_rid FROM memory_links WHERE link = ? AND key = ?").all(LINK_CODE.entity, linkKey("ent_1"));
 * ```
 */
export const LINK_CODE: Record<MemoryLink, number> = { entity: 0, source: 1, segment: 2 };

/** Prepares (and caches) a statement. */
export type Prepare = (sql: string) => Database.Statement;

/**
 * The `memory_links.key` of an id (schema 6): a 53-bit hash of the id (cyrb53), an integer
 * of 1–8 bytes instead of the 35-byte id text (the table was ≈ 150 bytes per turn). A
 * collision (≈ n² / 2^54 for n distinct ids in the file) would only add the other id's
 * memories, filtered to the same scope, to a graph lookup. Part of the file format: it
 * must not change without a migration.
 *
 * @example
 * ```ts
 * linkKey("ent_7c34d9fa2309f15a4dd52e3caa119624"); // an integer below 2^53
 * ```
 */
export function linkKey(id: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

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
    before.forEach((keys, code) => keys.forEach((k) => del.run(code, linkKey(k), rid)));
  }
  const ins = stmt(`INSERT OR IGNORE INTO memory_links (link, key, memory_rid) VALUES (?, ?, ?)`);
  next.forEach((keys, code) => keys.forEach((k) => ins.run(code, linkKey(k), rid)));
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
  const uniq = [...new Set(keys)];
  if (uniq.length === 0) return [];
  const n = Math.max(0, limit);
  // One statement for every key (an index range each, newest first): a recall asks for up
  // to a few hundred keys at once (answer typing), and a statement per key cost more in
  // calls than in reads.
  const ids = stmt(`SELECT k.value AS key, (SELECT json_group_array(id) FROM (SELECT m.id AS id FROM memory_links l JOIN memories m ON m.rid = l.memory_rid
      WHERE l.link = ? AND l.key = k.value AND m.tenant = ? AND m.user_id = ? AND m.forgotten_at IS NULL ORDER BY l.memory_rid DESC LIMIT ?)) AS ids
    FROM json_each(?) k`);
  // Asked by hashed key (linkKey); the answer's keys map back to the ids asked.
  const byHash = new Map(uniq.map((k) => [linkKey(k), k]));
  const rows = ids.all(code, scope.tenant, scope.userId, n, JSON.stringify([...byHash.keys()])) as Array<{ key: number; ids: string }>;
  const out: LinkedMemories[] = rows.map((r) => {
    const memoryIds = JSON.parse(r.ids) as string[];
    return { key: byHash.get(r.key)!, count: memoryIds.length, memoryIds };
  });
  // Forgotten memories hold no link rows, and keys are row ids (each of one scope): the
  // degree of a key with more links than the limit is a range count on the primary key,
  // without reading the memories.
  const full = out.filter((l) => l.memoryIds.length >= n);
  if (full.length > 0) {
    const count = stmt(`SELECT k.value AS key, (SELECT COUNT(*) FROM memory_links WHERE link = ? AND key = k.value) AS n FROM json_each(?) k`);
    const counts = new Map((count.all(code, JSON.stringify(full.map((l) => linkKey(l.key)))) as Array<{ key: number; n: number }>).map((r) => [byHash.get(r.key)!, r.n]));
    for (const l of full) l.count = counts.get(l.key) ?? l.count;
  }
  return out;
}

/**
 * {@link Store.episodeNeighbours} for SQLite, as ids: one statement for every episode, two
 * index ranges each on `episodes_time` (tenant, user, occurred_at, seq). The caller reads
 * the rows (through its row cache).
 *
 * @example
 * ```ts
 * const [n] = episodeNeighbourIds(stmt, key, ["ep_7"], 2); // { episodeId: "ep_7", before: ["ep_6", "ep_5"], after: ["ep_8", "ep_9"] }
 * ```
 */
export function episodeNeighbourIds(stmt: Prepare, scope: ScopeKey, episodeIds: string[], radius: number): Array<{ episodeId: string; before: string[]; after: string[] }> {
  const uniq = [...new Set(episodeIds)];
  if (uniq.length === 0) return [];
  const n = Math.max(0, radius);
  const rows = stmt(`SELECT s.value AS id,
      (SELECT json_group_array(id) FROM (SELECT b.id AS id FROM episodes b WHERE b.tenant = e.tenant AND b.user_id = e.user_id AND (b.occurred_at, b.seq) < (e.occurred_at, e.seq)
        ORDER BY b.occurred_at DESC, b.seq DESC LIMIT ?)) AS before,
      (SELECT json_group_array(id) FROM (SELECT a.id AS id FROM episodes a WHERE a.tenant = e.tenant AND a.user_id = e.user_id AND (a.occurred_at, a.seq) > (e.occurred_at, e.seq)
        ORDER BY a.occurred_at, a.seq LIMIT ?)) AS after
    FROM json_each(?) s CROSS JOIN episodes e ON e.id = s.value WHERE +e.tenant = ? AND +e.user_id = ?`)
    .all(n, n, JSON.stringify(uniq), scope.tenant, scope.userId) as Array<{ id: string; before: string; after: string }>;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: Array<{ episodeId: string; before: string[]; after: string[] }> = [];
  for (const id of uniq) {
    const r = byId.get(id);
    if (!r) continue;
    out.push({ episodeId: id, before: n === 0 ? [] : (JSON.parse(r.before) as string[]), after: n === 0 ? [] : (JSON.parse(r.after) as string[]) });
  }
  return out;
}

export const FTS_TABLE: Record<TargetType, string> = { memory: "fts_memories", episode: "fts_episodes", segment: "fts_segments" };
const MAIN_TABLE: Record<TargetType, string> = { memory: "memories", episode: "episodes", segment: "segments" };
/** The event time of a row, for time-window searches. */
const TIME_COLUMN: Record<TargetType, string> = { memory: "COALESCE(m.valid_from, m.observed_at)", episode: "m.occurred_at", segment: "m.started_at" };


/**
 * Whether every row of a main table (and so of its full-text table) belongs to the scope:
 * its first and last (tenant, user) on the scope index, two index seeks.
 *
 * @example
 * ```ts
 * onlyScope(stmt, "episodes", { tenant: "default", userId: "alice" }); // true in a one-user file
 * ```
 */
export function onlyScope(stmt: Prepare, table: string, scope: ScopeKey): boolean {
  const r = stmt(`SELECT (SELECT tenant FROM ${table} ORDER BY tenant, user_id LIMIT 1) AS t0, (SELECT user_id FROM ${table} ORDER BY tenant, user_id LIMIT 1) AS u0,
      (SELECT tenant FROM ${table} ORDER BY tenant DESC, user_id DESC LIMIT 1) AS t1, (SELECT user_id FROM ${table} ORDER BY tenant DESC, user_id DESC LIMIT 1) AS u1`)
    .get() as { t0: string | null; u0: string | null; t1: string | null; u1: string | null };
  return r.t0 === scope.tenant && r.u0 === scope.userId && r.t1 === scope.tenant && r.u1 === scope.userId;
}

/**
 * {@link Store.searchText} for SQLite: BM25 over the scope's full-text rows, best first,
 * optionally within an event-time window, or among the memories linked to given entities.
 *
 * @example
 * ```ts
 * const hits = searchText(stmt, key, "episode", ["hiking"], 60); // [{ id: "ep_3", score: 4.2 }, ...]
 * ```
 */
export function searchText(stmt: Prepare, scope: ScopeKey, target: TargetType, terms: string[], limit: number, options: TextSearchOptions = {}): TextHit[] {
  // Each word becomes its single tokens (the index keeps no positions, so no phrases):
  // "it's" → "it", "s"; anything that is not a letter or digit is a separator.
  const clean = [...new Set(terms.flatMap((t) => t.split(/[^\p{L}\p{N}]+/u)).filter((t) => t.length > 0))].slice(0, 64);
  if (clean.length === 0) return [];
  const fts = FTS_TABLE[target];
  const window: string[] = [];
  const args: string[] = [];
  if (options.from !== undefined) (window.push(`${TIME_COLUMN[target]} >= ?`), args.push(options.from));
  if (options.to !== undefined) (window.push(`${TIME_COLUMN[target]} < ?`), args.push(options.to));
  if (options.entityIds !== undefined) {
    if (target !== "memory" || options.entityIds.length === 0) return [];
    // Checked on each matched row's own entity ids (a few) against the set, built once.
    window.push(`EXISTS (SELECT 1 FROM json_each(m.entity_ids) j WHERE j.value IN (SELECT value FROM json_each(?)))`);
    args.push(JSON.stringify([...new Set(options.entityIds)]));
  }
  const rank = `bm25(${fts}, 1.0, 0.0, ${HEAD_WEIGHT})`;
  // The scope's token (`sk:…`) restricts the matches to the scope; when the table holds no
  // other scope's rows it restricts nothing, and reading its doclist (every row of the
  // scope) was half of the query at 100K turns. It adds nothing to BM25 (weight 0).
  const alone = window.length === 0 && onlyScope(stmt, MAIN_TABLE[target], scope);
  // Without a condition on the rows, the best `limit` matches are ranked inside FTS5 first
  // and only they are joined to their rows for their ids: joining every match (thousands
  // for a large user) before sorting cost about as much as ranking (12 → 7 ms CPU per
  // query on a 100K-turn user; same hits, scores and order). CROSS JOIN and "+": the ranked
  // matches stay the outer loop (not a scan of the scope's rows probing them).
  const sql =
    window.length === 0
      ? `SELECT m.id AS id, s.score AS score FROM (SELECT rowid AS rid, -${rank} AS score FROM ${fts} WHERE ${fts} MATCH ? ORDER BY ${rank} LIMIT ?) s
        CROSS JOIN ${MAIN_TABLE[target]} m ON m.rid = s.rid${alone ? " AND +m.tenant = ? AND +m.user_id = ?" : ""} ORDER BY s.score DESC`
      : `SELECT m.id AS id, -${rank} AS score FROM ${fts} f JOIN ${MAIN_TABLE[target]} m ON m.rid = f.rowid
        WHERE ${fts} MATCH ? ${window.map((w) => `AND ${w}`).join(" ")} ORDER BY ${rank} LIMIT ?`;
  const query = (ts: string[]) =>
    stmt(sql)
      .all(
        alone ? ts.map((t) => `{text head}:"${t}"`).join(" OR ") : `sk:${scopeToken(scope)} AND (${ts.map((t) => `{text head}:"${t}"`).join(" OR ")})`,
        ...args,
        limit,
        ...(alone ? [scope.tenant, scope.userId] : []),
      ) as Array<{ id: string; score: number }>;
  let rows: Array<{ id: string; score: number }>;
  try {
    rows = query(clean);
  } catch (e) {
    // A word the index's tokenizer splits where JavaScript does not (some scripts'
    // marks) would be a phrase, which a position-less index cannot answer: keep the
    // words it reads as one token.
    if (!/phrase/i.test((e as Error).message)) throw e;
    const single = clean.filter((t) => {
      try {
        query([t]);
        return true;
      } catch {
        return false;
      }
    });
    rows = single.length > 0 ? query(single) : [];
  }
  return rows;
}
