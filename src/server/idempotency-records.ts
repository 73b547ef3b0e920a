/**
 * The storage side of Idempotency-Key support, without a database: what a stored reply is
 * and what a reply store does. Kept apart from idempotency.ts so that declarations reachable
 * from the PostgreSQL store do not import better-sqlite3.
 */

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
 * One stored reply of an Idempotency-Key (what {@link IdempotencyRecords.get} returns).
 *
 * @example
 * ```ts
 * const rec: IdempotencyRecord = { fingerprint: "ab…", status: 200, contentType: "application/json", body: "{}", createdAt: Date.now() };
 * ```
 */
export interface IdempotencyRecord extends StoredResponse {
  fingerprint: string;
  createdAt: number;
}

/**
 * Where Idempotency-Key replies are kept, on any database: a SQLite file (table
 * `mnemo_idempotency`, {@link SqliteIdempotencyRecords}) or the PostgreSQL store's
 * `idempotency` table (`PostgresStore.serverTables().idempotency`), which every server
 * process on the database shares.
 *
 * @example
 * ```ts
 * const idem = new IdempotencyStore(store.serverTables().idempotency);
 * ```
 */
export interface IdempotencyRecords {
  get(tenant: string, key: string): Promise<IdempotencyRecord | null>;
  /** Upserts the reply of (tenant, key); `userId` null for a tombstone or a reply of no user. */
  put(tenant: string, key: string, userId: string | null, record: IdempotencyRecord): Promise<void>;
  /** Turns the user's replies into tombstones (fingerprint `"erased"`, status 409, no body). */
  tombstoneUser(tenant: string, userId: string, at: number): Promise<void>;
  /** Deletes replies created before `before` (epoch ms). */
  purge(before: number): Promise<void>;
}
