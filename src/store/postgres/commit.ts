import { episodeText } from "../../core/embed-text.js";
import { MnemoError } from "../../core/errors.js";
import type { ScopeKey, WriteBatch } from "../types.js";
import type { Memory } from "../../core/types.js";
import { guardColumns } from "../sqlite/rows.js";
import type { Queryable } from "./driver.js";
import { ftsDoc, TSV_SQL } from "./search.js";

/** Meta key of the lowest generation a (re-)created scope may start above (as in SQLite). */
export const PG_GENERATION_FLOOR_KEY = "store.generation_floor";

/** Advisory lock key serialising the first typing of the vector column (vector → vector(n)). */
const VECTOR_DIM_LOCK = 0x6d6e656d6f + 1;

/**
 * The advisory-lock key of a scope: every write of the scope, from any process, holds
 * `pg_advisory_xact_lock(hashtextextended(key, 0))` until its transaction ends.
 *
 * @example
 * ```ts
 * await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [scopeLockKey(scope)]);
 * ```
 */
export function scopeLockKey(scope: ScopeKey): string {
  return JSON.stringify(["mnemo", scope.tenant, scope.userId]);
}

function conflict(what: string, id: string): MnemoError {
  return new MnemoError("CONFLICT", `The ${what} id ${JSON.stringify(id)} belongs to another scope.`);
}

/** The last row per id (an upsert may not touch one row twice in a statement). */
function lastById<T>(rows: T[], id: (t: T) => string): T[] {
  const m = new Map<string, T>();
  for (const r of rows) m.set(id(r), r);
  return [...m.values()];
}

/** Throws CONFLICT for the first asked id the upsert did not write (it belongs to another scope). */
function checkWritten(what: string, asked: string[], written: Array<{ id: unknown }>): void {
  if (written.length === asked.length) return;
  const got = new Set(written.map((r) => String(r.id)));
  const missing = asked.find((id) => !got.has(id));
  throw conflict(what, missing ?? asked[0]!);
}

/** The declared dimension of `vectors.embedding` (-1 while untyped). */
async function embeddingDim(q: Queryable): Promise<number> {
  const r = await q.query(`SELECT atttypmod FROM pg_attribute WHERE attrelid = to_regclass('vectors') AND attname = 'embedding'`);
  return Number(r.rows[0]?.atttypmod ?? -1);
}

/**
 * Makes `vectors.embedding` a `vector(dim)` with a cosine HNSW index if it is still
 * untyped; EMBEDDER_MISMATCH if it holds vectors of another dimension.
 *
 * @example
 * ```ts
 * await ensureVectorDim(client, 384);
 * ```
 */
export async function ensureVectorDim(q: Queryable, dim: number): Promise<void> {
  let have = await embeddingDim(q);
  if (have === -1) {
    await q.query("SELECT pg_advisory_xact_lock($1)", [VECTOR_DIM_LOCK]);
    have = await embeddingDim(q);
    if (have === -1) {
      await q.query(`ALTER TABLE vectors ALTER COLUMN embedding TYPE vector(${dim})`);
      await q.query(`CREATE INDEX IF NOT EXISTS vectors_hnsw ON vectors USING hnsw (embedding vector_cosine_ops)`);
      return;
    }
  }
  if (have !== dim) {
    throw new MnemoError("EMBEDDER_MISMATCH", `The store holds vectors of dimension ${have}; this vector has ${dim}.`, { details: { stored: have, configured: dim } });
  }
}

/** pgvector's text form of a vector, or null when a value is not finite (pgvector refuses those). */
function vectorText(v: Float32Array): string | null {
  for (const x of v) if (!Number.isFinite(x)) return null;
  return `[${Array.from(v).join(",")}]`;
}

/**
 * Applies a batch inside the caller's transaction (which already holds the scope's
 * advisory lock). Rows are written with one `unnest` upsert per table; a row id of another
 * scope is never overwritten (CONFLICT); rows of another scope in the batch are INVALID_SCOPE.
 *
 * @example
 * ```ts
 * await applyBatch(client, { scope, episodes: [ep], memories: [mem] });
 * ```
 */
