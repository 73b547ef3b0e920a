import { MnemoError } from "../../core/errors.js";
import { rowToEpisode, type Row } from "../sqlite/rows.js";
import type { EpisodeNeighbours, LinkedMemories, MemoryLink, ScopeKey, TargetType, VectorHit } from "../types.js";
import type { Queryable } from "./driver.js";

const EPISODE_COLS = "rid, id, external_id, tenant, user_id, agent_id, session_id, speaker, role, text, attachment_text, occurred_at, recorded_at, content_hash, segment_id, seq, metadata, source, trust, sensitivity, quarantine";
const LINK_COLUMN: Record<MemoryLink, string> = { entity: "entity_ids", source: "sources", segment: "segment_ids" };

/**
 * {@link Store.linkedMemories} for PostgreSQL, in one statement for every key: each key's
 * not-forgotten memories of the scope (GIN index on the link array, `@>`) are counted and
 * cut to the `limit` newest (highest rid).
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
  // One GIN probe per key (`@> ARRAY[key]`, a nested loop): with the whole list in one
  // `&&`, the planner reads every row of the scope once the list is long (75 episode ids:
  // a sequential scan, 32 ms at 10K turns, against 1 ms by key).
  const r = await q.query(
    `SELECT k.key, count(m.id) AS n, COALESCE((array_agg(m.id ORDER BY m.rid DESC) FILTER (WHERE m.id IS NOT NULL))[1:$4::int], '{}') AS ids
     FROM unnest($3::text[]) WITH ORDINALITY AS k(key, ord)
     LEFT JOIN memories m ON m.${col} @> ARRAY[k.key] AND m.tenant = $1 AND m.user_id = $2 AND m.forgotten_at IS NULL
     GROUP BY k.key, k.ord
     ORDER BY k.ord`,
    [scope.tenant, scope.userId, uniq, n],
  );
  return r.rows.map((row: Row) => ({ key: String(row.key), count: Number(row.n), memoryIds: n === 0 ? [] : ((row.ids as string[] | null) ?? []) }));
}

/**
 * {@link Store.episodeNeighbours} for PostgreSQL, in one statement for every episode: the
 * episodes asked are found by id, then two LATERAL index scans each on `episodes_time`
 * (tenant, user, occurred_at, seq), with row comparisons, give the turns before and after.
 *
 * @example
 * ```ts
 * const [n] = await episodeNeighboursPg(pool, key, ["ep_7"], 2);
 * ```
 */
export async function episodeNeighboursPg(q: Queryable, scope: ScopeKey, episodeIds: string[], radius: number): Promise<EpisodeNeighbours[]> {
  const n = Math.max(0, Math.floor(radius));
  const ids = [...new Set(episodeIds)];
  if (ids.length === 0) return [];
  const cols = EPISODE_COLS.split(", ").map((c) => `x.${c}`).join(", ");
  const r = await q.query(
    `WITH s AS (
       SELECT e.id, e.occurred_at, e.seq, u.ord FROM unnest($3::text[]) WITH ORDINALITY AS u(id, ord)
       JOIN episodes e ON e.id = u.id AND e.tenant = $1 AND e.user_id = $2
     )
     SELECT s.id AS anchor, s.ord AS anchor_ord, 0 AS side, b.* FROM s LEFT JOIN LATERAL (
       SELECT ${cols} FROM episodes x WHERE x.tenant = $1 AND x.user_id = $2 AND (x.occurred_at, x.seq) < (s.occurred_at, s.seq)
       ORDER BY x.occurred_at DESC, x.seq DESC LIMIT $4) b ON true
     UNION ALL
     SELECT s.id, s.ord, 1, a.* FROM s JOIN LATERAL (
       SELECT ${cols} FROM episodes x WHERE x.tenant = $1 AND x.user_id = $2 AND (x.occurred_at, x.seq) > (s.occurred_at, s.seq)
       ORDER BY x.occurred_at, x.seq LIMIT $4) a ON true`,
    [scope.tenant, scope.userId, ids, n],
  );
  const byAnchor = new Map<string, { ord: number; before: Row[]; after: Row[] }>();
  for (const row of r.rows as Row[]) {
    const anchor = String(row.anchor);
    let e = byAnchor.get(anchor);
    if (!e) byAnchor.set(anchor, (e = { ord: Number(row.anchor_ord), before: [], after: [] }));
    if (row.id === null || row.id === undefined) continue;
    (Number(row.side) === 0 ? e.before : e.after).push(row);
  }
  // Timeline order: (occurred_at, seq), text compared bytewise as the "C" collation does.
  const cmp = (a: Row, b: Row) => (a.occurred_at === b.occurred_at ? Number(a.seq) - Number(b.seq) : String(a.occurred_at) < String(b.occurred_at) ? -1 : 1);
  return [...byAnchor.entries()]
    .sort((a, b) => a[1].ord - b[1].ord)
    .map(([episodeId, e]) => ({
      episodeId,
      before: e.before.sort((a, b) => cmp(b, a)).map(rowToEpisode),
      after: e.after.sort(cmp).map(rowToEpisode),
    }));
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
  // One round trip: the scope's stored dimension (an init plan) and, only when it is the
  // query's, the nearest rows; no row at all means the scope has no vectors of the target.
  const r = await q.query(
    `WITH d AS MATERIALIZED (SELECT dim FROM vectors WHERE tenant = $1 AND user_id = $2 AND target_type = $3 LIMIT 1)
     SELECT d.dim, x.id, x.score FROM d LEFT JOIN LATERAL (
       SELECT target_id AS id, -(embedding <#> $4::vector) AS score FROM vectors
       WHERE tenant = $1 AND user_id = $2 AND target_type = $3 AND embedding IS NOT NULL AND d.dim = $6
       ORDER BY embedding <=> $4::vector LIMIT $5) x ON true`,
    [scope.tenant, scope.userId, target, `[${Array.from(vector).join(",")}]`, Math.floor(k), vector.length],
  );
  if (r.rows.length === 0) return [];
  const have = Number(r.rows[0]!.dim);
  if (have !== vector.length) throw new MnemoError("EMBEDDER_MISMATCH", `The query vector has dimension ${vector.length}; stored vectors have ${have}.`);
  // Iterative index scans may return rows slightly out of order: sort as the SQLite store does.
  return r.rows
    .filter((row: Row) => row.id !== null)
    .map((row: Row) => ({ id: String(row.id), score: Number(row.score) }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
