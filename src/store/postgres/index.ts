import type { Pool, PoolClient } from "pg";
import { MnemoError } from "../../core/errors.js";
import type { Entity, Episode, Memory, MemoryVersion, Segment, Stats } from "../../core/types.js";
import { rowToEntity, rowToEpisode, rowToMemory, rowToSegment, rowToVersion, type Row } from "../sqlite/rows.js";
import type { EpisodeNeighbours, LinkedMemories, MemoryFilter, MemoryLink, MemoryText, Page, ScopeKey, Store, TargetType, TextHit, TextSearchOptions, VectorHit, VectorMatrix, WriteBatch } from "../types.js";
import { cursorRid } from "../cursor.js";
import { episodeNeighboursPg, linkedMemoriesPg, searchVectorsPg } from "./graph.js";
import { applyBatch, deleteWithTextStats, PG_GENERATION_FLOOR_KEY, scopeLockKey } from "./commit.js";
import { inTransaction, openPool, redactUrl, type Queryable } from "./driver.js";
import { migratePostgres } from "./schema.js";
import { searchTextPg } from "./search.js";
import { PgIdempotencyRecords, PgKeyStore } from "./server-tables.js";

const EPISODE_COLS = "rid, id, external_id, tenant, user_id, agent_id, session_id, speaker, role, text, attachment_text, occurred_at, recorded_at, content_hash, segment_id, seq, metadata, source, trust, sensitivity, quarantine";
const SEGMENT_COLS = "rid, id, tenant, user_id, session_id, episode_ids, started_at, ended_at, summary";
const MEMORY_COLS =
  "rid, id, tenant, user_id, agent_id, kind, text, subject, slot, valid_from, valid_to, observed_at, recorded_at, invalidated_at, confidence, importance, strength, last_accessed_at, access_count, sources, entity_ids, segment_ids, version, forgotten_at, expires_at, metadata, source, trust, sensitivity";
const COLS: Record<string, string> = { episodes: EPISODE_COLS, segments: SEGMENT_COLS, memories: MEMORY_COLS };
/** The fingerprint of an erased user's idempotency tombstone (the SQLite store's `ERASED_FINGERPRINT`). */
const ERASED_FINGERPRINT = "erased";
const LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";

/** A driver error as a typed Mnemo error (unique violations are CONFLICT). */
function storeError(e: unknown): MnemoError {
  if (e instanceof MnemoError) return e;
  const err = e as Error & { code?: string };
  if (err.code === "23505") return new MnemoError("CONFLICT", err.message, { cause: e });
  if (err.code === "22000" && /dimensions/.test(err.message)) return new MnemoError("EMBEDDER_MISMATCH", err.message, { cause: e });
  return new MnemoError("STORE_ERROR", `PostgreSQL: ${err.message}`, { cause: e });
}

/**
 * The PostgreSQL store: the same contract as {@link SqliteStore} on a shared database, so
 * several `mnemo serve` processes can serve one store. Tables are keyed and indexed by
 * (tenant, user); full text is a weighted `tsvector` with a GIN index, ranked with BM25
 * computed in SQL (see search.ts); vectors are pgvector `vector(n)` with a cosine HNSW
 * index. Every commit is one transaction holding the scope's advisory lock, and
 * {@link PostgresStore.writeScope} holds that lock across a whole read–decide–write.
 * The `pg` driver is loaded only when this store is opened.
 *
 * @example
 * ```ts
 * const store = await PostgresStore.open("postgres://mnemo@127.0.0.1:5432/mnemo");
 * console.log(await store.stats());
 * await store.close();
 * ```
 */
export class PostgresStore implements Store {
  readonly dialect = "postgres";
  private readonly pool: Pool;
  /** What queries run on: the pool, or (in a write scope's view) the scope's client. */
  private q: Queryable;
  /** The client holding the write scope's transaction (views only). */
  private tx: PoolClient | null = null;
  private closed = false;
  private savepoints = 0;
  /** The lock key the write scope's transaction took at BEGIN (views only). */
  private held: Set<string> | null = null;
  /** The vector column's dimension once a write has seen it (shared by views; forgotten on clearVectors or a failed write). */
  private readonly known: { vectorDim?: number | undefined } = {};

  private constructor(pool: Pool) {
    this.pool = pool;
    this.q = pool;
  }

