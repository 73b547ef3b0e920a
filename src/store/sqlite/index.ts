import { episodeText } from "../../core/embed-text.js";
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { MnemoError } from "../../core/errors.js";
import type { Entity, Episode, Memory, MemoryVersion, Segment, Stats } from "../../core/types.js";
import type {
  EpisodeNeighbours, LinkedMemories, MemoryFilter, MemoryLink, Page, ScopeKey, Store, TargetType, TextHit, TextSearchOptions, VectorHit, VectorMatrix, WriteBatch,
} from "../types.js";
import { VectorCache } from "../vector-cache.js";
import { DEFAULT_ROW_CACHE_ROWS, RowCache } from "../row-cache.js";
import { episodeNeighbourIds, linkedMemories, writeLinks } from "./search.js";
import { migrate } from "./schema.js";
import { ftsText, scopeToken } from "./fts.js";

export { scopeToken };
import { guardColumns, rowToEntity, rowToEpisode, rowToMemory, rowToSegment, rowToVersion, type Row } from "./rows.js";

const FTS_TABLE: Record<TargetType, string> = { memory: "fts_memories", episode: "fts_episodes", segment: "fts_segments" };
const MAIN_TABLE: Record<TargetType, string> = { memory: "memories", episode: "episodes", segment: "segments" };
/** The event time of a row, for time-window searches. */
const TIME_COLUMN: Record<TargetType, string> = { memory: "COALESCE(m.valid_from, m.observed_at)", episode: "m.occurred_at", segment: "m.started_at" };

/**
 * Options of {@link SqliteStore.open}.
 *
 * @example
 * ```ts
 * const store = await SqliteStore.open("./mnemo.db", { cacheBytes: 64 * 1024 * 1024 });
 * ```
 */
export interface SqliteStoreOptions {
  /** Bound of the in-memory vector cache across every user (default 128 MiB, or `MNEMO_CACHE_MB`). */
  cacheBytes?: number | undefined;
  /** Bound of the parsed-row cache across every user, in rows (default 20,000; 0 turns it off). */
  cacheRows?: number | undefined;
  /** Vector tables of at least this many rows are snapshotted at close (default {@link VECTOR_SNAPSHOT_MIN}). */
  snapshotMinVectors?: number | undefined;
}

/**
 * Tables of at least this many vectors (one scope, one target) have their cache's 8-bit
 * codes persisted when the store closes (`vector_snapshots`, valid for that generation of
 * the scope): the first search after the next open reads them in one row instead of
 * loading and encoding every vector (issue 9). Smaller tables load fast enough.
 *
 * @example
 * ```ts
 * if (rows >= VECTOR_SNAPSHOT_MIN) persist(); // 20,000
 * ```
 */
export const VECTOR_SNAPSHOT_MIN = 20_000;

/**
 * BM25 weight of the `head` column (an episode's speaker, a memory's subject) relative
 * to the text: a name in the query should prefer that person's rows, not outrank content.
 *
 * @example
 * ```ts
 * const rank = `bm25(${fts}, 1.0, 0.0, ${HEAD_WEIGHT})`; // text 1.0, head 0.3
 * ```
 */
export const HEAD_WEIGHT = 0.3;

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