export async function applyBatch(q: Queryable, batch: WriteBatch, known: { vectorDim?: number | undefined } = {}): Promise<void> {
  const { tenant, userId } = batch.scope;
  const mine = (r: { tenant: string; userId: string }) => r.tenant === tenant && r.userId === userId;
  for (const [what, rows] of [["An episode", batch.episodes], ["A segment", batch.segments], ["An entity", batch.entities], ["A memory", batch.memories]] as const) {
    if (rows?.some((r) => !mine(r))) throw new MnemoError("INVALID_SCOPE", `${what} in the batch belongs to another scope.`);
  }
  for (const m of batch.memories ?? []) if (m.sources.length === 0) throw new MnemoError("INVALID_INPUT", `Memory ${m.id} has no source episode.`);

  if (batch.episodes?.length) {
    const eps = lastById(batch.episodes, (e) => e.id);
    const docs = eps.map((e) => ftsDoc(episodeText(e), e.speaker));
    const r = await q.query(
      withTextStats("episodes", "episode", `INSERT INTO episodes (id, external_id, tenant, user_id, agent_id, session_id, speaker, role, text, attachment_text, occurred_at, recorded_at, content_hash, segment_id, seq, metadata, tsv, tlen,
         source, trust, sensitivity, quarantine)
       SELECT u.id, u.ext, $1, $2, u.agent, u.sess, u.speaker, u.role, u.text, u.att, u.occ, u.rec, u.hash, u.seg, u.seq, u.meta, ${TSV_SQL("u.head", "u.fts")}, u.tlen,
         u.gsrc, u.gtrust, u.gsens, u.gquar
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bigint[], $15::text[], $16::text[], $17::text[], $18::int[], $19::text[],
         $20::text[], $21::text[], $22::text[], $23::text[])
         AS u(id, ext, agent, sess, speaker, role, text, att, occ, rec, hash, seq, meta, head, fts, tlen, seg, gsrc, gtrust, gsens, gquar)
       ON CONFLICT (id) DO UPDATE SET external_id = excluded.external_id, agent_id = excluded.agent_id, session_id = excluded.session_id, speaker = excluded.speaker,
         role = excluded.role, text = excluded.text, attachment_text = excluded.attachment_text, occurred_at = excluded.occurred_at, recorded_at = excluded.recorded_at,
         content_hash = excluded.content_hash, segment_id = excluded.segment_id, seq = excluded.seq, metadata = excluded.metadata, tsv = excluded.tsv, tlen = excluded.tlen,
         source = COALESCE(excluded.source, episodes.source), trust = COALESCE(excluded.trust, episodes.trust),
         sensitivity = COALESCE(excluded.sensitivity, episodes.sensitivity), quarantine = COALESCE(excluded.quarantine, episodes.quarantine)
       WHERE episodes.tenant = excluded.tenant AND episodes.user_id = excluded.user_id`),
      [
        tenant, userId,
        eps.map((e) => e.id), eps.map((e) => e.externalId), eps.map((e) => e.agentId), eps.map((e) => e.sessionId), eps.map((e) => e.speaker),
        eps.map((e) => e.role), eps.map((e) => e.text), eps.map((e) => e.attachmentText), eps.map((e) => e.occurredAt), eps.map((e) => e.recordedAt),
        eps.map((e) => e.contentHash), eps.map((e) => e.seq), eps.map((e) => JSON.stringify(e.metadata)),
        docs.map((d) => d.head), docs.map((d) => d.text), docs.map((d) => d.len), eps.map((e) => e.segmentId),
        ...guardArrays(eps), eps.map((e) => (e.quarantine ? JSON.stringify(e.quarantine) : null)),
      ],
    );
    checkWritten("episode", eps.map((e) => e.id), r.rows);
  }
  if (batch.episodeSegments?.length) {
    await q.query(`UPDATE episodes e SET segment_id = u.seg FROM unnest($1::text[], $2::text[]) AS u(id, seg) WHERE e.id = u.id AND e.tenant = $3 AND e.user_id = $4`, [
      batch.episodeSegments.map((a) => a.episodeId),
      batch.episodeSegments.map((a) => a.segmentId),
      tenant,
      userId,
    ]);
  }
  if (batch.segments?.length) {
    const segs = lastById(batch.segments, (s) => s.id);
    const docs = segs.map((s) => ftsDoc(s.summary, ""));
    const r = await q.query(
      withTextStats("segments", "segment", `INSERT INTO segments (id, tenant, user_id, session_id, episode_ids, started_at, ended_at, summary, tsv, tlen)
       SELECT u.id, $1, $2, u.sess, u.eps, u.st, u.en, u.summary, ${TSV_SQL("''", "u.fts")}, u.tlen
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[]) AS u(id, sess, eps, st, en, summary, fts, tlen)
       ON CONFLICT (id) DO UPDATE SET session_id = excluded.session_id, episode_ids = excluded.episode_ids, started_at = excluded.started_at, ended_at = excluded.ended_at,
         summary = excluded.summary, tsv = excluded.tsv, tlen = excluded.tlen
       WHERE segments.tenant = excluded.tenant AND segments.user_id = excluded.user_id`),
      [
        tenant, userId,
        segs.map((s) => s.id), segs.map((s) => s.sessionId), segs.map((s) => JSON.stringify(s.episodeIds)), segs.map((s) => s.startedAt), segs.map((s) => s.endedAt),
        segs.map((s) => s.summary), docs.map((d) => d.text), docs.map((d) => d.len),
      ],
    );
    checkWritten("segment", segs.map((s) => s.id), r.rows);
  }
  if (batch.entities?.length) {
    const ents = lastById(batch.entities, (e) => e.id);
    const r = await q.query(
      `INSERT INTO entities (id, tenant, user_id, name, type, aliases, mention_count)
       SELECT u.id, $1, $2, u.name, u.type, u.aliases, u.n FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::int[]) AS u(id, name, type, aliases, n)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, aliases = excluded.aliases, mention_count = excluded.mention_count
       WHERE entities.tenant = excluded.tenant AND entities.user_id = excluded.user_id
       RETURNING id`,
      [tenant, userId, ents.map((e) => e.id), ents.map((e) => e.name), ents.map((e) => e.type), ents.map((e) => JSON.stringify(e.aliases)), ents.map((e) => e.mentionCount)],
    );
    checkWritten("entity", ents.map((e) => e.id), r.rows);
  }
  if (batch.memories?.length) {
    const mems = lastById(batch.memories, (m) => m.id);
    const docs = mems.map((m) => ftsDoc(m.text, m.subject ?? ""));
    const r = await q.query(
      withTextStats("memories", "memory", `INSERT INTO memories (id, tenant, user_id, agent_id, kind, text, subject, slot, valid_from, valid_to, observed_at, recorded_at, invalidated_at,
         confidence, importance, strength, last_accessed_at, access_count, sources, entity_ids, segment_ids, version, forgotten_at, expires_at, metadata, tsv, tlen, source, trust, sensitivity)
       SELECT u.id, $1, $2, u.agent, u.kind, u.text, u.subject, u.slot, u.vf, u.vt, u.obs, u.rec, u.inv,
         u.conf, u.imp, u.str, u.acc, u.n, ARRAY(SELECT jsonb_array_elements_text(u.src::jsonb)), ARRAY(SELECT jsonb_array_elements_text(u.ents::jsonb)),
         ARRAY(SELECT jsonb_array_elements_text(u.segs::jsonb)), u.ver, u.fgt, u.exp, u.meta, ${TSV_SQL("u.head", "u.fts")}, u.tlen, u.gsrc, u.gtrust, u.gsens
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
         $14::float8[], $15::float8[], $16::float8[], $17::text[], $18::int[], $19::text[], $20::text[], $21::text[], $22::int[], $23::text[], $24::text[], $25::text[],
         $26::text[], $27::text[], $28::int[], $29::text[], $30::text[], $31::text[])
         AS u(id, agent, kind, text, subject, slot, vf, vt, obs, rec, inv, conf, imp, str, acc, n, src, ents, segs, ver, fgt, exp, meta, head, fts, tlen, gsrc, gtrust, gsens)
       ON CONFLICT (id) DO UPDATE SET agent_id = excluded.agent_id, kind = excluded.kind, text = excluded.text, subject = excluded.subject, slot = excluded.slot,
         observed_at = excluded.observed_at, recorded_at = excluded.recorded_at, valid_from = excluded.valid_from, valid_to = excluded.valid_to,
         invalidated_at = excluded.invalidated_at, confidence = excluded.confidence, importance = excluded.importance, strength = excluded.strength,
         last_accessed_at = excluded.last_accessed_at, access_count = excluded.access_count, sources = excluded.sources, entity_ids = excluded.entity_ids,
         segment_ids = excluded.segment_ids, version = excluded.version, forgotten_at = excluded.forgotten_at, expires_at = excluded.expires_at,
         metadata = excluded.metadata, tsv = excluded.tsv, tlen = excluded.tlen,
         source = COALESCE(excluded.source, memories.source), trust = COALESCE(excluded.trust, memories.trust),
         sensitivity = COALESCE(excluded.sensitivity, memories.sensitivity)
       WHERE memories.tenant = excluded.tenant AND memories.user_id = excluded.user_id`),
      [
        tenant, userId,
        mems.map((m) => m.id), mems.map((m) => m.agentId), mems.map((m) => m.kind), mems.map((m) => m.text), mems.map((m) => m.subject), mems.map((m) => m.slot),
        mems.map((m) => m.validFrom), mems.map((m) => m.validTo), mems.map((m) => m.observedAt), mems.map((m) => m.recordedAt), mems.map((m) => m.invalidatedAt),
        mems.map((m) => m.confidence), mems.map((m) => m.importance), mems.map((m) => m.strength), mems.map((m) => m.lastAccessedAt), mems.map((m) => m.accessCount),
        mems.map((m) => JSON.stringify(m.sources)), mems.map((m) => JSON.stringify(m.entityIds)), mems.map((m) => JSON.stringify(m.segmentIds)),
        mems.map((m) => m.version), mems.map((m) => m.forgottenAt), mems.map((m) => m.expiresAt), mems.map((m) => JSON.stringify(m.metadata)),
        docs.map((d) => d.head), docs.map((d) => d.text), docs.map((d) => d.len), ...guardArrays(mems),
      ],
    );
    checkWritten("memory", mems.map((m) => m.id), r.rows);
  }
  if (batch.history?.length) {
    const upserted = new Set(batch.memories?.map((m) => m.id));
    const others = [...new Set(batch.history.map((h) => h.memoryId).filter((id) => !upserted.has(id)))];
    if (others.length) {
      const owners = await q.query(`SELECT id, tenant, user_id FROM memories WHERE id = ANY($1::text[])`, [others]);
      const foreign = owners.rows.find((o) => o.tenant !== tenant || o.user_id !== userId);
      if (foreign) throw conflict("memory", String(foreign.id));
    }
    const hs = batch.history;
    await q.query(
      `INSERT INTO memory_history (memory_id, tenant, user_id, version, op, text, valid_from, valid_to, sources, at, reason)
       SELECT u.mid, $1, $2, u.ver, u.op, u.text, u.vf, u.vt, u.src, u.at, u.reason
       FROM unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) WITH ORDINALITY AS u(mid, ver, op, text, vf, vt, src, at, reason, ord)
       ORDER BY u.ord`,
      [
        tenant, userId,
        hs.map((h) => h.memoryId), hs.map((h) => h.version), hs.map((h) => h.op), hs.map((h) => h.text), hs.map((h) => h.validFrom), hs.map((h) => h.validTo),
        hs.map((h) => JSON.stringify(h.sources)), hs.map((h) => h.at), hs.map((h) => h.reason),
      ],
    );
  }
  if (batch.vectors?.length) {
    const vs = lastById(batch.vectors, (v) => `${v.targetType}\u0000${v.targetId}`);
    const dims = new Set(vs.map((v) => v.vector.length));
    if (dims.size > 1) throw new MnemoError("EMBEDDER_MISMATCH", `Vectors of dimensions ${[...dims].join(" and ")} in one batch.`);
    // The column's dimension, once seen, is remembered by the store (a clearVectors through
    // another process that retypes it makes this insert fail on the dimension, and forgets it).
    if (known.vectorDim !== vs[0]!.vector.length) {
      known.vectorDim = undefined;
      await ensureVectorDim(q, vs[0]!.vector.length);
    }
    const r = await q.query(
      `INSERT INTO vectors (target_type, target_id, tenant, user_id, dim, data, embedding)
       SELECT u.tt, u.tid, $1, $2, u.dim, u.data, u.emb::vector FROM unnest($3::text[], $4::text[], $5::int[], $6::bytea[], $7::text[]) AS u(tt, tid, dim, data, emb)
       ON CONFLICT (target_type, target_id) DO UPDATE SET dim = excluded.dim, data = excluded.data, embedding = excluded.embedding
       WHERE vectors.tenant = excluded.tenant AND vectors.user_id = excluded.user_id
       RETURNING target_type || '/' || target_id AS id`,
      [
        tenant, userId,
        vs.map((v) => v.targetType), vs.map((v) => v.targetId), vs.map((v) => v.vector.length),
        vs.map((v) => Buffer.from(v.vector.buffer, v.vector.byteOffset, v.vector.byteLength)), vs.map((v) => vectorText(v.vector)),
      ],
    );
    checkWritten("vector", vs.map((v) => `${v.targetType}/${v.targetId}`), r.rows);
    known.vectorDim = vs[0]!.vector.length;
  }
  // A new (or erased and re-created) scope starts above every generation handed out before an erase.
  await q.query(
    `INSERT INTO generations (tenant, user_id, gen) VALUES ($1, $2, 1 + COALESCE((SELECT value::bigint FROM meta WHERE key = '${PG_GENERATION_FLOOR_KEY}'), 0))
     ON CONFLICT (tenant, user_id) DO UPDATE SET gen = generations.gen + 1`,
    [tenant, userId],
  );
}

