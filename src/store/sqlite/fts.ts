import { createHash } from "node:crypto";
import { episodeText } from "../../core/embed-text.js";
import { indexExtras } from "../../core/text.js";
import type { ScopeKey } from "../types.js";

/**
 * The full-text tables' definition (schema 4): contentless (`content = ''`, no second copy
 * of the text; rows are deleted by rowid with `contentless_delete`) with positions
 * (`detail = full`). BM25 scores and ranks exactly as the earlier external-text tables
 * without positions did (those re-tokenised each matched row's stored text to count its
 * terms, which made a query about 5× slower), and the tables are about 60% smaller.
 *
 * @example
 * ```ts
 * db.exec(`CREATE VIRTUAL TABLE fts_episodes USING fts5(${FTS_DEFINITION})`);
 * ```
 */
export const FTS_DEFINITION = "text, sk, head, tokenize = 'porter unicode61', detail = full, content = '', contentless_delete = 1";

/**
 * The FTS token that confines a full-text query to one scope.
 *
 * @example
 * ```ts
 * scopeToken({ tenant: "default", userId: "alice" }); // "s11911a4f0621f7e3ffd7"
 * ```
 */
export function scopeToken(scope: ScopeKey): string {
  return "s" + createHash("sha1").update(`${scope.tenant}\u0000${scope.userId}`).digest("hex").slice(0, 20);
}

/**
 * The text a row is indexed under: the text, plus base forms of its irregular verbs.
 *
 * @example
 * ```ts
 * ftsText("We went hiking"); // "We went hiking go"
 * ```
 */
export function ftsText(text: string): string {
  const extra = indexExtras(text);
  return extra ? `${text} ${extra}` : text;
}

/**
 * The part of a better-sqlite3 connection {@link rebuildFts} uses (typed structurally, so the
 * published declarations never need better-sqlite3's types).
 *
 * @example
 * ```ts
 * const db: SqlDatabase = new Database("mnemo.db");
 * ```
 */
export interface SqlDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): { all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown };
}

/**
 * Drops and re-creates the three full-text tables ({@link FTS_DEFINITION}) and indexes
 * every episode, memory and segment again from its row (the migration to schema 4; safe to
 * run again). Reads the rows a bounded chunk at a time.
 *
 * @example
 * ```ts
 * db.transaction(() => rebuildFts(db))();
 * ```
 */
export function rebuildFts(db: SqlDatabase): void {
  const tokens = new Map<string, string>();
  const sk = (tenant: string, userId: string) => {
    const k = `${tenant}\u0000${userId}`;
    let t = tokens.get(k);
    if (t === undefined) tokens.set(k, (t = scopeToken({ tenant, userId })));
    return t;
  };
  type R = { rid: number; tenant: string; user_id: string; text: string; head: string | null; attachment_text?: string | null };
  const tables: Array<[string, string]> = [
    ["fts_episodes", "SELECT rid, tenant, user_id, text, attachment_text, speaker AS head FROM episodes WHERE rid > ? ORDER BY rid LIMIT 2000"],
    ["fts_memories", "SELECT rid, tenant, user_id, text, subject AS head FROM memories WHERE rid > ? ORDER BY rid LIMIT 2000"],
    ["fts_segments", "SELECT rid, tenant, user_id, summary AS text, '' AS head FROM segments WHERE rid > ? ORDER BY rid LIMIT 2000"],
  ];
  for (const [fts, select] of tables) {
    db.exec(`DROP TABLE IF EXISTS ${fts}`);
    db.exec(`CREATE VIRTUAL TABLE ${fts} USING fts5(${FTS_DEFINITION})`);
    const read = db.prepare(select);
    const ins = db.prepare(`INSERT INTO ${fts} (rowid, text, sk, head) VALUES (?, ?, ?, ?)`);
    for (let last = 0; ; ) {
      const rows = read.all(last) as R[];
      if (rows.length === 0) break;
      for (const r of rows) {
        const text = fts === "fts_episodes" ? episodeText({ text: r.text, attachmentText: r.attachment_text ?? null }) : r.text;
        ins.run(r.rid, ftsText(text), sk(r.tenant, r.user_id), r.head ?? "");
      }
      last = rows[rows.length - 1]!.rid;
    }
    db.prepare(`INSERT INTO ${fts} (${fts}) VALUES ('optimize')`).run();
  }
}
