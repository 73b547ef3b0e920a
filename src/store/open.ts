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
