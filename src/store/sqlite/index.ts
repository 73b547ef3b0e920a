import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { MnemoError } from "../../core/errors.js";
import type { Entity, Episode, Memory, MemoryVersion, Segment, Stats } from "../../core/types.js";
import type {
  EpisodeNeighbours, LinkedMemories, MemoryFilter, MemoryLink, MemoryText, Page, ScopeKey, Store, TargetType, TextHit, TextSearchOptions, VectorHit, VectorMatrix, WriteBatch,
} from "../types.js";
import { VectorCache } from "../vector-cache.js";
import { DEFAULT_ROW_CACHE_ROWS, RowCache, type RowKind } from "../row-cache.js";
import { applyBatch } from "./commit.js";
import { scopeToken } from "./fts.js";
import { ERASED_FINGERPRINT, HEAD_WEIGHT, VECTOR_SNAPSHOT_MIN } from "./constants.js";
import { deleteRows, eraseUsers } from "./remove.js";
import { rowToEntity, rowToEpisode, rowToMemory, rowToSegment, rowToVersion, type Row } from "./rows.js";
import { byIds, findEpisodes, listMemories, listMemoryTexts, stats } from "./reads.js";
import { migrate } from "./schema.js";
import { episodeNeighbourIds, linkedMemories, searchText } from "./search.js";
import { eachVector, loadVectors, persistVectorSnapshots, restoreVectorSnapshot, scanSmallTable, vectorKey } from "./vectors.js";

// The store is split by concern: commit.ts (writes), search.ts (full-text, links,
// neighbours), vectors.ts (vector blobs and snapshots), remove.ts (delete and erase),
// rows.ts (row mapping), fts.ts and schema.ts.
export { ERASED_FINGERPRINT, HEAD_WEIGHT, scopeToken, VECTOR_SNAPSHOT_MIN };

/**
 * Options of {@link SqliteStore.open}. Each number must be a non-negative integer
 * (otherwise `INVALID_CONFIG`, before the file is opened).
 *
 * @example
 * ```ts
 * const store = await SqliteStore.open("./mnemo.db", { cacheBytes: 64 * 1024 * 1024, cacheMinRows: 1024 });
 * ```
 */
export interface SqliteStoreOptions {
  /** Bound of the in-memory vector cache across every user (default 128 MiB, or `MNEMO_CACHE_MB`). */
  cacheBytes?: number | undefined;
  /** Vector tables (one user's memories, or episodes) of fewer rows are read at each search, not cached (default 1,024, `CACHE_MIN_ROWS` in src/store/vector-cache.ts). */
  cacheMinRows?: number | undefined;
  /** Bound of the parsed-row cache across every user, in rows (default 20,000; 0 turns it off). */
  cacheRows?: number | undefined;
  /** Vector tables of at least this many rows are snapshotted at close (default {@link VECTOR_SNAPSHOT_MIN}). */
  snapshotMinVectors?: number | undefined;
}

/**
 * Checks {@link SqliteStoreOptions}' numbers before any file is opened: each given one must
 * be a non-negative integer (a NaN bound would silently turn a cache off or make it unbounded).
 *
 * @example
 * ```ts
 * checkStoreOptions({ cacheMinRows: 0 }); // fine
 * checkStoreOptions({ cacheMinRows: -1 }); // throws MnemoError INVALID_CONFIG
 * ```
 */
export function checkStoreOptions(options: SqliteStoreOptions): void {
  for (const name of ["cacheBytes", "cacheMinRows", "cacheRows", "snapshotMinVectors"] as const) {
    const v = options[name];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) {
      throw new MnemoError("INVALID_CONFIG", `${name} must be a non-negative integer, got ${String(v)}.`, { hint: `Leave ${name} out for its default.` });
    }
  }
}

/**
 * Opens (creating its folder) a SQLite file with better-sqlite3, or `:memory:`;
 * STORE_ERROR when it cannot. Shared by the store and the API-key table.
 *
 * @example
 * ```ts
 * const db = openDatabaseFile("./mnemo.db");
 * ```
 * @internal Not in the published types (they must not need `@types/better-sqlite3`).
 */
