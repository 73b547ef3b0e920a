import { episodeText } from "../../core/embed-text.js";
import { MnemoError } from "../../core/errors.js";
import type { WriteBatch } from "../types.js";
import { ftsText, scopeToken } from "./fts.js";
import { compactGuardColumns, hashColumn } from "./rows.js";
import { writeLinks, type Prepare } from "./search.js";
import { encodeVector, TARGET_CODE } from "./vectors.js";

/**
 * Meta key of the lowest generation a (re-)created scope may start above.
 *
 * @example
 * ```ts
 * db.prepare("SELECT value FROM meta WHERE key = ?").get(GENERATION_FLOOR_KEY);
 * ```
 */
export const GENERATION_FLOOR_KEY = "store.generation_floor";

/** JSON text of a column value. */
export function json(v: unknown): string {
  return JSON.stringify(v);
}

/** A batch row whose id belongs to another scope: never overwritten. */
function conflict(what: string, id: string): MnemoError {
  return new MnemoError("CONFLICT", `The ${what} id ${JSON.stringify(id)} belongs to another scope.`);
}

/**
 * Writes one {@link WriteBatch} (inside the caller's transaction) and moves the scope's
 * generation; returns the generation before and after, for the caches.
 *
 * @example
 * ```ts
 * const { before, after } = db.transaction(() => applyBatch(stmt, batch)).immediate();
 * ```
 */
