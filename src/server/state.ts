import { KeyStore, type KeyBackend } from "../auth/keys.js";
import { isPostgresUrl } from "../store/postgres/driver.js";
import type { Store } from "../store/types.js";
import type { IdempotencyRecords } from "./idempotency.js";

/**
 * Where a server keeps API keys and Idempotency-Key replies for a store: in the store's
 * own database. A SQLite store keeps them in its file (`dbPath`, tables `mnemo_api_keys`
 * and `mnemo_idempotency`); a PostgreSQL store in its database (tables `api_keys` and
 * `idempotency`), so every server process on it sees the same keys and replays.
 *
 * @example
 * ```ts
 * const state = serverState(mnemo.store, "./mnemo.db");
 * const app = createApp({ mnemo, keys: state.keys, options: { dbPath: state.dbPath, idempotency: state.idempotency } });
 * ```
 */
export function serverState(store: Store, location: string): { keys: KeyBackend; idempotency: IdempotencyRecords | undefined; dbPath: string | null; close(): void } {
  const tables = (store as Partial<{ serverTables(): { keys: KeyBackend; idempotency: IdempotencyRecords } }>).serverTables;
  if (store.dialect === "postgres" && typeof tables === "function") {
    const t = tables.call(store);
    return { keys: t.keys, idempotency: t.idempotency, dbPath: null, close: () => undefined };
  }
  const keys = KeyStore.open(location);
  return { keys, idempotency: undefined, dbPath: location, close: () => keys.close() };
}

/**
 * Opens the API keys of a store location for the `mnemo keys` command and tools: a SQLite
 * file's `mnemo_api_keys`, or a PostgreSQL database's `api_keys` (the store is opened,
 * and migrated if needed, on a pool of one connection). `close` releases what was opened.
 *
 * @example
 * ```ts
 * const { keys, close } = await openKeys("postgres://mnemo@db/mnemo");
 * const { key } = await keys.create({ tenant: "acme" });
 * await close();
 * ```
 */
export async function openKeys(location: string): Promise<{ keys: KeyBackend; close(): Promise<void> }> {
  if (isPostgresUrl(location)) {
    const { PostgresStore } = await import("../store/postgres/index.js");
    const url = new URL(location);
    if (!url.searchParams.has("pool")) url.searchParams.set("pool", "1");
    const store = await PostgresStore.open(url.toString());
    return { keys: store.serverTables().keys, close: () => store.close() };
  }
  const keys = KeyStore.open(location);
  return { keys, close: async () => keys.close() };
}
