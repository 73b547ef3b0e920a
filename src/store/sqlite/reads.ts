import type { Episode, Memory, Stats } from "../../core/types.js";
import type { MemoryFilter, MemoryText, Page, ScopeKey } from "../types.js";
import { cursorRid } from "../cursor.js";
import { hashColumn, hashText, rowToMemory, type Row } from "./rows.js";
import type { Prepare } from "./search.js";

/**
 * {@link Store.findEpisodes} for SQLite: episodes of the scope by external id or content hash.
 *
 * @example
 * ```ts
 * findEpisodes(stmt, key, { externalIds: ["D1:3"], hashes: [] }); // [{ id, externalId: "D1:3", contentHash, sessionId }]
 * ```
 */
export function findEpisodes(stmt: Prepare, scope: ScopeKey, keys: { externalIds: string[]; hashes: string[] }): Array<Pick<Episode, "id" | "externalId" | "contentHash" | "sessionId">> {
  const out: Array<Pick<Episode, "id" | "externalId" | "contentHash" | "sessionId">> = [];
  const byExt = stmt(`SELECT id, external_id, content_hash, session_id FROM episodes WHERE tenant = ? AND user_id = ? AND external_id = ?`);
  // The hash index holds the first 8 bytes of each hash (schema 6): the whole hash is checked on the rows.
  const byHash = stmt(`SELECT id, external_id, content_hash, session_id FROM episodes WHERE tenant = ? AND user_id = ? AND substr(content_hash, 1, 8) = substr(?, 1, 8) AND content_hash = ?`);
  const push = (r: Row | undefined) => {
    if (r) out.push({ id: r.id as string, externalId: (r.external_id as string | null) ?? null, contentHash: hashText(r.content_hash), sessionId: (r.session_id as string | null) ?? null });
  };
  for (const x of new Set(keys.externalIds)) push(byExt.get(scope.tenant, scope.userId, x) as Row | undefined);
  for (const h of new Set(keys.hashes)) {
    const c = hashColumn(h);
    for (const r of byHash.all(scope.tenant, scope.userId, c, c) as Row[]) push(r);
  }
  return out;
}

const makers = new WeakMap<object, (a: unknown[]) => Row>();

/**
 * A function making a statement's raw rows (arrays) into row objects keyed by column name:
 * one object literal of fixed shape (compiled once per statement), which V8 builds faster
 * than objects grown key by key.
 *
 * @example
 * ```ts
 * const toRow = rowMaker(st); // st: a statement in raw mode
 * toRow(["ep_1", "hello"]); // { id: "ep_1", text: "hello" }
 * ```
 */
export function rowMaker(st: { columns(): Array<{ name: string }> }): (a: unknown[]) => Row {
  let make = makers.get(st);
  if (!make) {
    const cols = st.columns().map((c) => c.name);
    const props = cols.map((c, i) => `${JSON.stringify(c)}: a[${i}]`).join(", ");
    make = new Function("a", `return { ${props} };`) as (a: unknown[]) => Row;
    makers.set(st, make);
  }
  return make;
}

/**
 * Rows of one table by id within a scope, in the order asked (missing ids skipped).
 *
 * @example
 * ```ts
 * byIds(stmt, "segments", key, ["seg_1"], rowToSegment, (s) => s.id);
 * ```
 */
export function byIds<T>(stmt: Prepare, table: string, scope: ScopeKey, ids: string[], map: (r: Row) => T, idOf: (t: T) => string): T[] {
  if (ids.length === 0) return [];
  const found = new Map<string, T>();
  // One statement for any number of ids, through the id index ("+" keeps the planner
  // off the scope index, which would scan the whole user).
  const st = stmt(`SELECT * FROM ${table} WHERE id IN (SELECT value FROM json_each(?)) AND +tenant = ? AND +user_id = ?`);
  // Rows as arrays, made objects by one literal of the columns: a third less CPU than
  // better-sqlite3's own row objects for the thousand rows a large user's recall reads.
  const rows = st.raw(true).all(JSON.stringify([...new Set(ids)]), scope.tenant, scope.userId) as unknown[][];
  const toRow = rowMaker(st);
  for (const a of rows) {
    const t = map(toRow(a));
    found.set(idOf(t), t);
  }
  return ids.map((id) => found.get(id)).filter((t): t is T => t !== undefined);
}

