import type Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { ERASED_FINGERPRINT } from "../store/sqlite/index.js";
import { ApiError } from "./errors.js";

/** JSON with object keys sorted, so equal values have equal text. */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

/**
 * A stored response, replayed for a retried request.
 *
 * @example
 * ```ts
 * const r: StoredResponse = { status: 200, body: "{}", contentType: "application/json" };
 * ```
 */
export interface StoredResponse {
  status: number;
  body: string;
  contentType: string;
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
 * Idempotency-Key support: per tenant, key → (request fingerprint, response). Kept in
 * the Mnemo SQLite file (table `mnemo_idempotency`), so replays survive restarts.
 * A key reused for a different request is IDEMPOTENCY_MISMATCH (422); a key whose first
 * request is still running is CONFLICT (409, Retry-After: 1).
 *
 * @example
 * ```ts
 * const idem = new IdempotencyStore(db);
 * const hit = idem.begin("acme", "key-1", fingerprint);
 * if (hit) return hit; // replay
 * try { const r = await work(); idem.save("acme", "key-1", fingerprint, r); } finally { idem.end("acme", "key-1"); }
 * ```
 */
export class IdempotencyStore {
  private readonly db: Database.Database;
  /** Keys whose first request is running → when it began. */
  private readonly inFlight = new Map<string, number>();
  /** (tenant, user) → when it was last erased through this server (a request that began before must not save). */
  private readonly erasedAt = new Map<string, number>();
  private lastPurge = 0;

  constructor(db: Database.Database) {
    this.db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS mnemo_idempotency (
      tenant TEXT NOT NULL, key TEXT NOT NULL, user_id TEXT, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
      content_type TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (tenant, key))`);
    db.exec(`CREATE INDEX IF NOT EXISTS mnemo_idempotency_user ON mnemo_idempotency (tenant, user_id)`);
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
   * const replay = idem.begin(tenant, key, fp);
   * ```
   */
  begin(tenant: string, key: string, fingerprint: string): StoredResponse | null {
    const row = this.db.prepare(`SELECT fingerprint, status, content_type, body, created_at FROM mnemo_idempotency WHERE tenant = ? AND key = ?`).get(tenant, key) as
      | { fingerprint: string; status: number; content_type: string; body: string; created_at: number }
      | undefined;
    if (row && row.created_at > Date.now() - IDEMPOTENCY_TTL_MS) {
      if (row.fingerprint === ERASED_FINGERPRINT) {
        throw new ApiError("CONFLICT", "The user this Idempotency-Key wrote to has been erased since; the request is not run again.", { hint: "Send a new Idempotency-Key to write again." });
      }
      if (row.fingerprint !== fingerprint) throw new ApiError("IDEMPOTENCY_MISMATCH");
      return { status: row.status, body: row.body, contentType: row.content_type };
    }
    const k = `${tenant}\u0000${key}`;
    if (this.inFlight.has(k)) throw new ApiError("CONFLICT", "A request with this Idempotency-Key is still running.", { retryAfter: 1, hint: "Retry after the Retry-After delay; the first request's response will be replayed." });
    this.inFlight.set(k, performance.now());
    return null;
  }

  /**
   * Stores the response of a keyed request (only successes are stored: a failed request
   * changed nothing, so a retry may run it again).
   *
   * @example
   * ```ts
   * idem.save(tenant, key, fp, { status: 200, body: "{}", contentType: "application/json" }, "alice");
   * ```
   */
  save(tenant: string, key: string, fingerprint: string, r: StoredResponse, userId: string | null): void {
    const now = Date.now();
    const began = this.inFlight.get(`${tenant}\u0000${key}`);
    const erased = userId !== null ? this.erasedAt.get(`${tenant}\u0000${userId}`) : undefined;
    if (began !== undefined && erased !== undefined && erased >= began) {
      // The user was erased while this request ran: keep a tombstone, not their content.
      this.db
        .prepare(`INSERT INTO mnemo_idempotency (tenant, key, user_id, fingerprint, status, content_type, body, created_at) VALUES (?, ?, NULL, ?, 409, '', '', ?)
          ON CONFLICT(tenant, key) DO UPDATE SET user_id = NULL, fingerprint = excluded.fingerprint, status = 409, content_type = '', body = '', created_at = excluded.created_at`)
        .run(tenant, key, ERASED_FINGERPRINT, now);
      return;
    }
    this.db
      .prepare(`INSERT INTO mnemo_idempotency (tenant, key, user_id, fingerprint, status, content_type, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(tenant, key) DO UPDATE SET user_id = excluded.user_id, fingerprint = excluded.fingerprint, status = excluded.status,
          content_type = excluded.content_type, body = excluded.body, created_at = excluded.created_at`)
      .run(tenant, key, userId, fingerprint, r.status, r.contentType, r.body, now);
    if (now - this.lastPurge > 3600_000) {
      this.lastPurge = now;
      this.db.prepare(`DELETE FROM mnemo_idempotency WHERE created_at < ?`).run(now - IDEMPOTENCY_TTL_MS);
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
   * idem.forgetUser("acme", "alice");
   * ```
   */
  forgetUser(tenant: string, userId: string): void {
    const t = performance.now();
    // Only requests still running matter: forget erases older than any request can run.
    for (const [k, at] of this.erasedAt) if (t - at > 3600_000) this.erasedAt.delete(k);
    this.erasedAt.set(`${tenant}\u0000${userId}`, t);
    this.db
      .prepare(`UPDATE mnemo_idempotency SET user_id = NULL, fingerprint = ?, status = 409, content_type = '', body = '', created_at = ? WHERE tenant = ? AND user_id = ?`)
      .run(ERASED_FINGERPRINT, Date.now(), tenant, userId);
  }
}
