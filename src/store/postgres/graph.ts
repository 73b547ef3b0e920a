import { MnemoError } from "../../core/errors.js";
import { rowToEpisode, type Row } from "../sqlite/rows.js";
import type { EpisodeNeighbours, LinkedMemories, MemoryLink, ScopeKey, TargetType, VectorHit } from "../types.js";
import type { Queryable } from "./driver.js";

const EPISODE_COLS = "rid, id, external_id, tenant, user_id, agent_id, session_id, speaker, role, text, attachment_text, occurred_at, recorded_at, content_hash, segment_id, seq, metadata, source, trust, sensitivity, quarantine";
const LINK_COLUMN: Record<MemoryLink, string> = { entity: "entity_ids", source: "sources", segment: "segment_ids" };

/**
 * {@link Store.linkedMemories} for PostgreSQL: the memory's link arrays (`entity_ids`,
 * `sources`, `segment_ids`) carry GIN indexes; `@>` finds the memories holding a key.
 *
 * @example
 * ```ts
 * const [caro] = await linkedMemoriesPg(pool, key, "entity", ["ent_1"], 100); // { key: "ent_1", count: 12, memoryIds: [...] }
 * ```
 */
export async function linkedMemoriesPg(q: Queryable, scope: ScopeKey, link: MemoryLink, keys: string[], limit: number): Promise<LinkedMemories[]> {
  const col = LINK_COLUMN[link];
  const uniq = [...new Set(keys)];
  if (uniq.length === 0) return [];
  const n = Math.max(0, Math.floor(limit));
  const r = await q.query(
    `SELECT k.key, (SELECT count(*) FROM memories m WHERE m.tenant = $1 AND m.user_id = $2 AND m.forgotten_at IS NULL AND m.${col} @> ARRAY[k.key]) AS n,
       ARRAY(SELECT m.id FROM memories m WHERE m.tenant = $1 AND m.user_id = $2 AND m.forgotten_at IS NULL AND m.${col} @> ARRAY[k.key] ORDER BY m.rid DESC LIMIT $4) AS ids
     FROM unnest($3::text[]) WITH ORDINALITY AS k(key, ord) ORDER BY k.ord`,
    [scope.tenant, scope.userId, uniq, n],
  );
  return r.rows.map((row: Row) => ({ key: String(row.key), count: Number(row.n), memoryIds: (row.ids as string[]) ?? [] }));
}

/**
 * {@link Store.episodeNeighbours} for PostgreSQL: two index scans per episode on
 * `episodes_time` (tenant, user, occurred_at, seq), with row comparisons.
 *
 * @example
 * ```ts
 * const [n] = await episodeNeighboursPg(pool, key, ["ep_7"], 2);
 * ```
 */
export async function episodeNeighboursPg(q: Queryable, scope: ScopeKey, episodeIds: string[], radius: number): Promise<EpisodeNeighbours[]> {
  const n = Math.max(0, Math.floor(radius));
  const out: EpisodeNeighbours[] = [];
  for (const id of [...new Set(episodeIds)]) {
    const self = await q.query(`SELECT occurred_at, seq FROM episodes WHERE id = $1 AND tenant = $2 AND user_id = $3`, [id, scope.tenant, scope.userId]);
    const r = self.rows[0] as { occurred_at: string; seq: string } | undefined;
    if (!r) continue;
    if (n === 0) {
      out.push({ episodeId: id, before: [], after: [] });
      continue;
    }
    const args = [scope.tenant, scope.userId, r.occurred_at, r.seq, n];
    const before = await q.query(`SELECT ${EPISODE_COLS} FROM episodes WHERE tenant = $1 AND user_id = $2 AND (occurred_at, seq) < ($3, $4::bigint) ORDER BY occurred_at DESC, seq DESC LIMIT $5`, args);
    const after = await q.query(`SELECT ${EPISODE_COLS} FROM episodes WHERE tenant = $1 AND user_id = $2 AND (occurred_at, seq) > ($3, $4::bigint) ORDER BY occurred_at, seq LIMIT $5`, args);
    out.push({ episodeId: id, before: before.rows.map(rowToEpisode), after: after.rows.map(rowToEpisode) });
  }
  return out;
}

/**
 * {@link Store.searchVectors} for PostgreSQL: pgvector orders by cosine distance (`<=>`), which
 * the HNSW index answers for large scopes (with `hnsw.iterative_scan`, so the tenant/user
 * filter still yields k rows) and an exact scan answers for small ones; the score is the
 * dot product (vectors are L2-normalised), as the SQLite store computes it.
 *
 * @example
 * ```ts
 * const hits = await searchVectorsPg(pool, key, "episode", queryVector, 60); // [{ id: "ep_1", score: 0.83 }, …]
 * ```
 */
export async function searchVectorsPg(q: Queryable, scope: ScopeKey, target: TargetType, vector: Float32Array, k: number): Promise<VectorHit[]> {
  if (k <= 0) return [];
  for (const x of vector) if (!Number.isFinite(x)) throw new MnemoError("INVALID_INPUT", "The query vector has a value that is not finite.");
  const dim = await q.query(`SELECT dim FROM vectors WHERE tenant = $1 AND user_id = $2 AND target_type = $3 LIMIT 1`, [scope.tenant, scope.userId, target]);
  if (dim.rows.length === 0) return [];
  const have = Number(dim.rows[0]!.dim);
  if (have !== vector.length) throw new MnemoError("EMBEDDER_MISMATCH", `The query vector has dimension ${vector.length}; stored vectors have ${have}.`);
  const r = await q.query(
    `SELECT target_id AS id, -(embedding <#> $4::vector) AS score FROM vectors
     WHERE tenant = $1 AND user_id = $2 AND target_type = $3 AND embedding IS NOT NULL
     ORDER BY embedding <=> $4::vector LIMIT $5`,
    [scope.tenant, scope.userId, target, `[${Array.from(vector).join(",")}]`, Math.floor(k)],
  );
  // Iterative index scans may return rows slightly out of order: sort as the SQLite store does.
  return r.rows
    .map((row: Row) => ({ id: String(row.id), score: Number(row.score) }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
