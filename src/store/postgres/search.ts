import { indexExtras } from "../../core/text.js";
import type { ScopeKey, TargetType, TextHit } from "../types.js";
import type { Queryable } from "./driver.js";

/**
 * BM25 weight of the head (an episode's speaker, a memory's subject) relative to the text,
 * as in the SQLite store.
 *
 * @example
 * ```ts
 * PG_HEAD_WEIGHT; // 0.3
 * ```
 */
export const PG_HEAD_WEIGHT = 0.3;

/** BM25 parameters: FTS5's (k1 = 1.2, b = 0.75). */
const K1 = 1.2;
const B = 0.75;

/**
 * Splits text as FTS5's unicode61 tokenizer does: lower-case runs of letters and digits,
 * diacritics removed. The words are joined by spaces before PostgreSQL stems them, so
 * both stores see the same words (only the stemmers differ: Porter vs Snowball English).
 *
 * @example
 * ```ts
 * ftsWords("It's Zoë's café!"); // ["it", "s", "zoe", "s", "cafe"]
 * ```
 */
export function ftsWords(text: string): string[] {
  return text
    .normalize("NFD")
    .replace(/\p{Mn}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * The indexed form of a row: its words (plus base forms of irregular verbs, as in SQLite)
 * and its length in tokens for BM25 (text + head + 1, as FTS5 counts its scope column).
 *
 * @example
 * ```ts
 * ftsDoc("Caroline went to Boston", "Caroline"); // { text: "caroline went to boston go", head: "caroline", len: 7 }
 * ```
 */
export function ftsDoc(text: string, head: string): { text: string; head: string; len: number } {
  const extra = indexExtras(text);
  const t = ftsWords(extra ? `${text} ${extra}` : text);
  const h = ftsWords(head);
  return { text: t.join(" "), head: h.join(" "), len: t.length + h.length + 1 };
}

/**
 * The SQL expression of a row's tsvector from its `head` and `text` parameters: head
 * words carry weight A, text words weight D, so BM25 can weigh them apart.
 *
 * @example
 * ```ts
 * const sql = `SELECT ${TSV_SQL("u.head", "u.fts")} FROM unnest($1::text[], $2::text[]) AS u(head, fts)`;
 * ```
 */
export const TSV_SQL = (head: string, text: string): string => `setweight(to_tsvector('mnemo_text', ${head}), 'A') || to_tsvector('mnemo_text', ${text})`;

const TABLE: Record<TargetType, string> = { memory: "memories", episode: "episodes", segment: "segments" };

/**
 * The extra WHERE clause and column of a target's event time (`[from, to)` windows).
 *
 * @example
 * ```ts
 * EVENT_TIME.memory; // "COALESCE(t.valid_from, t.observed_at)"
 * ```
 */
export const EVENT_TIME: Record<TargetType, string> = { memory: "COALESCE(t.valid_from, t.observed_at)", episode: "t.occurred_at", segment: "t.started_at" };

/**
 * BM25 full-text search of one table of a scope, computed in SQL with FTS5's formula
 * (k1 1.2, b 0.75, IDF floored at 1e-6, head words weighted 0.3) over the scope's own rows:
 * IDF and the average length come from the user's rows, where FTS5 uses the whole table.
 * Candidate rows come from the GIN index on `tsv`; each is scored from its lexemes' positions.
 *
 * @example
 * ```ts
 * const hits = await searchTextPg(pool, { tenant: "default", userId: "alice" }, "memory", ["boston"], 20);
 * ```
 */
export async function searchTextPg(
  q: Queryable,
  scope: ScopeKey,
  target: TargetType,
  terms: string[],
  limit: number,
  window: { from?: string | undefined; to?: string | undefined; entityIds?: string[] | undefined } = {},
): Promise<TextHit[]> {
  const words = [...new Set(terms.flatMap((t) => ftsWords(t)))].slice(0, 64);
  if (words.length === 0 || limit <= 0) return [];
  const table = TABLE[target];
  const params: unknown[] = [scope.tenant, scope.userId, words.join(" "), Math.floor(limit), target];
  const time: string[] = [];
  if (window.from !== undefined) (params.push(window.from), time.push(`${EVENT_TIME[target]} >= $${params.length}`));
  if (window.to !== undefined) (params.push(window.to), time.push(`${EVENT_TIME[target]} < $${params.length}`));
  if (window.entityIds !== undefined) {
    if (target !== "memory" || window.entityIds.length === 0) return [];
    // Memories linked to one of the entities (the GIN index on entity_ids).
    params.push([...new Set(window.entityIds)]);
    time.push(`t.entity_ids && $${params.length}::text[]`);
  }
  const timeSql = time.length ? `AND ${time.join(" AND ")}` : "";
  // The query's lexemes, OR-ed: each word matches on its own (no phrases). Row count and
  // average length of the scope come from text_stats (kept by every write), not from a
  // scan. A term's frequency in a row: its positions, head (weight A) ones
  // counting ${PG_HEAD_WEIGHT}. Only the query's lexemes of a row are unnested (marked with
  // weight B, which no row uses, and kept by ts_filter; the head's own by a second, tiny
  // filter), not the whole tsvector: most of a matching row's lexemes are not the query's.
  const sql = `
    WITH lex AS MATERIALIZED (SELECT tsvector_to_array(to_tsvector('mnemo_text', $3)) AS terms),
    query AS MATERIALIZED (SELECT (SELECT string_agg(quote_literal(term), ' | ')::tsquery FROM unnest(lex.terms) AS term) AS q, lex.terms FROM lex),
    st AS MATERIALIZED (
      SELECT COALESCE(max(s.n), 0)::float8 AS n, COALESCE(max(s.total)::float8 / NULLIF(max(s.n), 0), 1)::float8 AS avgdl
      FROM text_stats s WHERE s.tenant = $1 AND s.user_id = $2 AND s.target = $5
    ),
    tf AS MATERIALIZED (
      SELECT t.id, t.rid, t.tlen, u.lexeme, (cardinality(array_positions(u.weights, 'B')) - ${1 - PG_HEAD_WEIGHT} * cardinality(array_positions(u.weights, 'C')))::float8 AS f
      FROM ${table} t CROSS JOIN query
      CROSS JOIN LATERAL unnest(ts_filter(setweight(t.tsv, 'B', query.terms) || setweight(ts_filter(t.tsv, '{A}'), 'C', query.terms), '{B,C}')) AS u
      WHERE t.tenant = $1 AND t.user_id = $2 AND t.tsv @@ query.q ${timeSql}
    ),
    idf AS (SELECT lexeme, GREATEST(ln((st.n - count(*) + 0.5) / (count(*) + 0.5)), 1e-6) AS w FROM tf, st GROUP BY lexeme, st.n)
    SELECT tf.id, sum(idf.w * (tf.f * ${K1 + 1}) / (tf.f + ${K1} * (1 - ${B} + ${B} * tf.tlen / st.avgdl))) AS score
    FROM tf JOIN idf USING (lexeme), st
    GROUP BY tf.id, tf.rid ORDER BY score DESC, tf.rid LIMIT $4`;
  const r = await q.query(sql, params);
  return r.rows.map((row) => ({ id: String(row.id), score: Number(row.score) }));
}