/** A typed array's bytes as a Buffer (no copy). */
function bytes(a: Int8Array | Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** A stored Float32 vector as a view of its blob (copied only when the blob is not 4-byte aligned). */
function floats(b: Buffer): Float32Array {
  const a = b.byteOffset % 4 === 0 ? b : Buffer.from(b);
  return new Float32Array(a.buffer, a.byteOffset, a.byteLength / 4);
}

function json(v: unknown): string {
  return JSON.stringify(v);
}

/** Cache key of a scope's vectors of one table ("" for every table of the scope). */
function vectorKey(scope: ScopeKey, target: TargetType | ""): string {
  return `${scope.tenant}\u0000${scope.userId}\u0000${target}`;
}

/** Row-cache key of a scope. */
function rowScope(scope: ScopeKey): string {
  return `${scope.tenant}\u0000${scope.userId}`;
}

/** Meta key of the lowest generation a (re-)created scope may start above. */
const GENERATION_FLOOR_KEY = "store.generation_floor";

/** Thrown inside a write scope whose scope another process wrote to meanwhile: the scope runs again. */
class ScopeChanged extends Error {}

/**
 * The fingerprint of an Idempotency-Key record whose user was erased (a tombstone: no
 * content, and a retry of the key is refused).
 *
 * @example
 * ```ts
 * if (row.fingerprint === ERASED_FINGERPRINT) throw new MnemoError("CONFLICT");
 * ```
 */
export const ERASED_FINGERPRINT = "erased";

/** A batch row whose id belongs to another scope: never overwritten. */
function conflict(what: string, id: string): MnemoError {
  return new MnemoError("CONFLICT", `The ${what} id ${JSON.stringify(id)} belongs to another scope.`);
}

/**
 * The embedded default store: one SQLite file (WAL mode, FTS5 for BM25, vectors as BLOBs).
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
    this.vectorCache = new VectorCache({ maxBytes: options.cacheBytes ?? (env > 0 ? env * 1024 * 1024 : undefined) });
    this.rowCache = new RowCache(options.cacheRows ?? DEFAULT_ROW_CACHE_ROWS);
    this.snapshotMin = options.snapshotMinVectors ?? VECTOR_SNAPSHOT_MIN;
  }

  private readonly snapshotMin: number;

  /** Opens (creating if needed) a database file, or `:memory:`. */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
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
    await this.exclusive(async () => this.persistVectorSnapshots());
    this.closed = true;
    this.db.close();
  }

  /**
   * Writes the cached codes of large vector tables that are current (their scope's
   * generation has not moved) and not persisted yet. Best effort: a busy or read-only file
   * is left as it is (the next open loads the vectors instead).
   */
  private persistVectorSnapshots(): void {
    const todo = this.vectorCache.unpersisted(this.snapshotMin);
    if (todo.length === 0) return;
    const db = this.db;
    try {
      db.pragma("busy_timeout = 0");
      const gen = this.stmt(`SELECT gen FROM generations WHERE tenant = ? AND user_id = ?`);
      const put = this.stmt(`INSERT INTO vector_snapshots (tenant, user_id, target_type, gen, dim, ids, codes, scales) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(tenant, user_id, target_type) DO UPDATE SET gen = excluded.gen, dim = excluded.dim, ids = excluded.ids, codes = excluded.codes, scales = excluded.scales`);
      db.transaction(() => {
        for (const [key, snap] of todo) {
          const [tenant, userId, target] = key.split("\u0000") as [string, string, string];
          if (((gen.get(tenant, userId) as { gen: number } | undefined)?.gen ?? 0) !== snap.generation) continue;
          // Ids joined by NUL (no id holds one, or the table is not snapshotted): splitting is
          // several times faster than JSON.parse for the first search.
          if (snap.ids.some((id) => id.includes("\u0000"))) continue;
          put.run(tenant, userId, target, snap.generation, snap.dim, Buffer.from(snap.ids.join("\u0000"), "utf8"), bytes(snap.codes), bytes(snap.scales));
          this.vectorCache.markPersisted(key, snap.generation);
        }
      }).immediate();
    } catch {
      // Best effort (SQLITE_BUSY, SQLITE_READONLY): the snapshot is only a cache.
    } finally {
      db.pragma("busy_timeout = 5000");
    }
  }

  /** Reads back a persisted snapshot of a vector table when it is valid for `generation`. */
  private restoreVectorSnapshot(scope: ScopeKey, target: TargetType, generation: number): void {
    const r = this
      .stmt(`SELECT dim, ids, codes, scales FROM vector_snapshots WHERE tenant = ? AND user_id = ? AND target_type = ? AND gen = ?`)
      .get(scope.tenant, scope.userId, target, generation) as { dim: number; ids: Buffer; codes: Buffer; scales: Buffer } | undefined;
    if (!r || r.ids.length === 0) return;
    const scales = floats(r.scales);
    this.vectorCache.restore(vectorKey(scope, target), {
      generation,
      dim: r.dim,
      ids: r.ids.toString("utf8").split("\u0000"),
      codes: new Int8Array(r.codes.buffer, r.codes.byteOffset, r.codes.byteLength),
      scales: scales.buffer === r.scales.buffer ? scales.slice() : scales,
    });
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
    const { tenant, userId } = batch.scope;
    const sk = scopeToken(batch.scope);
    const apply = db.transaction(() => {
      if (batch.episodes?.length) {
        // Upsert by id; a row of another scope with the same id is never touched (CONFLICT).
        const ins = this.stmt(`INSERT INTO episodes (id, external_id, tenant, user_id, agent_id, session_id, speaker, role, text, attachment_text, occurred_at, recorded_at, content_hash, segment_id, seq, metadata,
            source, trust, sensitivity, quarantine)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT(id) DO UPDATE SET external_id = excluded.external_id, agent_id = excluded.agent_id, session_id = excluded.session_id, speaker = excluded.speaker,
            role = excluded.role, text = excluded.text, attachment_text = excluded.attachment_text, occurred_at = excluded.occurred_at, recorded_at = excluded.recorded_at,
            content_hash = excluded.content_hash, segment_id = excluded.segment_id, seq = excluded.seq, metadata = excluded.metadata,
            source = COALESCE(excluded.source, episodes.source), trust = COALESCE(excluded.trust, episodes.trust),
            sensitivity = COALESCE(excluded.sensitivity, episodes.sensitivity), quarantine = COALESCE(excluded.quarantine, episodes.quarantine)
          WHERE episodes.tenant = excluded.tenant AND episodes.user_id = excluded.user_id
          RETURNING rid`);
        const delFts = this.stmt(`DELETE FROM fts_episodes WHERE rowid = ?`);
        const fts = this.stmt(`INSERT INTO fts_episodes (rowid, text, sk, head) VALUES (?, ?, ?, ?)`);
        // All row upserts first, then the full-text rows (the same operations, in the same
        // order per table). A RETURNING upsert opens a statement savepoint, and FTS5 writes
        // its pending terms to disk at every savepoint: interleaved, each row became its own
        // tiny index segment to merge, which made a bulk commit about twice as slow. The
        // explicit flush writes each table's new terms once, before the next section's rows
        // (so pages freed by FTS5 merges are reused and the file does not grow).
        const rids: number[] = [];
        for (const e of batch.episodes) {
          if (e.tenant !== tenant || e.userId !== userId) throw new MnemoError("INVALID_SCOPE", "An episode in the batch belongs to another scope.");
          // Positional parameters (binding by name costs a property lookup per column and row).
          const row = ins.get(
            e.id, e.externalId, e.tenant, e.userId, e.agentId, e.sessionId, e.speaker, e.role, e.text, e.attachmentText,
            e.occurredAt, e.recordedAt, e.contentHash, e.segmentId, e.seq, json(e.metadata), ...guardColumns(e), e.quarantine ? json(e.quarantine) : null,
          ) as { rid: number } | undefined;
          if (!row) throw conflict("episode", e.id);
          rids.push(row.rid);
        }
        batch.episodes.forEach((e, i) => {
          delFts.run(rids[i]);
          fts.run(rids[i], ftsText(episodeText(e)), sk, e.speaker);
        });
        this.stmt(`INSERT INTO fts_episodes (fts_episodes) VALUES ('flush')`).run();
      }
      if (batch.episodeSegments?.length) {
        const upd = this.stmt(`UPDATE episodes SET segment_id = ? WHERE id = ? AND tenant = ? AND user_id = ?`);
        for (const a of batch.episodeSegments) upd.run(a.segmentId, a.episodeId, tenant, userId);
      }
      if (batch.segments?.length) {
        const up = this.stmt(`INSERT INTO segments (id, tenant, user_id, session_id, episode_ids, started_at, ended_at, summary)
          VALUES (@id, @tenant, @userId, @sessionId, @episodeIds, @startedAt, @endedAt, @summary)
          ON CONFLICT(id) DO UPDATE SET session_id = excluded.session_id, episode_ids = excluded.episode_ids, started_at = excluded.started_at, ended_at = excluded.ended_at, summary = excluded.summary
          WHERE segments.tenant = excluded.tenant AND segments.user_id = excluded.user_id
          RETURNING rid`);
        const del = this.stmt(`DELETE FROM fts_segments WHERE rowid = ?`);
        const fts = this.stmt(`INSERT INTO fts_segments (rowid, text, sk, head) VALUES (?, ?, ?, '')`);
        const rids: number[] = [];
        for (const s of batch.segments) {
          if (s.tenant !== tenant || s.userId !== userId) throw new MnemoError("INVALID_SCOPE", "A segment in the batch belongs to another scope.");
          const row = up.get({ ...s, episodeIds: json(s.episodeIds) }) as { rid: number } | undefined;
          if (!row) throw conflict("segment", s.id);
          rids.push(row.rid);
        }
        batch.segments.forEach((s, i) => {
          del.run(rids[i]);
          fts.run(rids[i], ftsText(s.summary), sk);
        });
        this.stmt(`INSERT INTO fts_segments (fts_segments) VALUES ('flush')`).run();
      }
      if (batch.entities?.length) {
        const up = this.stmt(`INSERT INTO entities (id, tenant, user_id, name, type, aliases, mention_count) VALUES (@id, @tenant, @userId, @name, @type, @aliases, @mentionCount)
          ON CONFLICT(id) DO UPDATE SET name = excluded.name, type = excluded.type, aliases = excluded.aliases, mention_count = excluded.mention_count
          WHERE entities.tenant = excluded.tenant AND entities.user_id = excluded.user_id`);
        for (const en of batch.entities) {
          if (en.tenant !== tenant || en.userId !== userId) throw new MnemoError("INVALID_SCOPE", "An entity in the batch belongs to another scope.");
          if (up.run({ ...en, aliases: json(en.aliases) }).changes === 0) throw conflict("entity", en.id);
        }
      }
      if (batch.memories?.length) {
        const up = this.stmt(`INSERT INTO memories (id, tenant, user_id, agent_id, kind, text, subject, slot, valid_from, valid_to, observed_at, recorded_at, invalidated_at,
            confidence, importance, strength, last_accessed_at, access_count, sources, entity_ids, segment_ids, version, forgotten_at, expires_at, metadata,
            source, trust, sensitivity)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
            ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT(id) DO UPDATE SET agent_id = excluded.agent_id, kind = excluded.kind, text = excluded.text, subject = excluded.subject, slot = excluded.slot,
            observed_at = excluded.observed_at, recorded_at = excluded.recorded_at,
            valid_from = excluded.valid_from, valid_to = excluded.valid_to, invalidated_at = excluded.invalidated_at,
            confidence = excluded.confidence, importance = excluded.importance, strength = excluded.strength,
            last_accessed_at = excluded.last_accessed_at, access_count = excluded.access_count, sources = excluded.sources,
            entity_ids = excluded.entity_ids, segment_ids = excluded.segment_ids, version = excluded.version,
            forgotten_at = excluded.forgotten_at, expires_at = excluded.expires_at, metadata = excluded.metadata,
            source = COALESCE(excluded.source, memories.source), trust = COALESCE(excluded.trust, memories.trust), sensitivity = COALESCE(excluded.sensitivity, memories.sensitivity)
          WHERE memories.tenant = excluded.tenant AND memories.user_id = excluded.user_id
          RETURNING rid`);
        const delFts = this.stmt(`DELETE FROM fts_memories WHERE rowid = ?`);
        const fts = this.stmt(`INSERT INTO fts_memories (rowid, text, sk, head) VALUES (?, ?, ?, ?)`);
        const prev = this.stmt(`SELECT text, subject, entity_ids, sources, segment_ids, forgotten_at FROM memories WHERE id = ?`);
        type Old = { text: string; subject: string | null; entity_ids: string; sources: string; segment_ids: string; forgotten_at: string | null };
        const written: Array<{ rid: number; old: Old | undefined }> = [];
        for (const m of batch.memories) {
          if (m.tenant !== tenant || m.userId !== userId) throw new MnemoError("INVALID_SCOPE", "A memory in the batch belongs to another scope.");
          if (m.sources.length === 0) throw new MnemoError("INVALID_INPUT", `Memory ${m.id} has no source episode.`);
          const old = prev.get(m.id) as Old | undefined;
          const row = up.get(
            m.id, m.tenant, m.userId, m.agentId, m.kind, m.text, m.subject, m.slot, m.validFrom, m.validTo, m.observedAt, m.recordedAt, m.invalidatedAt,
            m.confidence, m.importance, m.strength, m.lastAccessedAt, m.accessCount, json(m.sources), json(m.entityIds), json(m.segmentIds), m.version, m.forgottenAt, m.expiresAt, json(m.metadata), ...guardColumns(m),
          ) as { rid: number } | undefined;
          if (!row) throw conflict("memory", m.id);
          written.push({ rid: row.rid, old });
          writeLinks((sql) => this.stmt(sql), row.rid, old, m);
        }
        batch.memories.forEach((m, i) => {
          const { rid, old } = written[i]!;
          // A reinforced memory keeps its text: its full-text row stays as it is.
          if (!old || old.text !== m.text || old.subject !== m.subject) {
            if (old) delFts.run(rid);
            fts.run(rid, ftsText(m.text), sk, m.subject ?? "");
          }
        });
        this.stmt(`INSERT INTO fts_memories (fts_memories) VALUES ('flush')`).run();
      }
      if (batch.history?.length) {
        const ins = this.stmt(`INSERT INTO memory_history (memory_id, tenant, user_id, version, op, text, valid_from, valid_to, sources, at, reason)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
        const owner = this.stmt(`SELECT tenant, user_id FROM memories WHERE id = ?`);
        // The memories upserted above are this scope's (the upsert refuses another scope's id).
        const upserted = new Set(batch.memories?.map((m) => m.id));
        for (const h of batch.history) {
          const o = upserted.has(h.memoryId) ? undefined : (owner.get(h.memoryId) as { tenant: string; user_id: string } | undefined);
          if (o && (o.tenant !== tenant || o.user_id !== userId)) throw conflict("memory", h.memoryId);
          ins.run(h.memoryId, tenant, userId, h.version, h.op, h.text, h.validFrom, h.validTo, json(h.sources), h.at, h.reason);
        }
      }
      if (batch.vectors?.length) {
        // Keyed by scope first (schema 4): another scope's row with the same id is another row.
        const up = this.stmt(`INSERT INTO vectors (tenant, user_id, target_type, target_id, dim, data) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT(tenant, user_id, target_type, target_id) DO UPDATE SET dim = excluded.dim, data = excluded.data`);
        for (const v of batch.vectors) up.run(tenant, userId, v.targetType, v.targetId, v.vector.length, Buffer.from(v.vector.buffer, v.vector.byteOffset, v.vector.byteLength));
      }
      // A new (or erased and re-created) scope starts above every generation handed out
      // before an erase, so caches keyed by (scope, generation) never serve erased data.
      genBefore = (this.stmt(`SELECT gen FROM generations WHERE tenant = ? AND user_id = ?`).get(tenant, userId) as { gen: number } | undefined)?.gen ?? 0;
      this.stmt(`INSERT INTO generations (tenant, user_id, gen) VALUES (?, ?, 1 + COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '${GENERATION_FLOOR_KEY}'), 0))
        ON CONFLICT(tenant, user_id) DO UPDATE SET gen = gen + 1`).run(tenant, userId);
      genAfter = (this.stmt(`SELECT gen FROM generations WHERE tenant = ? AND user_id = ?`).get(tenant, userId) as { gen: number }).gen;
    });
    let genBefore = 0;
    let genAfter = 0;
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
      ...(batch.memories ?? []).map((m) => "m:" + m.id),
      ...(batch.episodes ?? []).map((e) => "e:" + e.id),
      ...(batch.episodeSegments ?? []).map((a) => "e:" + a.episodeId),
    ]);
  }

  async generation(scope: ScopeKey): Promise<number> {
    const r = this.stmt(`SELECT gen FROM generations WHERE tenant = ? AND user_id = ?`).get(scope.tenant, scope.userId) as { gen: number } | undefined;
    return r?.gen ?? 0;
  }

  async findEpisodes(scope: ScopeKey, keys: { externalIds: string[]; hashes: string[] }) {
    const out: Array<Pick<Episode, "id" | "externalId" | "contentHash" | "sessionId">> = [];
    const byExt = this.stmt(`SELECT id, external_id, content_hash, session_id FROM episodes WHERE tenant = ? AND user_id = ? AND external_id = ?`);
    const byHash = this.stmt(`SELECT id, external_id, content_hash, session_id FROM episodes WHERE tenant = ? AND user_id = ? AND content_hash = ?`);
    const push = (r: Row | undefined) => {
      if (r) out.push({ id: r.id as string, externalId: (r.external_id as string | null) ?? null, contentHash: r.content_hash as string, sessionId: (r.session_id as string | null) ?? null });
    };
    for (const x of new Set(keys.externalIds)) push(byExt.get(scope.tenant, scope.userId, x) as Row | undefined);
    for (const h of new Set(keys.hashes)) for (const r of byHash.all(scope.tenant, scope.userId, h) as Row[]) push(r);
    return out;
  }

  /** {@link byIds} through the row cache. */
  private async cachedByIds<T extends Memory | Episode>(table: string, prefix: string, scope: ScopeKey, ids: string[], map: (r: Row) => T): Promise<T[]> {
    if (ids.length === 0) return [];
    const sk = rowScope(scope);
    this.rowCache.sync(sk, await this.generation(scope));
    const found = new Map<string, T>();
    const miss: string[] = [];
    for (const id of new Set(ids)) {
      const hit = this.rowCache.get<T>(sk, prefix + id);
      if (hit) found.set(id, hit);
      else miss.push(id);
    }
    for (const t of this.byIds(table, scope, miss, map, (x) => x.id)) {
      found.set(t.id, t);
      this.rowCache.put(sk, prefix + t.id, t);
    }
    return ids.map((id) => found.get(id)).filter((t): t is T => t !== undefined);
  }

  private byIds<T>(table: string, scope: ScopeKey, ids: string[], map: (r: Row) => T, idOf: (t: T) => string): T[] {
    if (ids.length === 0) return [];
    const found = new Map<string, T>();
    // One statement for any number of ids, through the id index ("+" keeps the planner
    // off the scope index, which would scan the whole user).
    const rows = this
      .stmt(`SELECT * FROM ${table} WHERE id IN (SELECT value FROM json_each(?)) AND +tenant = ? AND +user_id = ?`)
      .all(JSON.stringify([...new Set(ids)]), scope.tenant, scope.userId) as Row[];
    for (const r of rows) {
      const t = map(r);
      found.set(idOf(t), t);
    }
    return ids.map((id) => found.get(id)).filter((t): t is T => t !== undefined);
  }

  async getEpisodes(scope: ScopeKey, ids: string[]): Promise<Episode[]> {
    return this.cachedByIds("episodes", "e:", scope, ids, rowToEpisode);
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
    return this.cachedByIds("memories", "m:", scope, ids, rowToMemory);
  }

  async listMemories(filter: MemoryFilter): Promise<Page<Memory>> {
    const where = ["tenant = ?"];
    const args: unknown[] = [filter.tenant];
    if (filter.userId !== undefined) (where.push("user_id = ?"), args.push(filter.userId));
    if (filter.agentId !== undefined) (where.push("agent_id = ?"), args.push(filter.agentId));
    if (filter.kinds?.length) (where.push(`kind IN (${filter.kinds.map(() => "?").join(",")})`), args.push(...filter.kinds));
    if (!filter.includeInvalidated) where.push("invalidated_at IS NULL");
    if (!filter.includeForgotten) where.push("forgotten_at IS NULL");
    if (filter.cursor !== undefined) {
      const rid = Number.parseInt(filter.cursor, 36);
      if (!Number.isFinite(rid)) throw new MnemoError("INVALID_INPUT", "The cursor is not valid.");
      where.push("rid < ?");
      args.push(rid);
    }
    const limit = Math.max(1, Math.min(filter.limit ?? 50, 1000));
    const rows = this.stmt(`SELECT * FROM memories WHERE ${where.join(" AND ")} ORDER BY rid DESC LIMIT ?`).all(...args, limit + 1) as Row[];
    const items = rows.slice(0, limit).map(rowToMemory);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items, nextCursor: last ? (last.rid as number).toString(36) : null };
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
    const rows = this.stmt(`SELECT * FROM memory_history WHERE tenant = ? AND memory_id = ? ORDER BY version, rowid`).all(tenant, id) as Row[];
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
    // Each word becomes its single tokens (the index keeps no positions, so no phrases):
    // "it's" → "it", "s"; anything that is not a letter or digit is a separator.
    const clean = [...new Set(terms.flatMap((t) => t.split(/[^\p{L}\p{N}]+/u)).filter((t) => t.length > 0))].slice(0, 64);
    if (clean.length === 0) return [];
    const fts = FTS_TABLE[target];
    const window: string[] = [];
    const args: string[] = [];
    if (options.from !== undefined) (window.push(`${TIME_COLUMN[target]} >= ?`), args.push(options.from));
    if (options.to !== undefined) (window.push(`${TIME_COLUMN[target]} < ?`), args.push(options.to));
    const query = (ts: string[]) =>
      this.stmt(`SELECT m.id AS id, -bm25(${fts}, 1.0, 0.0, ${HEAD_WEIGHT}) AS score FROM ${fts} f JOIN ${MAIN_TABLE[target]} m ON m.rid = f.rowid
        WHERE ${fts} MATCH ? ${window.map((w) => `AND ${w}`).join(" ")} ORDER BY bm25(${fts}, 1.0, 0.0, ${HEAD_WEIGHT}) LIMIT ?`)
        .all(`sk:${scopeToken(scope)} AND (${ts.map((t) => `{text head}:"${t}"`).join(" OR ")})`, ...args, limit) as Array<{ id: string; score: number }>;
    let rows: Array<{ id: string; score: number }>;
    try {
      rows = query(clean);
    } catch (e) {
      // A word the index's tokenizer splits where JavaScript does not (some scripts'
      // marks) would be a phrase, which a position-less index cannot answer: keep the
      // words it reads as one token.
      if (!/phrase/i.test((e as Error).message)) throw e;
      const single = clean.filter((t) => {
        try {
          query([t]);
          return true;
        } catch {
          return false;
        }
      });
      rows = single.length > 0 ? query(single) : [];
    }
    return rows;
  }

  async searchVectors(scope: ScopeKey, target: TargetType, vector: Float32Array, k: number): Promise<VectorHit[]> {
    const exact = async (ids: string[]) => {
      const rows = this
        .stmt(`SELECT target_id, data FROM vectors WHERE tenant = ? AND user_id = ? AND target_type = ? AND target_id IN (SELECT value FROM json_each(?))`)
        .all(scope.tenant, scope.userId, target, JSON.stringify(ids)) as Array<{ target_id: string; data: Buffer }>;
      return new Map(rows.map((r) => [r.target_id, floats(r.data)]));
    };
    // One range of the clustered vectors table (schema 5), rows as arrays; no COUNT first
    // (on a WITHOUT ROWID table it reads the whole range too): the cache grows as it reads.
    const load = async () => ({
      count: 0,
      dim: vector.length,
      each: (sink: (id: string, v: Float32Array) => void) => {
        const rows = this.stmt(`SELECT target_id, data FROM vectors WHERE tenant = ? AND user_id = ? AND target_type = ?`).raw(true).iterate(scope.tenant, scope.userId, target) as Iterable<[string, Buffer]>;
        for (const r of rows) sink(r[0], floats(r[1]));
      },
    });
    const gen = await this.generation(scope);
    const key = vectorKey(scope, target);
    if (!this.vectorCache.has(key, gen)) this.restoreVectorSnapshot(scope, target, gen);
    return this.vectorCache.search(key, gen, load, vector, k, exact);
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
    const rows = this
      .stmt(`SELECT target_id, dim, data FROM vectors WHERE tenant = ? AND user_id = ? AND target_type = ?`)
      .all(scope.tenant, scope.userId, target) as Array<{ target_id: string; dim: number; data: Buffer }>;
    const dim = rows[0]?.dim ?? 0;
    const data = new Float32Array(rows.length * dim);
    const ids: string[] = [];
    rows.forEach((r, i) => {
      if (r.dim !== dim) throw new MnemoError("EMBEDDER_MISMATCH", `Vectors of dimension ${r.dim} and ${dim} are mixed.`);
      data.set(new Float32Array(r.data.buffer, r.data.byteOffset, dim), i * dim);
      ids.push(r.target_id);
    });
    return { ids, dim, data };
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
      const args = [scope.tenant, scope.userId];
      for (const id of new Set(ids)) {
        this.stmt(`DELETE FROM fts_episodes WHERE rowid IN (SELECT rid FROM episodes WHERE tenant = ? AND user_id = ? AND id = ?)`).run(...args, id);
        this.stmt(`DELETE FROM vectors WHERE target_type = 'episode' AND tenant = ? AND user_id = ? AND target_id = ?`).run(...args, id);
        n += this.stmt(`DELETE FROM episodes WHERE tenant = ? AND user_id = ? AND id = ?`).run(...args, id).changes;
      }
      for (const id of new Set(memoryIds)) {
        this.stmt(`DELETE FROM memory_links WHERE memory_rid IN (SELECT rid FROM memories WHERE tenant = ? AND user_id = ? AND id = ?)`).run(...args, id);
        this.stmt(`DELETE FROM fts_memories WHERE rowid IN (SELECT rid FROM memories WHERE tenant = ? AND user_id = ? AND id = ?)`).run(...args, id);
        this.stmt(`DELETE FROM vectors WHERE target_type = 'memory' AND tenant = ? AND user_id = ? AND target_id = ?`).run(...args, id);
        this.stmt(`DELETE FROM memory_history WHERE tenant = ? AND user_id = ? AND memory_id = ?`).run(...args, id);
        this.stmt(`DELETE FROM memories WHERE tenant = ? AND user_id = ? AND id = ?`).run(...args, id);
      }
      this.stmt(`DELETE FROM vector_snapshots WHERE tenant = ? AND user_id = ?`).run(...args);
      this.stmt(`UPDATE generations SET gen = gen + 1 WHERE tenant = ? AND user_id = ?`).run(...args);
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
    const remove = db.transaction(() => {
      for (const userId of users) {
        const args = [scope.tenant, userId];
        this.stmt(`DELETE FROM memory_links WHERE memory_rid IN (SELECT rid FROM memories WHERE tenant = ? AND user_id = ?)`).run(...args);
        for (const [t, fts] of [["episodes", "fts_episodes"], ["memories", "fts_memories"], ["segments", "fts_segments"]] as const) {
          this.stmt(`DELETE FROM ${fts} WHERE rowid IN (SELECT rid FROM ${t} WHERE tenant = ? AND user_id = ?)`).run(...args);
        }
        counts.episodes += this.stmt(`DELETE FROM episodes WHERE tenant = ? AND user_id = ?`).run(...args).changes;
        counts.memories += this.stmt(`DELETE FROM memories WHERE tenant = ? AND user_id = ?`).run(...args).changes;
        counts.entities += this.stmt(`DELETE FROM entities WHERE tenant = ? AND user_id = ?`).run(...args).changes;
        this.stmt(`INSERT INTO meta (key, value) SELECT '${GENERATION_FLOOR_KEY}', gen FROM generations WHERE tenant = ? AND user_id = ?
          ON CONFLICT(key) DO UPDATE SET value = MAX(CAST(meta.value AS INTEGER), CAST(excluded.value AS INTEGER))`).run(...args);
        for (const t of ["segments", "memory_history", "vectors", "vector_snapshots", "generations"]) {
          this.stmt(`DELETE FROM ${t} WHERE tenant = ? AND user_id = ?`).run(...args);
        }
        // Responses saved for Idempotency-Key retries (the HTTP server keeps them in this file)
        // hold the user's content: they become tombstones, so a late retry neither replays
        // erased content nor re-runs the write that would recreate the user.
        if (hasIdempotency) {
          db.prepare(`UPDATE mnemo_idempotency SET user_id = NULL, fingerprint = '${ERASED_FINGERPRINT}', status = 409, content_type = '', body = '', created_at = ? WHERE tenant = ? AND user_id = ?`).run(Date.now(), ...args);
        }
      }
      // FTS5 keeps deleted terms in old index segments until they are merged: rebuild them.
      for (const fts of Object.values(FTS_TABLE)) this.stmt(`INSERT INTO ${fts} (${fts}) VALUES ('optimize')`).run();
    });
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
    const where: string[] = [];
    const args: unknown[] = [];
    if (scope.tenant !== undefined) (where.push("tenant = ?"), args.push(scope.tenant));
    if (scope.userId !== undefined) (where.push("user_id = ?"), args.push(scope.userId));
    const w = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const count = (table: string, extra = "") => {
      const clause = extra ? (w ? `${w} AND ${extra}` : `WHERE ${extra}`) : w;
      return (this.stmt(`SELECT COUNT(*) AS n FROM ${table} ${clause}`).get(...args) as { n: number }).n;
    };
    const users = (this.stmt(`SELECT COUNT(*) AS n FROM (SELECT DISTINCT tenant, user_id FROM episodes ${w})`).get(...args) as { n: number }).n;
    return {
      episodes: count("episodes"),
      memories: count("memories", "invalidated_at IS NULL AND forgotten_at IS NULL"),
      entities: count("entities"),
      segments: count("segments"),
      users,
      vectors: count("vectors"),
    };
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
