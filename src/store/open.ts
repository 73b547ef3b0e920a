import envPaths from "env-paths";
import { join } from "node:path";
import { MnemoError } from "../core/errors.js";
import { isPostgresUrl } from "./postgres/driver.js";
import { SqliteStore, type SqliteStoreOptions } from "./sqlite/index.js";
import type { Store } from "./types.js";

/**
 * Opens the store at a location: a `postgres://` / `postgresql://` URL opens a
 * {@link PostgresStore} (the `pg` driver is loaded only then), anything else is a SQLite
 * file path (or `:memory:`), opened with `sqliteOptions`.
 *
 * @example
 * ```ts
 * const local = await openStore("./mnemo.db");
 * const shared = await openStore("postgres://mnemo@db.internal:5432/mnemo");
 * ```
 */
export async function openStore(location: string, sqliteOptions: SqliteStoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(location)) {
    const { PostgresStore } = await import("./postgres/index.js");
    return PostgresStore.open(location);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new MnemoError("INVALID_CONFIG", `Unsupported database URL scheme: ${location.split(":")[0]}. Use a file path or postgres://…`);
  }
  return SqliteStore.open(location, sqliteOptions);
}

/**
 * The SQLite file that holds the server's side tables (API keys, Idempotency-Key replies)
 * for a store location: the store's own file, or, for a PostgreSQL store,
 * `$MNEMO_KEYS_DB`, else `mnemo-keys.db` in the user's data directory. Processes that
 * share a PostgreSQL store on one host share this file too (WAL mode).
 *
 * @example
 * ```ts
 * sideDbPath("./mnemo.db"); // "./mnemo.db"
 * sideDbPath("postgres://db/mnemo", { MNEMO_KEYS_DB: "/srv/keys.db" }); // "/srv/keys.db"
 * ```
 */
export function sideDbPath(location: string, env: Record<string, string | undefined> = process.env): string {
  if (!isPostgresUrl(location)) return location;
  return env.MNEMO_KEYS_DB ?? join(envPaths("mnemo", { suffix: "" }).data, "mnemo-keys.db");
}