  /**
   * Connects, creates or migrates the schema (SCHEMA_MISMATCH for a newer one) and returns
   * the store. `?schema=name` keeps the tables in their own schema; `?pool=n` sizes the pool.
   */
  static async open(url: string): Promise<PostgresStore> {
    const { pool, schema } = await openPool(url);
    try {
      const client = await pool.connect();
      try {
        // IF NOT EXISTS is not safe against a concurrent creator: the loser of that race gets a
        // unique violation (23505) or duplicate_schema (42P06), and the schema exists either way.
        if (schema) {
          await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch((e: { code?: string }) => {
            if (e.code !== "23505" && e.code !== "42P06") throw e;
          });
        }
        await migratePostgres(client);
      } finally {
        client.release();
      }
    } catch (e) {
      await pool.end().catch(() => undefined);
      if (e instanceof MnemoError) throw e;
      throw new MnemoError("STORE_ERROR", `Cannot open ${redactUrl(url)}: ${(e as Error).message}`, { cause: e });
    }
    return new PostgresStore(pool);
  }

  /**
   * The server's tables in this database, on this store's pool: API keys and
   * Idempotency-Key replies, shared by every `mnemo serve` process on the database.
   *
   * @example
   * ```ts
   * const { keys, idempotency } = store.serverTables();
   * const { key } = await keys.create({ tenant: "acme" });
   * ```
   */
  serverTables(): { keys: PgKeyStore; idempotency: PgIdempotencyRecords } {
    if (this.closed) throw new MnemoError("CLOSED");
    return { keys: new PgKeyStore(this.pool), idempotency: new PgIdempotencyRecords(this.pool) };
  }

  /**
   * Runs one statement (CLOSED after close; driver errors become STORE_ERROR). A `name`
   * makes it a prepared statement on each connection (parsed and planned once): only for
   * hot lookups with explicit columns, whose plans do not depend on the values.
   */
  private async run(sql: string, params: unknown[] = [], name?: string): Promise<Row[]> {
    if (this.closed) throw new MnemoError("CLOSED");
    try {
      if (name !== undefined) return (await (this.q as unknown as { query(c: { name: string; text: string; values: unknown[] }): Promise<{ rows: Row[] }> }).query({ name, text: sql, values: params })).rows;
      return (await this.q.query(sql, params)).rows as Row[];
    } catch (e) {
      throw storeError(e);
    }
  }

  /** Runs `fn` in a transaction holding the scope's lock: a savepoint inside a write scope, else a new transaction. */
  private async locked<T>(scope: ScopeKey, fn: (q: Queryable) => Promise<T>): Promise<T> {
    if (this.closed) throw new MnemoError("CLOSED");
    try {
      if (this.tx) {
        const sp = `sp${++this.savepoints}`;
        await this.tx.query(`SAVEPOINT ${sp}`);
        try {
          const key = scopeLockKey(scope);
          // The write scope's own lock is held since BEGIN; another scope's is taken here (and
          // released with the savepoint if it rolls back, so it is not remembered).
          if (!this.held?.has(key)) await this.tx.query(LOCK_SQL, [key]);
          const out = await fn(this.tx);
          await this.tx.query(`RELEASE SAVEPOINT ${sp}`);
          return out;
        } catch (e) {
          await this.tx.query(`ROLLBACK TO SAVEPOINT ${sp}`).catch(() => undefined);
          throw e;
        }
      }
      return await inTransaction(this.pool, async (c) => {
        await c.query(LOCK_SQL, [scopeLockKey(scope)]);
        return fn(c);
      });
    } catch (e) {
      throw storeError(e);
    }
  }

  async close(): Promise<void> {
    if (this.closed || this.tx) return;
    this.closed = true;
    await this.pool.end();
  }

  async commit(batch: WriteBatch): Promise<void> {
    try {
      await this.locked(batch.scope, (q) => applyBatch(q, batch, this.known));
    } catch (e) {
      this.known.vectorDim = undefined;
      throw e;
    }
  }

