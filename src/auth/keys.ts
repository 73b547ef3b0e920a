import Database from "better-sqlite3";
import { openDatabaseFile } from "../store/sqlite/index.js";
import { checkPresentedKey, isKeyId, keyInfo, keyNotFound, mintKey, presentedKeyId, type ApiKeyInfo, type KeyBackend, type KeyRow } from "./key-rows.js";

export * from "./key-rows.js";

/**
 * Opens a side connection to a Mnemo SQLite file for server tables (keys, idempotency),
 * in WAL mode with a busy timeout, so that it coexists with the store's own connection.
 *
 * @example
 * ```ts
 * const db = openSideDb("./mnemo.db");
 * ```
 */
export function openSideDb(path: string): Database.Database {
  const db = openDatabaseFile(path);
  db.pragma("busy_timeout = 5000");
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("secure_delete = ON");
  return db;
}

/**
 * API keys per tenant, stored in the Mnemo SQLite file (table `mnemo_api_keys`). Only a
 * SHA-256 of each key is kept; a key is shown once, by {@link KeyStore.create}. Keys look
 * like `mnemo_<16 hex id>_<43 base64url secret>` (256 bits of entropy); verification looks
 * the row up by id and compares hashes in constant time.
 *
 * @example
 * ```ts
 * const keys = KeyStore.open("./mnemo.db");
 * const { key, info } = keys.create({ tenant: "acme", scopes: ["read", "write"] });
 * keys.verify(key)?.tenant; // "acme"
 * keys.revoke(info.id);
 * keys.close();
 * ```
 */
export class KeyStore implements KeyBackend {
  private readonly db: Database.Database;
  private readonly owned: boolean;
  private readonly touched = new Map<string, number>();

  private constructor(db: Database.Database, owned: boolean) {
    this.db = db;
    this.owned = owned;
    this.db.exec(`CREATE TABLE IF NOT EXISTS mnemo_api_keys (
      id TEXT PRIMARY KEY, tenant TEXT NOT NULL, scopes TEXT NOT NULL, name TEXT, hash TEXT NOT NULL,
      created_at TEXT NOT NULL, revoked_at TEXT, last_used_at TEXT)`);
  }

  /**
   * Opens the key table in a SQLite file (created if missing).
   *
   * @example
   * ```ts
   * const keys = KeyStore.open(process.env.MNEMO_DB ?? "./mnemo.db");
   * ```
   */
  static open(path: string): KeyStore {
    return new KeyStore(openSideDb(path), true);
  }

  /**
   * Uses an already open better-sqlite3 connection (not closed by {@link KeyStore.close}).
   *
   * @example
   * ```ts
   * const keys = KeyStore.fromDatabase(new Database(":memory:"));
   * ```
   */
  static fromDatabase(db: Database.Database): KeyStore {
    return new KeyStore(db, false);
  }

  /**
   * Creates a key for a tenant. The returned `key` is the only time the secret is visible.
   *
   * @example
   * ```ts
   * const { key } = keys.create({ tenant: "acme", scopes: ["read", "write", "admin"], name: "ci" });
   * ```
   */
  create(input: { tenant: string; scopes?: readonly string[] | string | undefined; name?: string | undefined }): { key: string; info: ApiKeyInfo } {
    const { key, row } = mintKey(input);
    this.db
      .prepare(`INSERT INTO mnemo_api_keys (id, tenant, scopes, name, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(row.id, row.tenant, row.scopes, row.name, row.hash, row.created_at);
    return { key, info: keyInfo(row) };
  }

  /**
   * Lists keys (newest first), optionally of one tenant; revoked keys are included unless `activeOnly`.
   *
   * @example
   * ```ts
   * for (const k of keys.list({ tenant: "acme" })) console.log(k.id, k.scopes.join(","));
   * ```
   */
  list(filter: { tenant?: string | undefined; activeOnly?: boolean | undefined } = {}): ApiKeyInfo[] {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.tenant !== undefined) (where.push("tenant = ?"), args.push(filter.tenant));
    if (filter.activeOnly) where.push("revoked_at IS NULL");
    const sql = `SELECT * FROM mnemo_api_keys ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, id`;
    return (this.db.prepare(sql).all(...args) as KeyRow[]).map(keyInfo);
  }

  /**
   * Revokes a key by id (idempotent). NOT_FOUND when no key has that id.
   *
   * @example
   * ```ts
   * keys.revoke("3f9a0c1d2e4b5a69").revokedAt; // "2025-…"
   * ```
   */
  revoke(id: string): ApiKeyInfo {
    if (!isKeyId(id)) throw keyNotFound(String(id));
    this.db.prepare(`UPDATE mnemo_api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`).run(new Date().toISOString(), id);
    const row = this.db.prepare(`SELECT * FROM mnemo_api_keys WHERE id = ?`).get(id) as KeyRow | undefined;
    if (!row) throw keyNotFound(id);
    return keyInfo(row);
  }

  /**
   * Checks a presented key. Returns its info when valid and not revoked, else null.
   * The hash comparison is constant-time.
   *
   * @example
   * ```ts
   * const who = keys.verify(bearerToken);
   * if (!who) throw new Error("401");
   * ```
   */
  verify(key: string): ApiKeyInfo | null {
    const id = presentedKeyId(key);
    if (id === null) return null;
    const row = checkPresentedKey(key, this.db.prepare(`SELECT * FROM mnemo_api_keys WHERE id = ?`).get(id) as KeyRow | undefined);
    if (!row) return null;
    const now = Date.now();
    if ((this.touched.get(row.id) ?? 0) < now - 60_000) {
      this.touched.set(row.id, now);
      try {
        this.db.prepare(`UPDATE mnemo_api_keys SET last_used_at = ? WHERE id = ?`).run(new Date(now).toISOString(), row.id);
      } catch {
        // Bookkeeping only: a busy database must not fail the request.
      }
    }
    return keyInfo(row);
  }

  /**
   * Every stored key row (hashes only), for `mnemo migrate`.
   *
   * @example
   * ```ts
   * const rows = keys.rows();
   * ```
   */
  rows(): KeyRow[] {
    return this.db.prepare(`SELECT id, tenant, scopes, name, hash, created_at, revoked_at, last_used_at FROM mnemo_api_keys ORDER BY created_at, id`).all() as KeyRow[];
  }

  /**
   * Adds key rows as they are (a row whose id exists is left alone); returns how many were added.
   *
   * @example
   * ```ts
   * target.putRows(source.rows());
   * ```
   */
  putRows(rows: KeyRow[]): number {
    const ins = this.db.prepare(`INSERT INTO mnemo_api_keys (id, tenant, scopes, name, hash, created_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`);
    let n = 0;
    this.db.transaction(() => {
      for (const r of rows) n += ins.run(r.id, r.tenant, r.scopes, r.name, r.hash, r.created_at, r.revoked_at, r.last_used_at).changes;
    })();
    return n;
  }

  /**
   * Closes the connection when this store opened it.
   *
   * @example
   * ```ts
   * keys.close();
   * ```
   */
  close(): void {
    if (this.owned && this.db.open) this.db.close();
  }
}
