import type Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { ERASED_FINGERPRINT } from "../store/sqlite/index.js";
import { ApiError } from "./errors.js";
import type { IdempotencyRecord, IdempotencyRecords, StoredResponse } from "./idempotency-records.js";

export type { IdempotencyRecord, IdempotencyRecords, StoredResponse } from "./idempotency-records.js";

/** JSON with object keys sorted, so equal values have equal text. */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

/**
 * How long a stored response is kept (24 hours).
 *
 * @example
 * ```ts
 * IDEMPOTENCY_TTL_MS / 3600_000; // 24
 * ```
 */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

const KEY_RE = /^[\x21-\x7e]{1,255}$/;

/**
 * {@link IdempotencyRecords} in a SQLite database (the store's file, or memory).
 *
 * @example
 * ```ts
 * const records = new SqliteIdempotencyRecords(openSideDb("./mnemo.db"));
 * ```
 */
export class SqliteIdempotencyRecords implements IdempotencyRecords {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS mnemo_idempotency (
      tenant TEXT NOT NULL, key TEXT NOT NULL, user_id TEXT, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
      content_type TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (tenant, key))`);
    db.exec(`CREATE INDEX IF NOT EXISTS mnemo_idempotency_user ON mnemo_idempotency (tenant, user_id)`);
  }

  async get(tenant: string, key: string): Promise<IdempotencyRecord | null> {
    const row = this.db.prepare(`SELECT fingerprint, status, content_type, body, created_at FROM mnemo_idempotency WHERE tenant = ? AND key = ?`).get(tenant, key) as
      | { fingerprint: string; status: number; content_type: string; body: string; created_at: number }
      | undefined;
    return row ? { fingerprint: row.fingerprint, status: row.status, contentType: row.content_type, body: row.body, createdAt: row.created_at } : null;
  }

  async put(tenant: string, key: string, userId: string | null, r: IdempotencyRecord): Promise<void> {
    this.db
      .prepare(`INSERT INTO mnemo_idempotency (tenant, key, user_id, fingerprint, status, content_type, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(tenant, key) DO UPDATE SET user_id = excluded.user_id, fingerprint = excluded.fingerprint, status = excluded.status,
          content_type = excluded.content_type, body = excluded.body, created_at = excluded.created_at`)
      .run(tenant, key, userId, r.fingerprint, r.status, r.contentType, r.body, r.createdAt);
  }

  async tombstoneUser(tenant: string, userId: string, at: number): Promise<void> {
    this.db
      .prepare(`UPDATE mnemo_idempotency SET user_id = NULL, fingerprint = ?, status = 409, content_type = '', body = '', created_at = ? WHERE tenant = ? AND user_id = ?`)
      .run(ERASED_FINGERPRINT, at, tenant, userId);
  }

  async purge(before: number): Promise<void> {
    this.db.prepare(`DELETE FROM mnemo_idempotency WHERE created_at < ?`).run(before);
  }
}

/**
 * Idempotency-Key support: per tenant, key → (request fingerprint, response), kept in
 * {@link IdempotencyRecords}: the Mnemo SQLite file (table `mnemo_idempotency`) or the
 * PostgreSQL store, so replays survive restarts and, on PostgreSQL, are recognised by every
 * server process. A key reused for a different request is IDEMPOTENCY_MISMATCH (422); a
 * key whose first request is still running *in this process* is CONFLICT (409,
 * Retry-After: 1) — a retry reaching another process while the first still runs runs again
 * (message ids make a repeated remember harmless).
 *
 * @example
 * ```ts
 * const idem = new IdempotencyStore(db); // a better-sqlite3 Database, or IdempotencyRecords
 * const hit = await idem.begin("acme", "key-1", fingerprint);
 * if (hit) return hit; // replay
 * try { const r = await work(); await idem.save("acme", "key-1", fingerprint, r, "alice"); } finally { idem.end("acme", "key-1"); }
 * ```
 */
export class IdempotencyStore {
  private readonly records: IdempotencyRecords;
  /** Keys whose first request is running → when it began. */
  private readonly inFlight = new Map<string, number>();
  /** (tenant, user) → when it was last erased through this server (a request that began before must not save). */
  private readonly erasedAt = new Map<string, number>();
  private lastPurge = 0;

  constructor(db: Database.Database | IdempotencyRecords) {
    this.records = "prepare" in db ? new SqliteIdempotencyRecords(db) : db;
  }

  /**
   * Validates an Idempotency-Key header value (INVALID_INPUT otherwise).
   *
   * @example
   * ```ts
   * IdempotencyStore.checkKey("4f6c…");
   * ```
   */
  static checkKey(key: string): string {
    if (!KEY_RE.test(key)) throw new ApiError("INVALID_INPUT", "Idempotency-Key must be 1-255 visible ASCII characters.");
    return key;
  }

  /**
   * Fingerprint of a request: method, path with query, what the caller may see (`view`,
   * e.g. whether its key can read: a replay never shows more than a fresh answer would),
   * and the body: bytes for JSONL, or a parsed JSON value compared canonically (key order
   * and whitespace do not matter).
   *
   * @example
   * ```ts
   * IdempotencyStore.fingerprint("POST", "/v1/remember", { userId: "u1", messages: [] }, "read");
   * ```
   */
  static fingerprint(method: string, pathAndQuery: string, body: Uint8Array | unknown, view = ""): string {
    const h = createHash("sha256").update(`${method} ${pathAndQuery} ${view}\n`);
    if (body instanceof Uint8Array) h.update(body);
    else h.update(canonicalJson(body));
    return h.digest("hex");
  }

  /**
   * Starts a keyed request: returns the stored response to replay, or null after marking
   * the key in flight (call {@link IdempotencyStore.end} when done).
   *
   * @example
   * ```ts
   * const replay = await idem.begin(tenant, key, fp);
   * ```
   */
  async begin(tenant: string, key: string, fingerprint: string): Promise<StoredResponse | null> {
    // Marked in flight before the (asynchronous) read, so that a second request with the
    // key can never slip between the read and the mark.
    const k = `${tenant}\u0000${key}`;
    if (this.inFlight.has(k)) throw new ApiError("CONFLICT", "A request with this Idempotency-Key is still running.", { retryAfter: 1, hint: "Retry after the Retry-After delay; the first request's response will be replayed." });
    this.inFlight.set(k, performance.now());
    try {
      const row = await this.records.get(tenant, key);
      if (row && row.createdAt > Date.now() - IDEMPOTENCY_TTL_MS) {
        if (row.fingerprint === ERASED_FINGERPRINT) {
          throw new ApiError("CONFLICT", "The user this Idempotency-Key wrote to has been erased since; the request is not run again.", { hint: "Send a new Idempotency-Key to write again." });
        }
        if (row.fingerprint !== fingerprint) throw new ApiError("IDEMPOTENCY_MISMATCH");
        this.inFlight.delete(k);
        return { status: row.status, body: row.body, contentType: row.contentType };
      }
    } catch (e) {
      this.inFlight.delete(k);
      throw e;
    }
    return null;
  }

  /**
   * Stores the response of a keyed request (only successes are stored: a failed request
   * changed nothing, so a retry may run it again).
   *
   * @example
   * ```ts
   * await idem.save(tenant, key, fp, { status: 200, body: "{}", contentType: "application/json" }, "alice");
   * ```
   */
  async save(tenant: string, key: string, fingerprint: string, r: StoredResponse, userId: string | null): Promise<void> {
    const now = Date.now();
    const began = this.inFlight.get(`${tenant}\u0000${key}`);
    const erased = userId !== null ? this.erasedAt.get(`${tenant}\u0000${userId}`) : undefined;
    if (began !== undefined && erased !== undefined && erased >= began) {
      // The user was erased while this request ran: keep a tombstone, not their content.
      await this.records.put(tenant, key, null, { fingerprint: ERASED_FINGERPRINT, status: 409, contentType: "", body: "", createdAt: now });
      return;
    }
    await this.records.put(tenant, key, userId, { fingerprint, ...r, createdAt: now });
    if (now - this.lastPurge > 3600_000) {
      this.lastPurge = now;
      await this.records.purge(now - IDEMPOTENCY_TTL_MS);
    }
  }

  /**
   * Ends a keyed request (success or not).
   *
   * @example
   * ```ts
   * idem.end(tenant, key);
   * ```
   */
  end(tenant: string, key: string): void {
    this.inFlight.delete(`${tenant}\u0000${key}`);
  }

  /**
   * Turns the stored responses of one user into tombstones (called when erasing the user,
   * so that no copy of their data outlives the erase and a late retry of one of their keys
   * is refused instead of recreating the user). The SQLite store does the same in the file
   * on every erase (library, CLI); this covers a side database held in memory.
   *
   * @example
   * ```ts
   * await idem.forgetUser("acme", "alice");
   * ```
   */
  async forgetUser(tenant: string, userId: string): Promise<void> {
    const t = performance.now();
    // Only requests still running matter: forget erases older than any request can run.
    for (const [k, at] of this.erasedAt) if (t - at > 3600_000) this.erasedAt.delete(k);
    this.erasedAt.set(`${tenant}\u0000${userId}`, t);
    await this.records.tombstoneUser(tenant, userId, Date.now());
  }
}