  /**
   * Runs `fn` as the only writer of the scope, across every process on the database: one
   * transaction holds the scope's advisory lock, `fn`'s store reads and writes on it, and
   * it commits when `fn` resolves (rolls back when it throws).
   */
  async writeScope<T>(scope: ScopeKey, fn: (store: Store) => Promise<T>): Promise<T> {
    if (this.closed) throw new MnemoError("CLOSED");
    if (this.tx) {
      const key = scopeLockKey(scope);
      if (!this.held?.has(key)) await this.run(LOCK_SQL, [key]);
      return fn(this);
    }
    let client: PoolClient;
    try {
      client = await this.pool.connect();
      await client.query("BEGIN");
    } catch (e) {
      throw storeError(e);
    }
    let broken = false;
    try {
      await client.query(LOCK_SQL, [scopeLockKey(scope)]);
      const view = Object.create(this) as PostgresStore;
      view.tx = client;
      view.q = client;
      view.savepoints = 0;
      view.held = new Set([scopeLockKey(scope)]);
      const out = await fn(view);
      await client.query("COMMIT");
      return out;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      throw storeError(e);
    } finally {
      client.release(broken);
    }
  }

  async generation(scope: ScopeKey): Promise<number> {
    const r = await this.run(`SELECT gen FROM generations WHERE tenant = $1 AND user_id = $2`, [scope.tenant, scope.userId], "mnemo_generation");
    return r.length ? Number(r[0]!.gen) : 0;
  }

  async findEpisodes(scope: ScopeKey, keys: { externalIds: string[]; hashes: string[] }) {
    const ext = [...new Set(keys.externalIds)];
    const hashes = [...new Set(keys.hashes)];
    if (ext.length === 0 && hashes.length === 0) return [];
    const rows = await this.run(
      `SELECT id, external_id, content_hash, session_id, external_id = ANY($3::text[]) AS by_ext, content_hash = ANY($4::text[]) AS by_hash FROM episodes
       WHERE tenant = $1 AND user_id = $2 AND (external_id = ANY($3::text[]) OR content_hash = ANY($4::text[])) ORDER BY rid`,
      [scope.tenant, scope.userId, ext, hashes],
      "mnemo_find_episodes",
    );
    const pick = (r: Row) => ({ id: String(r.id), externalId: (r.external_id as string | null) ?? null, contentHash: String(r.content_hash), sessionId: (r.session_id as string | null) ?? null });
    // As SQLite answers: the external-id matches, then every hash match (a row may be in both).
    return [...rows.filter((r) => r.by_ext === true).map(pick), ...rows.filter((r) => r.by_hash === true).map(pick)];
  }

  private async byIds<T>(table: string, scope: ScopeKey, ids: string[], map: (r: Row) => T, idOf: (t: T) => string): Promise<T[]> {
    if (ids.length === 0) return [];
    const rows = await this.run(`SELECT ${COLS[table]} FROM ${table} WHERE tenant = $1 AND user_id = $2 AND id = ANY($3::text[])`, [scope.tenant, scope.userId, [...new Set(ids)]], `mnemo_ids_${table}`);
    const found = new Map<string, T>();
    for (const r of rows) {
      const t = map(r);
      found.set(idOf(t), t);
    }
    return ids.map((id) => found.get(id)).filter((t): t is T => t !== undefined);
  }

  async getEpisodes(scope: ScopeKey, ids: string[]): Promise<Episode[]> {
    return this.byIds("episodes", scope, ids, rowToEpisode, (e) => e.id);
  }

  async listEpisodes(scope: ScopeKey, options: { sessionId?: string; after?: string; limit?: number } = {}): Promise<Episode[]> {
    const where = ["tenant = $1", "user_id = $2"];
    const args: unknown[] = [scope.tenant, scope.userId];
    if (options.sessionId !== undefined) (args.push(options.sessionId), where.push(`session_id = $${args.length}`));
    if (options.after !== undefined) (args.push(options.after), where.push(`occurred_at > $${args.length}`));
    args.push(options.limit !== undefined && options.limit >= 0 ? options.limit : null);
    const rows = await this.run(`SELECT ${EPISODE_COLS} FROM episodes WHERE ${where.join(" AND ")} ORDER BY occurred_at, seq LIMIT $${args.length}`, args);
    return rows.map(rowToEpisode);
  }

  async maxSeq(scope: ScopeKey): Promise<number> {
    const r = await this.run(`SELECT MAX(seq) AS m FROM episodes WHERE tenant = $1 AND user_id = $2`, [scope.tenant, scope.userId], "mnemo_max_seq");
    return r[0]?.m == null ? 0 : Number(r[0].m);
  }

  async getSegments(scope: ScopeKey, ids: string[]): Promise<Segment[]> {
    return this.byIds("segments", scope, ids, rowToSegment, (s) => s.id);
  }

