// Constants of the SQLite store that its public module re-exports: this file imports
// nothing, so the published declarations never reach better-sqlite3's types.

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
 * The fingerprint of an Idempotency-Key record whose user was erased (a tombstone: no
 * content, and a retry of the key is refused).
 *
 * @example
 * ```ts
 * if (row.fingerprint === ERASED_FINGERPRINT) throw new MnemoError("CONFLICT");
 * ```
 */
export const ERASED_FINGERPRINT = "erased";