/**
 * {@link Store.listMemories} for SQLite: newest first, a page at a time (cursor = rid in base 36).
 *
 * @example
 * ```ts
 * const page = listMemories(stmt, { tenant: "default", userId: "alice", limit: 50 });
 * ```
 */
export function listMemories(stmt: Prepare, filter: MemoryFilter): Page<Memory> {
  const where = ["tenant = ?"];
  const args: unknown[] = [filter.tenant];
  if (filter.userId !== undefined) (where.push("user_id = ?"), args.push(filter.userId));
  if (filter.agentId !== undefined) (where.push("agent_id = ?"), args.push(filter.agentId));
  if (filter.kinds?.length) (where.push(`kind IN (${filter.kinds.map(() => "?").join(",")})`), args.push(...filter.kinds));
  if (!filter.includeInvalidated) where.push("invalidated_at IS NULL");
  if (!filter.includeForgotten) where.push("forgotten_at IS NULL");
  if (filter.cursor !== undefined) {
    where.push("rid < ?");
    args.push(cursorRid(filter.cursor));
  }
  const limit = Math.max(1, Math.min(filter.limit ?? 50, 1000));
  const rows = stmt(`SELECT * FROM memories WHERE ${where.join(" AND ")} ORDER BY rid DESC LIMIT ?`).all(...args, limit + 1) as Row[];
  const items = rows.slice(0, limit).map(rowToMemory);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { items, nextCursor: last ? (last.rid as number).toString(36) : null };
}

/**
 * {@link Store.listMemoryTexts} for SQLite: id, slot and text of the scope's active memories,
 * newest first (the `memories_scope` index range, then each row).
 *
 * @example
 * ```ts
 * const page = listMemoryTexts(stmt, { tenant: "default", userId: "alice" }, { limit: 1000 });
 * ```
 */
export function listMemoryTexts(stmt: Prepare, scope: ScopeKey, options: { cursor?: string | undefined; limit?: number | undefined } = {}): Page<MemoryText> {
  const rid = cursorRid(options.cursor);
  const limit = Math.max(1, Math.min(options.limit ?? 1000, 1000));
  const rows = stmt(
    `SELECT rid, id, slot, text FROM memories WHERE tenant = ? AND user_id = ? AND rid < ? AND invalidated_at IS NULL AND forgotten_at IS NULL ORDER BY rid DESC LIMIT ?`,
  ).all(scope.tenant, scope.userId, rid, limit + 1) as Array<{ rid: number; id: string; slot: string | null; text: string }>;
  const items = rows.slice(0, limit).map((r) => ({ id: r.id, slot: r.slot, text: r.text }));
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { items, nextCursor: last ? last.rid.toString(36) : null };
}

/**
 * {@link Store.stats} for SQLite: row counts, optionally of one tenant or user.
 *
 * @example
 * ```ts
 * stats(stmt, { tenant: "default" }); // { episodes: 120, memories: 260, ... }
 * ```
 */
export function stats(stmt: Prepare, scope: { tenant?: string | undefined; userId?: string | undefined }): Stats {
  const where: string[] = [];
  const args: unknown[] = [];
  if (scope.tenant !== undefined) (where.push("tenant = ?"), args.push(scope.tenant));
  if (scope.userId !== undefined) (where.push("user_id = ?"), args.push(scope.userId));
  const w = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const count = (table: string, extra = "") => {
    const clause = extra ? (w ? `${w} AND ${extra}` : `WHERE ${extra}`) : w;
    return (stmt(`SELECT COUNT(*) AS n FROM ${table} ${clause}`).get(...args) as { n: number }).n;
  };
  const users = (stmt(`SELECT COUNT(*) AS n FROM (SELECT DISTINCT tenant, user_id FROM episodes ${w})`).get(...args) as { n: number }).n;
  return {
    episodes: count("episodes"),
    memories: count("memories", "invalidated_at IS NULL AND forgotten_at IS NULL"),
    entities: count("entities"),
    segments: count("segments"),
    users,
    vectors: count("vectors"),
  };
}
