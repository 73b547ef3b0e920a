import { checkPresentedKey, isKeyId, keyInfo, keyNotFound, mintKey, presentedKeyId, type ApiKeyInfo, type KeyBackend, type KeyRow } from "../../auth/key-rows.js";
import { MnemoError } from "../../core/errors.js";
import type { IdempotencyRecord, IdempotencyRecords } from "../../server/idempotency-records.js";
import type { Queryable } from "./driver.js";

/** Driver errors as STORE_ERROR (the message names PostgreSQL, never the URL). */
async function run(q: Queryable, sql: string, args: unknown[]): Promise<Array<Record<string, unknown>>> {
  try {
    return (await q.query(sql, args)).rows as Array<Record<string, unknown>>;
  } catch (e) {
    throw new MnemoError("STORE_ERROR", `PostgreSQL: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * API keys in the PostgreSQL store (table `api_keys`), shared by every `mnemo serve`
 * process on the database: the same keys, hashing and checks as the SQLite
 * {@link KeyStore} (only a SHA-256 of each secret is kept; constant-time comparison).
 *
 * @example
 * ```ts
 * const keys = store.serverTables().keys;
 * const { key } = await keys.create({ tenant: "acme", scopes: "read,write" });
 * (await keys.verify(key))?.tenant; // "acme"
 * ```
 */
export class PgKeyStore implements KeyBackend {
  private readonly q: Queryable;
  private readonly touched = new Map<string, number>();

  constructor(q: Queryable) {
    this.q = q;
  }

  async create(input: { tenant: string; scopes?: readonly string[] | string | undefined; name?: string | undefined }): Promise<{ key: string; info: ApiKeyInfo }> {
    const { key, row } = mintKey(input);
    await run(this.q, `INSERT INTO api_keys (id, tenant, scopes, name, hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, [row.id, row.tenant, row.scopes, row.name, row.hash, row.created_at]);
    return { key, info: keyInfo(row) };
  }

  async list(filter: { tenant?: string | undefined; activeOnly?: boolean | undefined } = {}): Promise<ApiKeyInfo[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.tenant !== undefined) (args.push(filter.tenant), where.push(`tenant = $${args.length}`));
    if (filter.activeOnly) where.push("revoked_at IS NULL");
    const rows = await run(this.q, `SELECT * FROM api_keys ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, id`, args);
    return (rows as unknown as KeyRow[]).map(keyInfo);
  }

  async revoke(id: string): Promise<ApiKeyInfo> {
    if (!isKeyId(id)) throw keyNotFound(String(id));
    await run(this.q, `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, [new Date().toISOString(), id]);
    const rows = await run(this.q, `SELECT * FROM api_keys WHERE id = $1`, [id]);
    if (!rows[0]) throw keyNotFound(id);
    return keyInfo(rows[0] as unknown as KeyRow);
  }

  async verify(key: string): Promise<ApiKeyInfo | null> {
    const id = presentedKeyId(key);
    if (id === null) return null;
    const rows = await run(this.q, `SELECT * FROM api_keys WHERE id = $1`, [id]);
    const row = checkPresentedKey(key, rows[0] as unknown as KeyRow | undefined);
    if (!row) return null;
    const now = Date.now();
    if ((this.touched.get(row.id) ?? 0) < now - 60_000) {
      this.touched.set(row.id, now);
      // Bookkeeping only, at most once a minute per key and process: not awaited, never fails the request.
      this.q.query(`UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, [new Date(now).toISOString(), row.id]).catch(() => undefined);
    }
    return keyInfo(row);
  }

  async rows(): Promise<KeyRow[]> {
    return (await run(this.q, `SELECT id, tenant, scopes, name, hash, created_at, revoked_at, last_used_at FROM api_keys ORDER BY created_at, id`, [])) as unknown as KeyRow[];
  }

  async putRows(rows: KeyRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const col = (k: keyof KeyRow) => rows.map((r) => r[k]);
    const out = await run(
      this.q,
      `INSERT INTO api_keys (id, tenant, scopes, name, hash, created_at, revoked_at, last_used_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [col("id"), col("tenant"), col("scopes"), col("name"), col("hash"), col("created_at"), col("revoked_at"), col("last_used_at")],
    );
    return out.length;
  }

  /** The pool belongs to the store: closing the store closes it. */
  close(): void {}
}

/**
 * Idempotency-Key replies in the PostgreSQL store (table `idempotency`), shared by every
 * server process on the database; the store's erase turns a user's replies into tombstones
 * in the same transaction.
 *
 * @example
 * ```ts
 * const idem = new IdempotencyStore(store.serverTables().idempotency);
 * ```
 */
export class PgIdempotencyRecords implements IdempotencyRecords {
  private readonly q: Queryable;

  constructor(q: Queryable) {
    this.q = q;
  }

  async get(tenant: string, key: string): Promise<IdempotencyRecord | null> {
    const rows = await run(this.q, `SELECT fingerprint, status, content_type, body, created_at FROM idempotency WHERE tenant = $1 AND key = $2`, [tenant, key]);
    const r = rows[0];
    return r ? { fingerprint: String(r.fingerprint), status: Number(r.status), contentType: String(r.content_type), body: String(r.body), createdAt: Number(r.created_at) } : null;
  }

  async put(tenant: string, key: string, userId: string | null, r: IdempotencyRecord): Promise<void> {
    await run(
      this.q,
      `INSERT INTO idempotency (tenant, key, user_id, fingerprint, status, content_type, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (tenant, key) DO UPDATE SET user_id = excluded.user_id, fingerprint = excluded.fingerprint, status = excluded.status,
         content_type = excluded.content_type, body = excluded.body, created_at = excluded.created_at`,
      [tenant, key, userId, r.fingerprint, r.status, r.contentType, r.body, r.createdAt],
    );
  }

  async tombstoneUser(tenant: string, userId: string, at: number): Promise<void> {
    await run(this.q, `UPDATE idempotency SET user_id = NULL, fingerprint = 'erased', status = 409, content_type = '', body = '', created_at = $3 WHERE tenant = $1 AND user_id = $2`, [tenant, userId, at]);
  }

  async purge(before: number): Promise<void> {
    await run(this.q, `DELETE FROM idempotency WHERE created_at < $1`, [before]);
  }
}
