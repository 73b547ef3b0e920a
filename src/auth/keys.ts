import Database from "better-sqlite3";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { MnemoError } from "../core/errors.js";
import { openDatabaseFile } from "../store/sqlite/index.js";

/**
 * What an API key may do: `read` (recall, list, get, export), `write` (remember, patch, forget, import), `admin` (erase users),
 * `metrics` (GET /metrics when the server protects it with `--metrics-auth`; admin keys may too).
 *
 * @example
 * ```ts
 * const s: KeyScope = "admin";
 * ```
 */
export type KeyScope = "read" | "write" | "admin" | "metrics";

/**
 * Every scope, in order.
 *
 * @example
 * ```ts
 * KEY_SCOPES.join(","); // "read,write,admin,metrics"
 * ```
 */
export const KEY_SCOPES: readonly KeyScope[] = ["read", "write", "admin", "metrics"];

/**
 * The scopes a new key gets when none are named.
 *
 * @example
 * ```ts
 * keys.create({ tenant: "acme" }).info.scopes; // DEFAULT_KEY_SCOPES: ["read", "write"]
 * ```
 */
export const DEFAULT_KEY_SCOPES: readonly KeyScope[] = ["read", "write"];

/**
 * The stored, public facts about one API key (never the key itself).
 *
 * @example
 * ```ts
 * const info: ApiKeyInfo = { id: "3f9a0c1d2e4b5a69", tenant: "acme", scopes: ["read"], name: null, createdAt: "2025-01-01T00:00:00.000Z", revokedAt: null, lastUsedAt: null };
 * ```
 */
