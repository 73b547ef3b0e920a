import type { Pool, PoolClient, QueryResult } from "pg";
import { MnemoError } from "../../core/errors.js";

/**
 * What runs SQL: the pool, or one client holding a transaction.
 *
 * @example
 * ```ts
 * const q: Queryable = pool; // or await pool.connect()
 * await q.query("SELECT 1");
 * ```
 */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<QueryResult>;
}

/**
 * True when a database location is a PostgreSQL URL (`postgres://` or `postgresql://`).
 *
 * @example
 * ```ts
 * isPostgresUrl("postgres://mnemo@db:5432/mnemo"); // true
 * isPostgresUrl("./mnemo.db"); // false
 * ```
 */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Connection settings read from a Mnemo PostgreSQL URL. Mnemo's own query parameters are
 * removed before the URL reaches the driver: `schema` (tables live in that schema, created
 * if needed; default: the server's search_path) and `pool` (pool size, default 10, or
 * `$MNEMO_PG_POOL`).
 *
 * @example
 * ```ts
 * parsePostgresUrl("postgres://u@h/db?schema=acme&pool=20"); // { connectionString: "postgres://u@h/db", schema: "acme", poolSize: 20 }
 * ```
 */
export function parsePostgresUrl(url: string, env: Record<string, string | undefined> = process.env): { connectionString: string; schema: string | null; poolSize: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MnemoError("INVALID_CONFIG", `Not a valid PostgreSQL URL: ${redactUrl(url)}`);
  }
  const schema = u.searchParams.get("schema");
  const pool = u.searchParams.get("pool") ?? env.MNEMO_PG_POOL ?? "10";
  u.searchParams.delete("schema");
  u.searchParams.delete("pool");
  const poolSize = Number(pool);
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) throw new MnemoError("INVALID_CONFIG", `pool must be an integer from 1 to 1000 (got ${JSON.stringify(pool)}).`);
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new MnemoError("INVALID_CONFIG", `schema must be a lower-case SQL identifier (letters, digits, _), got ${JSON.stringify(schema)}.`);
  }
  return { connectionString: u.toString(), schema, poolSize };
}

/**
 * The URL with its password replaced by `***`, for messages and logs.
 *
 * @example
 * ```ts
 * redactUrl("postgres://mnemo:secret@db/mnemo"); // "postgres://mnemo:***@db/mnemo"
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/i, "$1***@");
}

/**
 * Loads the `pg` driver (only when a PostgreSQL URL is used) and opens a pool whose
 * connections use `schema` (then `public`, where pgvector usually lives).
 *
 * @example
 * ```ts
 * const pool = await openPool("postgres://postgres@127.0.0.1:5432/postgres?schema=mnemo");
 * ```
 */
export async function openPool(url: string): Promise<{ pool: Pool; schema: string | null }> {
  const { connectionString, schema, poolSize } = parsePostgresUrl(url);
  let pg: typeof import("pg");
  try {
    const mod = (await import("pg")) as unknown as { default?: typeof import("pg") };
    pg = mod.default ?? (mod as unknown as typeof import("pg"));
  } catch (cause) {
    throw new MnemoError("STORE_ERROR", "The PostgreSQL driver (the `pg` package) is not installed.", { cause, hint: "npm install pg" });
  }
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    // HNSW scans keep going until the tenant/user filter has k rows (pgvector ≥ 0.8).
    options: [schema ? `-c search_path=${schema},public` : "", "-c hnsw.iterative_scan=relaxed_order", "-c hnsw.ef_search=100"].filter(Boolean).join(" "),
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  return { pool, schema };
}

/**
 * Runs `fn` on one client inside BEGIN … COMMIT (ROLLBACK on error) and releases it.
 *
 * @example
 * ```ts
 * await inTransaction(pool, async (c) => { await c.query("INSERT INTO meta VALUES ('k', 'v')"); });
 * ```
 */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query("BEGIN");
    const out = await fn(client);
    await client.query("COMMIT");
    return out;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw e;
  } finally {
    client.release(broken);
  }
}