export function applyBatch(stmt: Prepare, batch: WriteBatch): { before: number; after: number } {
  const { tenant, userId } = batch.scope;
  const sk = scopeToken(batch.scope);
  if (batch.episodes?.length) {
    // Upsert by id; a row of another scope with the same id is never touched (CONFLICT).
    const ins = stmt(`INSERT INTO episodes (id, external_id, tenant, user_id, agent_id, session_id, speaker, role, text, attachment_text, occurred_at, recorded_at, content_hash, segment_id, seq, metadata,
        source, trust, sensitivity, quarantine)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET external_id = excluded.external_id, agent_id = excluded.agent_id, session_id = excluded.session_id, speaker = excluded.speaker,
        role = excluded.role, text = excluded.text, attachment_text = excluded.attachment_text, occurred_at = excluded.occurred_at, recorded_at = excluded.recorded_at,
        content_hash = excluded.content_hash, segment_id = excluded.segment_id, seq = excluded.seq, metadata = excluded.metadata,
        source = COALESCE(excluded.source, episodes.source), trust = COALESCE(excluded.trust, episodes.trust),
        sensitivity = COALESCE(excluded.sensitivity, episodes.sensitivity), quarantine = COALESCE(excluded.quarantine, episodes.quarantine)
      WHERE episodes.tenant = excluded.tenant AND episodes.user_id = excluded.user_id
      RETURNING rid`);
    const delFts = stmt(`DELETE FROM fts_episodes WHERE rowid = ?`);
    const fts = stmt(`INSERT INTO fts_episodes (rowid, text, sk, head) VALUES (?, ?, ?, ?)`);
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
        e.occurredAt, e.recordedAt, hashColumn(e.contentHash), e.segmentId, e.seq, json(e.metadata), ...compactGuardColumns(e), e.quarantine ? json(e.quarantine) : null,
      ) as { rid: number } | undefined;
      if (!row) throw conflict("episode", e.id);
      rids.push(row.rid);
    }
    batch.episodes.forEach((e, i) => {
      delFts.run(rids[i]);
      fts.run(rids[i], ftsText(episodeText(e)), sk, e.speaker);
    });
    stmt(`INSERT INTO fts_episodes (fts_episodes) VALUES ('flush')`).run();
  }
  if (batch.episodeSegments?.length) {
    const upd = stmt(`UPDATE episodes SET segment_id = ? WHERE id = ? AND tenant = ? AND user_id = ?`);
    for (const a of batch.episodeSegments) upd.run(a.segmentId, a.episodeId, tenant, userId);
  }
  if (batch.segments?.length) {
    const up = stmt(`INSERT INTO segments (id, tenant, user_id, session_id, episode_ids, started_at, ended_at, summary)
      VALUES (@id, @tenant, @userId, @sessionId, @episodeIds, @startedAt, @endedAt, @summary)
      ON CONFLICT(id) DO UPDATE SET session_id = excluded.session_id, episode_ids = excluded.episode_ids, started_at = excluded.started_at, ended_at = excluded.ended_at, summary = excluded.summary
      WHERE segments.tenant = excluded.tenant AND segments.user_id = excluded.user_id
      RETURNING rid`);
    const del = stmt(`DELETE FROM fts_segments WHERE rowid = ?`);
    const fts = stmt(`INSERT INTO fts_segments (rowid, text, sk, head) VALUES (?, ?, ?, '')`);
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
    stmt(`INSERT INTO fts_segments (fts_segments) VALUES ('flush')`).run();
  }
  if (batch.entities?.length) {
    const up = stmt(`INSERT INTO entities (id, tenant, user_id, name, type, aliases, mention_count) VALUES (@id, @tenant, @userId, @name, @type, @aliases, @mentionCount)
      ON CONFLICT(id) DO UPDATE SET name = excluded.name, type = excluded.type, aliases = excluded.aliases, mention_count = excluded.mention_count
      WHERE entities.tenant = excluded.tenant AND entities.user_id = excluded.user_id`);
    for (const en of batch.entities) {
      if (en.tenant !== tenant || en.userId !== userId) throw new MnemoError("INVALID_SCOPE", "An entity in the batch belongs to another scope.");
      if (up.run({ ...en, aliases: json(en.aliases) }).changes === 0) throw conflict("entity", en.id);
    }
  }
  if (batch.memories?.length) {
    const up = stmt(`INSERT INTO memories (id, tenant, user_id, agent_id, kind, text, subject, slot, valid_from, valid_to, observed_at, recorded_at, invalidated_at,
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
    const delFts = stmt(`DELETE FROM fts_memories WHERE rowid = ?`);
    const fts = stmt(`INSERT INTO fts_memories (rowid, text, sk, head) VALUES (?, ?, ?, ?)`);
    const prev = stmt(`SELECT text, subject, entity_ids, sources, segment_ids, forgotten_at, valid_from, valid_to, recorded_at, version, history_add FROM memories WHERE id = ?`);
    type Old = {
      text: string; subject: string | null; entity_ids: string; sources: string; segment_ids: string; forgotten_at: string | null;
      valid_from: string | null; valid_to: string | null; recorded_at: string; version: number; history_add: number | null;
    };
    // History rows stored as "the memory's current row" (text NULL, schema 6) get their own
    // copy of the row before it changes; so does an implicit "add" row (history_add = 1),
    // written first of the memory's rows (a rowid below every other).
    const keep = stmt(`UPDATE memory_history SET text = ?, valid_from = ?, valid_to = ?, sources = ? WHERE memory_id = ? AND tenant = ? AND user_id = ? AND text IS NULL`);
    const keepAdd = stmt(`INSERT INTO memory_history (rowid, memory_id, tenant, user_id, version, op, text, valid_from, valid_to, sources, at, reason)
      VALUES ((SELECT COALESCE(MIN(rowid), 1) - 1 FROM memory_history), ?, ?, ?, ?, 'add', ?, ?, ?, ?, ?, NULL)`);
    const clearAdd = stmt(`UPDATE memories SET history_add = NULL WHERE rid = ?`);
    const written: Array<{ rid: number; old: Old | undefined }> = [];
    for (const m of batch.memories) {
      if (m.tenant !== tenant || m.userId !== userId) throw new MnemoError("INVALID_SCOPE", "A memory in the batch belongs to another scope.");
      if (m.sources.length === 0) throw new MnemoError("INVALID_INPUT", `Memory ${m.id} has no source episode.`);
      const old = prev.get(m.id) as Old | undefined;
      const row = up.get(
        m.id, m.tenant, m.userId, m.agentId, m.kind, m.text, m.subject, m.slot, m.validFrom, m.validTo, m.observedAt, m.recordedAt, m.invalidatedAt,
        m.confidence, m.importance, m.strength, m.lastAccessedAt === m.observedAt ? "" : m.lastAccessedAt, m.accessCount, json(m.sources), json(m.entityIds), json(m.segmentIds), m.version, m.forgottenAt, m.expiresAt, json(m.metadata), ...compactGuardColumns(m),
      ) as { rid: number } | undefined;
      if (!row) throw conflict("memory", m.id);
      if (old && (old.text !== m.text || old.valid_from !== m.validFrom || old.valid_to !== m.validTo || old.sources !== json(m.sources))) {
        keep.run(old.text, old.valid_from, old.valid_to, old.sources, m.id, tenant, userId);
      }
      if (old?.history_add && (old.text !== m.text || old.valid_from !== m.validFrom || old.valid_to !== m.validTo || old.sources !== json(m.sources) || old.recorded_at !== m.recordedAt || old.version !== m.version)) {
        keepAdd.run(m.id, tenant, userId, old.version, old.text, old.valid_from, old.valid_to, old.sources, old.recorded_at);
        clearAdd.run(row.rid);
      }
      written.push({ rid: row.rid, old });
      writeLinks((sql) => stmt(sql), row.rid, old, m);
    }
    batch.memories.forEach((m, i) => {
      const { rid, old } = written[i]!;
      // A reinforced memory keeps its text: its full-text row stays as it is.
      if (!old || old.text !== m.text || old.subject !== m.subject) {
        if (old) delFts.run(rid);
        fts.run(rid, ftsText(m.text), sk, m.subject ?? "");
      }
    });
    stmt(`INSERT INTO fts_memories (fts_memories) VALUES ('flush')`).run();
  }
  if (batch.history?.length) {
    const ins = stmt(`INSERT INTO memory_history (memory_id, tenant, user_id, version, op, text, valid_from, valid_to, sources, at, reason)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const current = stmt(`SELECT tenant, user_id, text, valid_from, valid_to, sources, recorded_at, version, history_add FROM memories WHERE id = ?`);
    type Current = { tenant: string; user_id: string; text: string; valid_from: string | null; valid_to: string | null; sources: string; recorded_at: string; version: number; history_add: number | null };
    const any = stmt(`SELECT 1 FROM memory_history WHERE memory_id = ? LIMIT 1`);
    const implicitAdd = stmt(`UPDATE memories SET history_add = 1 WHERE id = ?`);
    for (const h of batch.history) {
      const o = current.get(h.memoryId) as Current | undefined;
      if (o && (o.tenant !== tenant || o.user_id !== userId)) throw conflict("memory", h.memoryId);
      const sources = json(h.sources);
      // A version equal to the memory's current row (most of them: every "add" of a memory
      // not changed since) is stored without its copy of the text, times and sources (schema 6):
      // memoryHistory reads them from the memory row, and a commit that changes the row
      // first writes them back into the history row (above).
      const same = o !== undefined && o.text === h.text && o.valid_from === h.validFrom && o.valid_to === h.validTo && o.sources === sources;
      // The plain "add" that created the memory (its first version, at its recorded time,
      // no reason) is no row at all: a flag on the memory (history_add), read as that row.
      if (same && h.op === "add" && h.reason === null && h.at === o.recorded_at && h.version === o.version && !o.history_add && any.get(h.memoryId) === undefined) {
        implicitAdd.run(h.memoryId);
        o.history_add = 1;
      } else if (same) ins.run(h.memoryId, tenant, userId, h.version, h.op, null, null, null, null, h.at, h.reason);
      else ins.run(h.memoryId, tenant, userId, h.version, h.op, h.text, h.validFrom, h.validTo, sources, h.at, h.reason);
    }
  }
  if (batch.vectors?.length) {
    // Keyed by scope first (schema 4): another scope's row with the same id is another row.
    // Stored as 8-bit codes and a scale (schema 6; src/store/sqlite/vectors.ts).
    const up = stmt(`INSERT INTO vectors (tenant, user_id, target_type, target_id, data) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(tenant, user_id, target_type, target_id) DO UPDATE SET data = excluded.data`);
    for (const v of batch.vectors) up.run(tenant, userId, TARGET_CODE[v.targetType], v.targetId, encodeVector(v.vector));
  }
  // A new (or erased and re-created) scope starts above every generation handed out
  // before an erase, so caches keyed by (scope, generation) never serve erased data.
  const before = (stmt(`SELECT gen FROM generations WHERE tenant = ? AND user_id = ?`).get(tenant, userId) as { gen: number } | undefined)?.gen ?? 0;
  stmt(`INSERT INTO generations (tenant, user_id, gen) VALUES (?, ?, 1 + COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '${GENERATION_FLOOR_KEY}'), 0))
    ON CONFLICT(tenant, user_id) DO UPDATE SET gen = gen + 1`).run(tenant, userId);
  const after = (stmt(`SELECT gen FROM generations WHERE tenant = ? AND user_id = ?`).get(tenant, userId) as { gen: number }).gen;
  return { before, after };
}