  async lastSegment(scope: ScopeKey, sessionId: string | null): Promise<Segment | null> {
    const r = await this.run(
      `SELECT ${SEGMENT_COLS} FROM segments WHERE tenant = $1 AND user_id = $2 AND session_id IS NOT DISTINCT FROM $3 ORDER BY ended_at DESC, rid DESC LIMIT 1`,
      [scope.tenant, scope.userId, sessionId],
    );
    return r[0] ? rowToSegment(r[0]) : null;
  }

  async getMemory(tenant: string, id: string): Promise<Memory | null> {
    const r = await this.run(`SELECT ${MEMORY_COLS} FROM memories WHERE tenant = $1 AND id = $2`, [tenant, id]);
    return r[0] ? rowToMemory(r[0]) : null;
  }

  async getMemories(scope: ScopeKey, ids: string[]): Promise<Memory[]> {
    return this.byIds("memories", scope, ids, rowToMemory, (m) => m.id);
  }

  async listMemories(filter: MemoryFilter): Promise<Page<Memory>> {
    const args: unknown[] = [filter.tenant];
    const where = ["tenant = $1"];
    if (filter.userId !== undefined) (args.push(filter.userId), where.push(`user_id = $${args.length}`));
    if (filter.agentId !== undefined) (args.push(filter.agentId), where.push(`agent_id = $${args.length}`));
    if (filter.kinds?.length) (args.push(filter.kinds), where.push(`kind = ANY($${args.length}::text[])`));
    if (!filter.includeInvalidated) where.push("invalidated_at IS NULL");
    if (!filter.includeForgotten) where.push("forgotten_at IS NULL");
    if (filter.cursor !== undefined) {
      args.push(cursorRid(filter.cursor));
      where.push(`rid < $${args.length}`);
    }
    const limit = Math.max(1, Math.min(filter.limit ?? 50, 1000));
    args.push(limit + 1);
    const rows = await this.run(`SELECT ${MEMORY_COLS} FROM memories WHERE ${where.join(" AND ")} ORDER BY rid DESC LIMIT $${args.length}`, args);
    const items = rows.slice(0, limit).map(rowToMemory);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items, nextCursor: last ? Number(last.rid).toString(36) : null };
  }

  async listMemoryTexts(scope: ScopeKey, options: { cursor?: string | undefined; limit?: number | undefined } = {}): Promise<Page<MemoryText>> {
    const rid = cursorRid(options.cursor);
    const limit = Math.max(1, Math.min(options.limit ?? 1000, 1000));
    const rows = await this.run(
      `SELECT rid, id, slot, text FROM memories WHERE tenant = $1 AND user_id = $2 AND rid < $3 AND invalidated_at IS NULL AND forgotten_at IS NULL ORDER BY rid DESC LIMIT $4`,
      [scope.tenant, scope.userId, rid, limit + 1],
    );
    const items = rows.slice(0, limit).map((r) => ({ id: r.id as string, slot: (r.slot as string | null) ?? null, text: r.text as string }));
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items, nextCursor: last ? Number(last.rid).toString(36) : null };
  }

  async memoriesBySlot(scope: ScopeKey, slots: string[]): Promise<Memory[]> {
    if (slots.length === 0) return [];
    const rows = await this.run(
      `SELECT ${MEMORY_COLS} FROM memories WHERE tenant = $1 AND user_id = $2 AND invalidated_at IS NULL AND forgotten_at IS NULL AND slot = ANY($3::text[]) ORDER BY rid`,
      [scope.tenant, scope.userId, [...new Set(slots)]],
    );
    return rows.map(rowToMemory);
  }

  async memoryHistory(tenant: string, id: string): Promise<MemoryVersion[]> {
    const rows = await this.run(`SELECT * FROM memory_history WHERE tenant = $1 AND memory_id = $2 ORDER BY version, rid`, [tenant, id]);
    return rows.map(rowToVersion);
  }

  async touchMemories(scope: ScopeKey, ids: string[], at: string, strengthGain: number): Promise<void> {
    if (ids.length === 0) return;
    if (!this.tx) {
      // Outside a write scope: one round trip (the function takes the scope's lock, then updates).
      await this.run(`SELECT mnemo_touch($1, $2, $3, $4::text[], $5, $6::float8)`, [scopeLockKey(scope), scope.tenant, scope.userId, ids, at, strengthGain]);
      return;
    }
    await this.locked(scope, (q) =>
      q.query(
        `UPDATE memories m SET access_count = m.access_count + u.n, last_accessed_at = $1, strength = m.strength + $2::float8 * u.n
         FROM (SELECT id, count(*)::int AS n FROM unnest($5::text[]) AS id GROUP BY id) u WHERE m.tenant = $3 AND m.user_id = $4 AND m.id = u.id`,
        [at, strengthGain, scope.tenant, scope.userId, ids],
      ),
    );
  }

  async listEntities(scope: ScopeKey): Promise<Entity[]> {
    const rows = await this.run(`SELECT * FROM entities WHERE tenant = $1 AND user_id = $2 ORDER BY name`, [scope.tenant, scope.userId]);
    return rows.map(rowToEntity);
  }

  async searchText(scope: ScopeKey, target: TargetType, terms: string[], limit: number, options?: TextSearchOptions): Promise<TextHit[]> {
    return this.guard(() => searchTextPg(this.q, scope, target, terms, limit, options));
  }

  async searchVectors(scope: ScopeKey, target: TargetType, vector: Float32Array, k: number): Promise<VectorHit[]> {
    return this.guard(() => searchVectorsPg(this.q, scope, target, vector, k));
  }

  async linkedMemories(scope: ScopeKey, link: MemoryLink, keys: string[], limit: number): Promise<LinkedMemories[]> {
    return this.guard(() => linkedMemoriesPg(this.q, scope, link, keys, limit));
  }

  async episodeNeighbours(scope: ScopeKey, episodeIds: string[], radius: number): Promise<EpisodeNeighbours[]> {
    return this.guard(() => episodeNeighboursPg(this.q, scope, episodeIds, radius));
  }

  /** Runs a read helper: CLOSED after close, driver errors typed. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new MnemoError("CLOSED");
    try {
      return await fn();
    } catch (e) {
      throw storeError(e);
    }
  }

  async loadVectors(scope: ScopeKey, target: TargetType): Promise<VectorMatrix> {
    const rows = await this.run(`SELECT target_id, dim, data FROM vectors WHERE tenant = $1 AND user_id = $2 AND target_type = $3 ORDER BY rid`, [scope.tenant, scope.userId, target]);
    const dim = rows.length ? Number(rows[0]!.dim) : 0;
    const data = new Float32Array(rows.length * dim);
    const ids: string[] = [];
    rows.forEach((r, i) => {
      const buf = r.data as Buffer;
      if (Number(r.dim) !== dim) throw new MnemoError("EMBEDDER_MISMATCH", `Vectors of dimension ${String(r.dim)} and ${dim} are mixed.`);
      // Copy: a Buffer's byte offset need not be a multiple of 4.
      data.set(new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + dim * 4)), i * dim);
      ids.push(String(r.target_id));
    });
    return { ids, dim, data };
  }

  async clearVectors(): Promise<void> {
    if (this.closed) throw new MnemoError("CLOSED");
    const clear = async (q: Queryable) => {
      await q.query("DELETE FROM vectors");
      await q.query("DROP INDEX IF EXISTS vectors_hnsw");
      await q.query("ALTER TABLE vectors ALTER COLUMN embedding TYPE vector");
    };
    this.known.vectorDim = undefined;
    try {
      if (this.tx) await clear(this.tx);
      else await inTransaction(this.pool, clear);
    } catch (e) {
      throw storeError(e);
    }
  }

  async getMeta(key: string): Promise<string | null> {
    const r = await this.run(`SELECT value FROM meta WHERE key = $1`, [key], "mnemo_meta");
    return r.length ? String(r[0]!.value) : null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.run(`INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, value]);
  }

  async deleteEpisodes(scope: ScopeKey, ids: string[], memoryIds: string[] = []): Promise<number> {
    if (ids.length === 0 && memoryIds.length === 0) return 0;
    return this.locked(scope, async (q) => {
      const args = [scope.tenant, scope.userId];
      const eps = [...new Set(ids)];
      const mems = [...new Set(memoryIds)];
      await q.query(`DELETE FROM vectors WHERE target_type = 'episode' AND tenant = $1 AND user_id = $2 AND target_id = ANY($3::text[])`, [...args, eps]);
      const n = await deleteWithTextStats(q, "episodes", "episode", "id = ANY($3::text[])", [...args, eps]);
      await q.query(`DELETE FROM vectors WHERE target_type = 'memory' AND tenant = $1 AND user_id = $2 AND target_id = ANY($3::text[])`, [...args, mems]);
      await q.query(`DELETE FROM memory_history WHERE tenant = $1 AND user_id = $2 AND memory_id = ANY($3::text[])`, [...args, mems]);
      await deleteWithTextStats(q, "memories", "memory", "id = ANY($3::text[])", [...args, mems]);
      await q.query(`UPDATE generations SET gen = gen + 1 WHERE tenant = $1 AND user_id = $2`, args);
      return n;
    });
  }

  /**
   * Deletes every row of the user (or of each user of the tenant), each user in one
   * transaction under its lock. PostgreSQL keeps deleted tuples until VACUUM reclaims them
   * (autovacuum, or `VACUUM` by the operator); see docs/SCALING.md.
   */
  async erase(scope: { tenant: string; userId?: string | undefined }): Promise<{ episodes: number; memories: number; entities: number }> {
    const users = scope.userId !== undefined ? [scope.userId] : await this.listUsers(scope.tenant);
    const counts = { episodes: 0, memories: 0, entities: 0 };
    for (const userId of users) {
      await this.locked({ tenant: scope.tenant, userId }, async (q) => {
        const args = [scope.tenant, userId];
        counts.episodes += (await q.query(`DELETE FROM episodes WHERE tenant = $1 AND user_id = $2`, args)).rowCount ?? 0;
        counts.memories += (await q.query(`DELETE FROM memories WHERE tenant = $1 AND user_id = $2`, args)).rowCount ?? 0;
        counts.entities += (await q.query(`DELETE FROM entities WHERE tenant = $1 AND user_id = $2`, args)).rowCount ?? 0;
        await q.query(
          `INSERT INTO meta (key, value) SELECT '${PG_GENERATION_FLOOR_KEY}', gen::text FROM generations WHERE tenant = $1 AND user_id = $2
           ON CONFLICT (key) DO UPDATE SET value = GREATEST(meta.value::bigint, excluded.value::bigint)::text`,
          args,
        );
        for (const t of ["segments", "memory_history", "vectors", "generations", "text_stats"]) await q.query(`DELETE FROM ${t} WHERE tenant = $1 AND user_id = $2`, args);
        // Idempotency-Key replies of the user become tombstones (as the SQLite store does in its file).
        await q.query(
          `UPDATE idempotency SET user_id = NULL, fingerprint = '${ERASED_FINGERPRINT}', status = 409, content_type = '', body = '', created_at = $3 WHERE tenant = $1 AND user_id = $2`,
          [...args, Date.now()],
        );
      });
    }
    return counts;
  }

  async stats(scope: { tenant?: string | undefined; userId?: string | undefined } = {}): Promise<Stats> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (scope.tenant !== undefined) (args.push(scope.tenant), where.push(`tenant = $${args.length}`));
    if (scope.userId !== undefined) (args.push(scope.userId), where.push(`user_id = $${args.length}`));
    const w = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const active = w ? `${w} AND invalidated_at IS NULL AND forgotten_at IS NULL` : "WHERE invalidated_at IS NULL AND forgotten_at IS NULL";
    const r = await this.run(
      `SELECT (SELECT count(*) FROM episodes ${w}) AS episodes, (SELECT count(*) FROM memories ${active}) AS memories,
         (SELECT count(*) FROM entities ${w}) AS entities, (SELECT count(*) FROM segments ${w}) AS segments,
         (SELECT count(*) FROM (SELECT DISTINCT tenant, user_id FROM episodes ${w}) d) AS users, (SELECT count(*) FROM vectors ${w}) AS vectors`,
      args,
    );
    const row = r[0]!;
    return {
      episodes: Number(row.episodes),
      memories: Number(row.memories),
      entities: Number(row.entities),
      segments: Number(row.segments),
      users: Number(row.users),
      vectors: Number(row.vectors),
    };
  }

  async listTenants(): Promise<string[]> {
    const rows = await this.run(`SELECT tenant FROM episodes UNION SELECT tenant FROM memories UNION SELECT tenant FROM entities ORDER BY 1`);
    return rows.map((r) => String(r.tenant));
  }

  async listUsers(tenant: string): Promise<string[]> {
    const rows = await this.run(`SELECT user_id FROM episodes WHERE tenant = $1 UNION SELECT user_id FROM memories WHERE tenant = $1 UNION SELECT user_id FROM entities WHERE tenant = $1 ORDER BY 1`, [
      tenant,
    ]);
    return rows.map((r) => String(r.user_id));
  }
}
