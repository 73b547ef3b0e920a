import type Database from "better-sqlite3";
import type { ScopeKey } from "../types.js";
import { GENERATION_FLOOR_KEY } from "./commit.js";
import { ERASED_FINGERPRINT } from "./constants.js";
import { FTS_TABLE, type Prepare } from "./search.js";


/**
 * {@link Store.deleteEpisodes} inside the caller's transaction: the episodes and memories
 * with their full-text, vector, link and history rows; returns how many episodes went.
 *
 * @example
 * ```ts
 * const n = db.transaction(() => deleteRows(stmt, key, ["ep_1"], ["mem_2"])).immediate();
 * ```
 */
export function deleteRows(stmt: Prepare, scope: ScopeKey, ids: string[], memoryIds: string[]): number {
  let n = 0;
  const args = [scope.tenant, scope.userId];
  for (const id of new Set(ids)) {
    stmt(`DELETE FROM fts_episodes WHERE rowid IN (SELECT rid FROM episodes WHERE tenant = ? AND user_id = ? AND id = ?)`).run(...args, id);
    // target_type codes: src/store/sqlite/vectors.ts, TARGET_CODE (episode 1, memory 0).
    stmt(`DELETE FROM vectors WHERE target_type = 1 AND tenant = ? AND user_id = ? AND target_id = ?`).run(...args, id);
    n += stmt(`DELETE FROM episodes WHERE tenant = ? AND user_id = ? AND id = ?`).run(...args, id).changes;
  }
  for (const id of new Set(memoryIds)) {
    stmt(`DELETE FROM memory_links WHERE memory_rid IN (SELECT rid FROM memories WHERE tenant = ? AND user_id = ? AND id = ?)`).run(...args, id);
    stmt(`DELETE FROM fts_memories WHERE rowid IN (SELECT rid FROM memories WHERE tenant = ? AND user_id = ? AND id = ?)`).run(...args, id);
    stmt(`DELETE FROM vectors WHERE target_type = 0 AND tenant = ? AND user_id = ? AND target_id = ?`).run(...args, id);
    stmt(`DELETE FROM memory_history WHERE tenant = ? AND user_id = ? AND memory_id = ?`).run(...args, id);
    stmt(`DELETE FROM memories WHERE tenant = ? AND user_id = ? AND id = ?`).run(...args, id);
  }
  stmt(`DELETE FROM vector_snapshots WHERE tenant = ? AND user_id = ?`).run(...args);
  stmt(`UPDATE generations SET gen = gen + 1 WHERE tenant = ? AND user_id = ?`).run(...args);
  return n;
}

/**
 * {@link Store.erase} inside the caller's transaction: every row of each user, counted
 * into `counts`; idempotency records become tombstones.
 *
 * @example
 * ```ts
 * db.transaction(() => eraseUsers(db, stmt, "default", ["alice"], counts, true))();
 * ```
 */
export function eraseUsers(
  db: Database.Database,
  stmt: Prepare,
  tenant: string,
  users: string[],
  counts: { episodes: number; memories: number; entities: number },
  hasIdempotency: boolean,
): void {
  for (const userId of users) {
    const args = [tenant, userId];
    stmt(`DELETE FROM memory_links WHERE memory_rid IN (SELECT rid FROM memories WHERE tenant = ? AND user_id = ?)`).run(...args);
    for (const [t, fts] of [["episodes", "fts_episodes"], ["memories", "fts_memories"], ["segments", "fts_segments"]] as const) {
      stmt(`DELETE FROM ${fts} WHERE rowid IN (SELECT rid FROM ${t} WHERE tenant = ? AND user_id = ?)`).run(...args);
    }
    counts.episodes += stmt(`DELETE FROM episodes WHERE tenant = ? AND user_id = ?`).run(...args).changes;
    counts.memories += stmt(`DELETE FROM memories WHERE tenant = ? AND user_id = ?`).run(...args).changes;
    counts.entities += stmt(`DELETE FROM entities WHERE tenant = ? AND user_id = ?`).run(...args).changes;
    stmt(`INSERT INTO meta (key, value) SELECT '${GENERATION_FLOOR_KEY}', gen FROM generations WHERE tenant = ? AND user_id = ?
      ON CONFLICT(key) DO UPDATE SET value = MAX(CAST(meta.value AS INTEGER), CAST(excluded.value AS INTEGER))`).run(...args);
    for (const t of ["segments", "memory_history", "vectors", "vector_snapshots", "generations"]) {
      stmt(`DELETE FROM ${t} WHERE tenant = ? AND user_id = ?`).run(...args);
    }
    // Responses saved for Idempotency-Key retries (the HTTP server keeps them in this file)
    // hold the user's content: they become tombstones, so a late retry neither replays
    // erased content nor re-runs the write that would recreate the user.
    if (hasIdempotency) {
      db.prepare(`UPDATE mnemo_idempotency SET user_id = NULL, fingerprint = '${ERASED_FINGERPRINT}', status = 409, content_type = '', body = '', created_at = ? WHERE tenant = ? AND user_id = ?`).run(Date.now(), ...args);
    }
  }
  // FTS5 keeps deleted terms in old index segments until they are merged: rebuild them.
  for (const fts of Object.values(FTS_TABLE)) stmt(`INSERT INTO ${fts} (${fts}) VALUES ('optimize')`).run();
}