export interface ApiKeyInfo {
  /** Public key id (16 hex characters), also embedded in the key. */
  id: string;
  tenant: string;
  scopes: KeyScope[];
  name: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const TENANT_RE = /^[\p{L}\p{N}_.:@-]{1,200}$/u;
const KEY_RE = /^mnemo_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const ID_RE = /^[0-9a-f]{16}$/;

function sha256(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

function parseScopes(s: string): KeyScope[] {
  return s.split(",").filter((x): x is KeyScope => (KEY_SCOPES as readonly string[]).includes(x));
}

/**
 * A stored key row (table `mnemo_api_keys` in SQLite, `api_keys` in PostgreSQL): what
 * {@link keyInfo} and {@link checkPresentedKey} read.
 *
 * @example
 * ```ts
 * const row: KeyRow = { id: "3f9a0c1d2e4b5a69", tenant: "acme", scopes: "read,write", name: null, hash: "…", created_at: "2025-01-01T00:00:00.000Z", revoked_at: null, last_used_at: null };
 * ```
 */
export interface KeyRow {
  id: string;
  tenant: string;
  scopes: string;
  name: string | null;
  hash: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/**
 * The public facts of a stored key row.
 *
 * @example
 * ```ts
 * keyInfo(row).scopes; // ["read", "write"]
 * ```
 */
export function keyInfo(r: KeyRow): ApiKeyInfo {
  return { id: r.id, tenant: r.tenant, scopes: parseScopes(r.scopes), name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at };
}
const toInfo = keyInfo;

/**
 * Validates a key request and mints the key: the secret (shown once) and the row to store
 * (only a SHA-256 of the secret). INVALID_INPUT for a bad tenant, name or scope.
 *
 * @example
 * ```ts
 * const { key, row } = mintKey({ tenant: "acme", scopes: "read" });
 * ```
 */
export function mintKey(input: { tenant: string; scopes?: readonly string[] | string | undefined; name?: string | undefined }): { key: string; row: KeyRow } {
  if (typeof input.tenant !== "string" || !TENANT_RE.test(input.tenant)) {
    throw new MnemoError("INVALID_INPUT", `tenant ${JSON.stringify(input.tenant)} is not a valid id (1-200 letters, digits, '-', '_', '.', ':', '@').`);
  }
  if (input.name !== undefined && (typeof input.name !== "string" || input.name.length > 200)) throw new MnemoError("INVALID_INPUT", "name must be at most 200 characters.");
  const scopes = normalizeScopes(input.scopes);
  const id = randomBytes(8).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  return {
    key: `mnemo_${id}_${secret}`,
    row: { id, tenant: input.tenant, scopes: scopes.join(","), name: input.name ?? null, hash: sha256(secret).toString("hex"), created_at: new Date().toISOString(), revoked_at: null, last_used_at: null },
  };
}

/**
 * The id a presented key claims (16 hex characters), or null when it is not shaped like a key.
 *
 * @example
 * ```ts
 * presentedKeyId("mnemo_3f9a0c1d2e4b5a69_…"); // "3f9a0c1d2e4b5a69"
 * ```
 */
export function presentedKeyId(key: string): string | null {
  return KEY_RE.exec(key)?.[1] ?? null;
}

/**
 * Checks a presented key against its stored row (undefined when no row has its id): the
 * hash comparison is constant-time, and made against a dummy hash for an unknown id, so
 * timing reveals neither. Returns the row when the key is valid and not revoked.
 *
 * @example
 * ```ts
 * const ok = checkPresentedKey(bearer, await lookup(presentedKeyId(bearer)));
 * ```
 */
export function checkPresentedKey(key: string, row: KeyRow | undefined): KeyRow | null {
  const m = KEY_RE.exec(key);
  if (!m) return null;
  const stored = Buffer.from(row?.hash ?? "0".repeat(64), "hex");
  const ok = timingSafeEqual(sha256(m[2]!), stored) && row !== undefined && row.revoked_at === null && row.id === m[1];
  return ok && row ? row : null;
}

/**
 * What the server needs of an API key store, on any database: {@link KeyStore} (a SQLite
 * file, synchronous underneath) and the PostgreSQL store's `api_keys` table
 * (`PostgresStore.serverTables().keys`) both provide it, so keys live in the store every
 * server process shares.
 *
 * @example
 * ```ts
 * const keys: KeyBackend = store.dialect === "postgres" ? (store as PostgresStore).serverTables().keys : KeyStore.open("./mnemo.db");
 * const who = await keys.verify(bearer);
 * ```
 */
export interface KeyBackend {
  create(input: { tenant: string; scopes?: readonly string[] | string | undefined; name?: string | undefined }): { key: string; info: ApiKeyInfo } | Promise<{ key: string; info: ApiKeyInfo }>;
  list(filter?: { tenant?: string | undefined; activeOnly?: boolean | undefined }): ApiKeyInfo[] | Promise<ApiKeyInfo[]>;
  revoke(id: string): ApiKeyInfo | Promise<ApiKeyInfo>;
  verify(key: string): ApiKeyInfo | null | Promise<ApiKeyInfo | null>;
  /** Every stored key row (hashes only), for `mnemo migrate`. */
  rows(): KeyRow[] | Promise<KeyRow[]>;
  /** Adds key rows as they are (a row whose id exists is left alone); returns how many were added. */
  putRows(rows: KeyRow[]): number | Promise<number>;
  close(): void | Promise<void>;
}

/**
 * NOT_FOUND for a key id that is not shaped like one or has no row.
 *
 * @example
 * ```ts
 * throw keyNotFound("nope");
 * ```
 */
export function keyNotFound(id: string): MnemoError {
  return new MnemoError("NOT_FOUND", `No key ${JSON.stringify(id)}.`, { hint: "List key ids with `mnemo keys list`." });
}

/**
 * True when a string is shaped like a key id (16 hex characters).
 *
 * @example
 * ```ts
 * isKeyId("3f9a0c1d2e4b5a69"); // true
 * ```
 */
export function isKeyId(id: unknown): id is string {
  return typeof id === "string" && ID_RE.test(id);
}

/**
 * Validates a list of scope names (e.g. from `--scopes read,write`). Throws INVALID_INPUT on an unknown one.
 *
 * @example
 * ```ts
 * normalizeScopes("read,write"); // ["read", "write"]
 * ```
 */
export function normalizeScopes(input: string | readonly string[] | undefined): KeyScope[] {
  if (input === undefined) return [...DEFAULT_KEY_SCOPES];
  const list = (typeof input === "string" ? input.split(",") : [...input]).map((s) => s.trim()).filter((s) => s !== "");
  if (list.length === 0) throw new MnemoError("INVALID_INPUT", "At least one scope is required (read, write, admin).");
  for (const s of list) if (!(KEY_SCOPES as readonly string[]).includes(s)) throw new MnemoError("INVALID_INPUT", `Unknown scope ${JSON.stringify(s)}; use read, write, admin or metrics.`);
  return KEY_SCOPES.filter((s) => list.includes(s));
}

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
    return (this.db.prepare(sql).all(...args) as KeyRow[]).map(toInfo);
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
    if (typeof id !== "string" || !ID_RE.test(id)) throw new MnemoError("NOT_FOUND", `No key ${JSON.stringify(id)}.`, { hint: "List key ids with `mnemo keys list`." });
    this.db.prepare(`UPDATE mnemo_api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`).run(new Date().toISOString(), id);
    const row = this.db.prepare(`SELECT * FROM mnemo_api_keys WHERE id = ?`).get(id) as KeyRow | undefined;
    if (!row) throw new MnemoError("NOT_FOUND", `No key ${JSON.stringify(id)}.`, { hint: "List key ids with `mnemo keys list`." });
    return toInfo(row);
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
    return toInfo(row);
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
