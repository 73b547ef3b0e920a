/**
 * API keys without a database: their shape, scopes, minting and checking, and the
 * {@link KeyBackend} every key store implements (the SQLite `KeyStore` in keys.ts, the
 * PostgreSQL store's `api_keys` table). Kept apart from keys.ts so that declarations
 * reachable from the PostgreSQL store do not import better-sqlite3.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { MnemoError } from "../core/errors.js";

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