export function openDatabaseFile(path: string): Database.Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  try {
    return new Database(path);
  } catch (cause) {
    throw new MnemoError("STORE_ERROR", `Cannot open ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Row-cache key of a scope. */
function rowScope(scope: ScopeKey): string {
  return `${scope.tenant}\u0000${scope.userId}`;
}

/** Thrown inside a write scope whose scope another process wrote to meanwhile: the scope runs again. */
class ScopeChanged extends Error {}

/**
 * The embedded default store: one SQLite file (WAL mode, FTS5 for BM25, vectors as 8-bit codes).
 * Deleted content is overwritten (`secure_delete`) and `erase` vacuums, so erased data
 * does not linger in the file.
 *
 * @example
 * ```ts
 * const store = await SqliteStore.open("./mnemo.db");
 * console.log(await store.stats());
 * await store.close();
 * ```
 */
export class SqliteStore implements Store {
  readonly dialect = "sqlite";
  private readonly db: Database.Database;
  private closed = false;
  /** Vectors of recently searched scopes, bounded by bytes, kept current by this store's commits. */
  readonly vectorCache: VectorCache;
  /** Parsed memory and episode rows recently read, bounded by count, kept current by this store's commits. */
  readonly rowCache: RowCache;

  private constructor(db: Database.Database, options: SqliteStoreOptions) {
    this.db = db;
    const env = Number(process.env.MNEMO_CACHE_MB);
    this.vectorCache = new VectorCache({ maxBytes: options.cacheBytes ?? (env > 0 ? env * 1024 * 1024 : undefined), minRows: options.cacheMinRows });
    this.rowCache = new RowCache(options.cacheRows ?? DEFAULT_ROW_CACHE_ROWS);
    this.snapshotMin = options.snapshotMinVectors ?? VECTOR_SNAPSHOT_MIN;
  }

  private readonly snapshotMin: number;

  /** Opens (creating if needed) a database file, or `:memory:`. */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    checkStoreOptions(options);
    const db = openDatabaseFile(path);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("secure_delete = ON");
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 5000");
      migrate(db);
    } catch (e) {
      db.close();
      if (e instanceof MnemoError) throw e;
      throw new MnemoError("STORE_ERROR", `Cannot initialise ${path}: ${(e as Error).message}`, { cause: e });
    }
    return new SqliteStore(db, options);
  }

  private get conn(): Database.Database {
    if (this.closed) throw new MnemoError("CLOSED");
    return this.db;
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, cached by its SQL text. */
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.conn.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  async close(): Promise<void> {
    if (this.closed || this.inScope) return;
    await this.exclusive(async () => persistVectorSnapshots(this.db, (sql) => this.stmt(sql), this.vectorCache, this.snapshotMin));
    this.closed = true;
    this.db.close();
  }

  /** The tail of the queue for this connection's write transaction (one open at a time). */
  private connTail: Promise<void> = Promise.resolve();
  /** Per scope, the tail of this process's queue of write scopes. */
  private readonly scopeTails = new Map<string, Promise<void>>();
  /** Set on a write scope's view: the scope, its generation when it began, and its write transaction once open. */
  private scopeTx: { scope: ScopeKey; startGen: number; open: boolean; release: (() => void) | null } | null = null;

  private get inScope(): boolean {
    return this.scopeTx !== null;
  }

  /** Waits until no other write transaction is open on this connection; returns its release. */
  private async lockConn(): Promise<() => void> {
    const before = this.connTail;
    let release!: () => void;
    this.connTail = new Promise<void>((r) => (release = r));
    await before;
    return release;
  }

  /** Runs `fn` holding the connection's write-transaction slot. */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.lockConn();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Runs `fn` after every earlier write scope of the same scope in this process. */
  private async queueScope<T>(scope: ScopeKey, fn: () => Promise<T>): Promise<T> {
    const key = vectorKey(scope, "");
    const before = this.scopeTails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const tail = new Promise<void>((r) => (release = r));
    this.scopeTails.set(key, tail);
    try {
      await before;
      return await fn();
    } finally {
      release();
      if (this.scopeTails.get(key) === tail) this.scopeTails.delete(key);
    }
  }

  /**
   * BEGIN IMMEDIATE: takes the file's write lock. While another process holds it, retries
   * with short sleeps (up to 30 s) instead of busy-waiting, so the event loop keeps serving.
   */
  private async beginImmediate(): Promise<void> {
    const db = this.conn;
    const deadline = Date.now() + 30_000;
    for (let attempt = 0; ; attempt++) {
      db.pragma("busy_timeout = 0");
      try {
        db.exec("BEGIN IMMEDIATE");
        return;
      } catch (e) {
        const code = (e as { code?: string }).code ?? "";
        if (!code.startsWith("SQLITE_BUSY") || Date.now() > deadline) throw new MnemoError("STORE_ERROR", (e as Error).message, { cause: e });
      } finally {
        db.pragma("busy_timeout = 5000");
      }
      await new Promise((r) => setTimeout(r, Math.min(1 + attempt, 20)));
    }
  }

  /**
   * Runs `fn` in a write transaction: its own (queued; BEGIN IMMEDIATE … COMMIT), or the
   * write scope's when that is open, or (on a scope's view before its first commit) one of
   * its own without queueing.
   */
  private async writeTxn<T>(fn: () => T): Promise<T> {
    if (this.scopeTx?.open) return fn();
    return this.exclusive(async () => {
      await this.beginImmediate();
      try {
        const out = fn();
        this.db.exec("COMMIT");
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw e;
      }
    });
  }

  /**
   * Runs `fn` as the only writer of the scope. In this process, writers queue. Across
   * processes, `fn` reads without holding the file's write lock; its first commit takes
   * it (BEGIN IMMEDIATE) and re-reads the scope's generation inside the transaction: if
   * another process committed to the scope since `fn` began, everything is rolled back
   * and `fn` runs again on fresh data (up to 100 times). Otherwise `fn`'s commits land
   * together when it resolves. The lock is thus held only from the first commit to the
   * end of `fn`, never across `fn`'s reads or model calls.
   */
  async writeScope<T>(scope: ScopeKey, fn: (store: Store) => Promise<T>): Promise<T> {
    if (this.inScope) return fn(this);
    return this.queueScope(scope, async () => {
      for (let attempt = 0; ; attempt++) {
        const view = Object.create(this) as SqliteStore;
        const tx: NonNullable<SqliteStore["scopeTx"]> = { scope, startGen: await this.generation(scope), open: false, release: null };
        view.scopeTx = tx;
        try {
          const out = await fn(view);
          if (tx.open) this.conn.exec("COMMIT");
          return out;
        } catch (e) {
          if (tx.open && !this.closed && this.db.inTransaction) this.db.exec("ROLLBACK");
          // Vectors and rows cached from the rolled-back commits must go.
          if (tx.open) {
            this.vectorCache.drop(vectorKey(scope, ""));
            this.rowCache.drop(rowScope(scope));
          }
          if (!(e instanceof ScopeChanged) || attempt >= 100) throw e instanceof ScopeChanged ? new MnemoError("STORE_ERROR", "The scope kept changing under this write (100 attempts).") : e;
        } finally {
          tx.open = false;
          tx.release?.();
          tx.release = null;
        }
      }
    });
  }

  /**
   * On a write scope's view: opens its write transaction (waiting for any other one on this
   * connection), or signals that another process wrote to the scope since it began.
   */
  private async openScopeTx(): Promise<void> {
    const tx = this.scopeTx!;
    if (tx.open) return;
    tx.release = await this.lockConn();
    try {
      await this.beginImmediate();
    } catch (e) {
      tx.release();
      tx.release = null;
      throw e;
    }
    tx.open = true;
    if ((await this.generation(tx.scope)) !== tx.startGen) throw new ScopeChanged();
  }

  async commit(batch: WriteBatch): Promise<void> {
    const db = this.conn;
    let genBefore = 0;
    let genAfter = 0;
    const apply = db.transaction(() => {
      ({ before: genBefore, after: genAfter } = applyBatch((sql) => this.stmt(sql), batch));
    });
    try {
      if (this.inScope) {
        await this.openScopeTx();
        apply.immediate();
      } else await this.writeTxn(() => apply.immediate());
    } catch (e) {
      if (e instanceof ScopeChanged) throw e;
      if (e instanceof MnemoError) throw e;
      throw new MnemoError("STORE_ERROR", (e as Error).message, { cause: e });
    }
    // The cached vectors of this scope take the commit's rows: no reload at the next search.
    for (const target of ["memory", "episode", "segment"] as const) {
      const rows = (batch.vectors ?? []).filter((v) => v.targetType === target).map((v) => ({ id: v.targetId, vector: v.vector }));
      this.vectorCache.apply(vectorKey(batch.scope, target), genBefore, genAfter, rows);
    }
    this.rowCache.committed(rowScope(batch.scope), genBefore, genAfter, [
      ...(batch.memories ?? []).map((m) => m.id),
      ...(batch.episodes ?? []).map((e) => e.id),
      ...(batch.episodeSegments ?? []).map((a) => a.episodeId),
    ]);
  }

  async generation(scope: ScopeKey): Promise<number> {
    const r = this.stmt(`SELECT gen FROM generations WHERE tenant = ? AND user_id = ?`).get(scope.tenant, scope.userId) as { gen: number } | undefined;
    return r?.gen ?? 0;
  }

  async findEpisodes(scope: ScopeKey, keys: { externalIds: string[]; hashes: string[] }) {
    return findEpisodes((sql) => this.stmt(sql), scope, keys);
  }

  /** {@link byIds} through the row cache. */
  private async cachedByIds<T extends Memory | Episode>(table: string, kind: RowKind, scope: ScopeKey, ids: string[], map: (r: Row) => T): Promise<T[]> {
    if (ids.length === 0) return [];
    const sk = rowScope(scope);
    this.rowCache.sync(sk, await this.generation(scope));
    const found = new Map<string, T>();
    const miss: string[] = [];
    for (const id of new Set(ids)) {
      const hit = this.rowCache.get<T>(sk, kind, id);
      if (hit) found.set(id, hit);
      else miss.push(id);
    }
    for (const t of this.byIds(table, scope, miss, map, (x) => x.id)) {
      found.set(t.id, t);
      this.rowCache.put(sk, kind, t.id, t);
    }
    return ids.map((id) => found.get(id)).filter((t): t is T => t !== undefined);
  }

  private byIds<T>(table: string, scope: ScopeKey, ids: string[], map: (r: Row) => T, idOf: (t: T) => string): T[] {
    return byIds((sql) => this.stmt(sql), table, scope, ids, map, idOf);
  }

  async getEpisodes(scope: ScopeKey, ids: string[]): Promise<Episode[]> {
    return this.cachedByIds("episodes", "e", scope, ids, rowToEpisode);
  }

  async listEpisodes(scope: ScopeKey, options: { sessionId?: string; after?: string; limit?: number } = {}): Promise<Episode[]> {
    const where = ["tenant = ?", "user_id = ?"];
    const args: unknown[] = [scope.tenant, scope.userId];
    if (options.sessionId !== undefined) (where.push("session_id = ?"), args.push(options.sessionId));
    if (options.after !== undefined) (where.push("occurred_at > ?"), args.push(options.after));
    const limit = options.limit ?? -1;
    const rows = this.stmt(`SELECT * FROM episodes WHERE ${where.join(" AND ")} ORDER BY occurred_at, seq LIMIT ?`).all(...args, limit) as Row[];
    return rows.map(rowToEpisode);
  }

  async maxSeq(scope: ScopeKey): Promise<number> {
    const r = this.stmt(`SELECT MAX(seq) AS m FROM episodes WHERE tenant = ? AND user_id = ?`).get(scope.tenant, scope.userId) as { m: number | null };
    return r.m ?? 0;
  }

  async getSegments(scope: ScopeKey, ids: string[]): Promise<Segment[]> {
    return this.byIds("segments", scope, ids, rowToSegment, (s) => s.id);
  }

  async lastSegment(scope: ScopeKey, sessionId: string | null): Promise<Segment | null> {
    const r = this
      .stmt(`SELECT * FROM segments WHERE tenant = ? AND user_id = ? AND session_id IS ? ORDER BY ended_at DESC, rid DESC LIMIT 1`)
      .get(scope.tenant, scope.userId, sessionId) as Row | undefined;
    return r ? rowToSegment(r) : null;
  }

  async getMemory(tenant: string, id: string): Promise<Memory | null> {
    const r = this.stmt(`SELECT * FROM memories WHERE tenant = ? AND id = ?`).get(tenant, id) as Row | undefined;
    return r ? rowToMemory(r) : null;
  }

  async getMemories(scope: ScopeKey, ids: string[]): Promise<Memory[]> {
    return this.cachedByIds("memories", "m", scope, ids, rowToMemory);
  }

  async listMemories(filter: MemoryFilter): Promise<Page<Memory>> {
    return listMemories((sql) => this.stmt(sql), filter);
  }

  async listMemoryTexts(scope: ScopeKey, options?: { cursor?: string | undefined; limit?: number | undefined }): Promise<Page<MemoryText>> {
    return listMemoryTexts((sql) => this.stmt(sql), scope, options);
  }

  async memoriesBySlot(scope: ScopeKey, slots: string[]): Promise<Memory[]> {
    if (slots.length === 0) return [];
    const uniq = [...new Set(slots)];
    const rows = this
      .stmt(`SELECT * FROM memories WHERE tenant = ? AND user_id = ? AND invalidated_at IS NULL AND forgotten_at IS NULL AND slot IN (${uniq.map(() => "?").join(",")})`)
      .all(scope.tenant, scope.userId, ...uniq) as Row[];
    return rows.map(rowToMemory);
  }

  async memoryHistory(tenant: string, id: string): Promise<MemoryVersion[]> {
    // Schema 6: a row without text is the memory's current row at that version, and a
    // memory flagged history_add has an implicit first row, its plain "add".
    const rows = this.stmt(`SELECT memory_id, version, op, at, reason, text, valid_from, valid_to, sources FROM (
        SELECT m.id AS memory_id, m.version AS version, 'add' AS op, m.recorded_at AS at, NULL AS reason, m.text AS text,
          m.valid_from AS valid_from, m.valid_to AS valid_to, m.sources AS sources, -9e18 AS ord
        FROM memories m WHERE m.tenant = ? AND m.id = ? AND m.history_add = 1
        UNION ALL
        SELECT h.memory_id, h.version, h.op, h.at, h.reason, COALESCE(h.text, m.text),
          IIF(h.text IS NULL, m.valid_from, h.valid_from), IIF(h.text IS NULL, m.valid_to, h.valid_to), COALESCE(h.sources, m.sources), h.rowid
        FROM memory_history h LEFT JOIN memories m ON h.text IS NULL AND m.id = h.memory_id AND m.tenant = h.tenant
        WHERE h.tenant = ? AND h.memory_id = ?)
      ORDER BY version, ord`).all(tenant, id, tenant, id) as Row[];
    return rows.map(rowToVersion);
  }

  async touchMemories(scope: ScopeKey, ids: string[], at: string, strengthGain: number): Promise<void> {
    if (ids.length === 0) return;
    const db = this.conn;
    const upd = this.stmt(`UPDATE memories SET access_count = access_count + 1, last_accessed_at = ?, strength = strength + ? WHERE tenant = ? AND user_id = ? AND id = ?`);
    await this.writeTxn(() =>
      db.transaction(() => {
        for (const id of ids) upd.run(at, strengthGain, scope.tenant, scope.userId, id);
      })(),
    );
    this.rowCache.touch(rowScope(scope), ids, at, strengthGain);
  }

  async listEntities(scope: ScopeKey): Promise<Entity[]> {
    const rows = this.stmt(`SELECT * FROM entities WHERE tenant = ? AND user_id = ? ORDER BY name`).all(scope.tenant, scope.userId) as Row[];
    return rows.map(rowToEntity);
  }

  async searchText(scope: ScopeKey, target: TargetType, terms: string[], limit: number, options: TextSearchOptions = {}): Promise<TextHit[]> {
    return searchText((sql) => this.stmt(sql), scope, target, terms, limit, options);
  }

  async searchVectors(scope: ScopeKey, target: TargetType, vector: Float32Array, k: number): Promise<VectorHit[]> {
    // One range of the clustered vectors table (schema 5), rows as arrays; no COUNT first
    // (on a WITHOUT ROWID table it reads the whole range too): the cache grows as it reads.
    const load = async () => ({ count: 0, dim: vector.length, each: (sink: (id: string, v: Float32Array) => void) => eachVector((sql) => this.stmt(sql), scope, target, sink) });
    // No re-read of the shortlist's rows for exact scores: since schema 6 the stored vectors
    // are the cache's own 8-bit codes, so the cache's scores are the stored vectors' scores.
    const gen = await this.generation(scope);
    const key = vectorKey(scope, target);
    if (!this.vectorCache.has(key, gen)) {
      restoreVectorSnapshot((sql) => this.stmt(sql), this.vectorCache, scope, target, gen);
      // A table too small to be cached is scored as it is read (no decoding, nothing kept).
      if (!this.vectorCache.has(key, gen)) {
        const small = scanSmallTable((sql) => this.stmt(sql), scope, target, vector, k, this.vectorCache.minRows);
        if (small) return small;
      }
    }
    return this.vectorCache.search(key, gen, load, vector, k);
  }

  async linkedMemories(scope: ScopeKey, link: MemoryLink, keys: string[], limit: number): Promise<LinkedMemories[]> {
    return linkedMemories((sql) => this.stmt(sql), scope, link, keys, limit);
  }

  async episodeNeighbours(scope: ScopeKey, episodeIds: string[], radius: number): Promise<EpisodeNeighbours[]> {
    const ids = episodeNeighbourIds((sql) => this.stmt(sql), scope, episodeIds, radius);
    const rows = new Map((await this.getEpisodes(scope, ids.flatMap((n) => [...n.before, ...n.after]))).map((e) => [e.id, e]));
    const pick = (xs: string[]) => xs.map((id) => rows.get(id)).filter((e): e is Episode => e !== undefined);
    return ids.map((n) => ({ episodeId: n.episodeId, before: pick(n.before), after: pick(n.after) }));
  }

  async loadVectors(scope: ScopeKey, target: TargetType): Promise<VectorMatrix> {
    return loadVectors((sql) => this.stmt(sql), scope, target);
  }

  async clearVectors(): Promise<void> {
    const del = this.stmt(`DELETE FROM vectors`);
    const snaps = this.stmt(`DELETE FROM vector_snapshots`);
    await this.writeTxn(() => (del.run(), snaps.run()));
    this.vectorCache.drop();
  }

  async getMeta(key: string): Promise<string | null> {
    const r = this.stmt(`SELECT value FROM meta WHERE key = ?`).get(key) as { value: string } | undefined;
    return r?.value ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    const up = this.stmt(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
    await this.writeTxn(() => up.run(key, value));
  }

  async deleteEpisodes(scope: ScopeKey, ids: string[], memoryIds: string[] = []): Promise<number> {
    if (ids.length === 0 && memoryIds.length === 0) return 0;
    const db = this.conn;
    let n = 0;
    const remove = db.transaction(() => {
      n = deleteRows((sql) => this.stmt(sql), scope, ids, memoryIds);
    });
    await this.writeTxn(() => remove.immediate());
    this.vectorCache.drop(vectorKey(scope, ""));
    this.rowCache.drop(rowScope(scope));
    return n;
  }

  async erase(scope: { tenant: string; userId?: string | undefined }): Promise<{ episodes: number; memories: number; entities: number }> {
    const db = this.conn;
    if (this.inScope) throw new MnemoError("STORE_ERROR", "erase cannot run inside a write scope.");
    const users = scope.userId !== undefined ? [scope.userId] : await this.listUsers(scope.tenant);
    const counts = { episodes: 0, memories: 0, entities: 0 };
    const hasIdempotency = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'mnemo_idempotency'`).get() !== undefined;
    for (const userId of users) this.vectorCache.drop(vectorKey({ tenant: scope.tenant, userId }, ""));
    for (const userId of users) this.rowCache.drop(rowScope({ tenant: scope.tenant, userId }));
    const remove = db.transaction(() => eraseUsers(db, (sql) => this.stmt(sql), scope.tenant, users, counts, hasIdempotency));
    // Queued behind this process's writers, and VACUUM too (it cannot run inside a transaction).
    return this.exclusive(async () => {
      await this.beginImmediate();
      try {
        remove();
        db.exec("COMMIT");
      } catch (e) {
        if (db.inTransaction) db.exec("ROLLBACK");
        throw e;
      }
      // Leave no trace in the WAL or free pages.
      db.pragma("wal_checkpoint(TRUNCATE)");
      db.exec("VACUUM");
      db.pragma("wal_checkpoint(TRUNCATE)");
      return counts;
    });
  }

  async stats(scope: { tenant?: string | undefined; userId?: string | undefined } = {}): Promise<Stats> {
    return stats((sql) => this.stmt(sql), scope);
  }

  async listTenants(): Promise<string[]> {
    const rows = this.stmt(`SELECT tenant FROM episodes UNION SELECT tenant FROM memories UNION SELECT tenant FROM entities ORDER BY 1`).all() as Array<{ tenant: string }>;
    return rows.map((r) => r.tenant);
  }

  async listUsers(tenant: string): Promise<string[]> {
    const rows = this
      .stmt(`SELECT user_id FROM episodes WHERE tenant = ? UNION SELECT user_id FROM memories WHERE tenant = ? UNION SELECT user_id FROM entities WHERE tenant = ? ORDER BY 1`)
      .all(tenant, tenant, tenant) as Array<{ user_id: string }>;
    return rows.map((r) => r.user_id);
  }
}