/**
 * An upsert of a text table (its `INSERT … ON CONFLICT …` without RETURNING, row ids in
 * `$3`, scope in `$1`, `$2`) as one statement that also moves the scope's `text_stats`
 * row by the rows added and the token lengths changed (the BM25 count and average length).
 * Returns the ids written.
 */
function withTextStats(table: string, target: string, upsert: string): string {
  return `WITH old AS MATERIALIZED (SELECT id, tlen FROM ${table} WHERE tenant = $1 AND user_id = $2 AND id = ANY($3::text[])),
    up AS (${upsert}
      RETURNING id, tlen),
    st AS (INSERT INTO text_stats (tenant, user_id, target, n, total)
      SELECT $1, $2, '${target}', (SELECT count(*) FROM up) - (SELECT count(*) FROM old), COALESCE((SELECT sum(tlen) FROM up), 0) - COALESCE((SELECT sum(tlen) FROM old), 0)
      ON CONFLICT (tenant, user_id, target) DO UPDATE SET n = text_stats.n + excluded.n, total = text_stats.total + excluded.total)
    SELECT id FROM up`;
}

/**
 * Deletes rows of a text table of the scope (`$1`, `$2`; `where` adds to it) and moves the
 * scope's `text_stats` row down by them, in one statement; returns how many were deleted.
 *
 * @example
 * ```ts
 * const n = await deleteWithTextStats(client, "episodes", "episode", "id = ANY($3::text[])", [tenant, userId, ids]);
 * ```
 */
export async function deleteWithTextStats(q: Queryable, table: string, target: string, where: string, args: unknown[]): Promise<number> {
  const r = await q.query(
    `WITH d AS (DELETE FROM ${table} WHERE tenant = $1 AND user_id = $2 AND ${where} RETURNING tlen),
       st AS (UPDATE text_stats SET n = n - (SELECT count(*) FROM d), total = total - COALESCE((SELECT sum(tlen) FROM d), 0)
              WHERE tenant = $1 AND user_id = $2 AND target = '${target}')
     SELECT count(*)::int AS n FROM d`,
    args,
  );
  return Number(r.rows[0]?.n ?? 0);
}

/** The provenance columns (source, trust, sensitivity) of rows as three parameter arrays, as SQLite's `guardColumns`. */
function guardArrays(rows: ReadonlyArray<Pick<Memory, "source" | "trust" | "sensitivity">>): [Array<string | null>, Array<string | null>, Array<string | null>] {
  const cols = rows.map(guardColumns);
  return [cols.map((c) => c[0]), cols.map((c) => c[1]), cols.map((c) => c[2])];
}
