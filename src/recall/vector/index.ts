import { ExactIndex } from "./exact.js";
import { HnswIndex, type HnswOptions } from "./hnsw.js";
import type { VectorIndex } from "./types.js";

export { ExactIndex, ScoreHeap, dot } from "./exact.js";
export { HnswIndex, type HnswOptions } from "./hnsw.js";
export type { VectorHit, VectorIndex } from "./types.js";

/**
 * Options of {@link createVectorIndex}.
 *
 * @example
 * ```ts
 * const options: CreateVectorIndexOptions = { annThreshold: 50_000, hnsw: { efSearch: 128 } };
 * ```
 */
export interface CreateVectorIndexOptions {
  /** Expected sizes at or above this use HNSW; below it, exact search. Default 100,000. */
  annThreshold?: number;
  /** Options passed to {@link HnswIndex} when it is chosen. */
  hnsw?: HnswOptions;
}

/**
 * Picks the vector index for a collection: exact brute force below
 * `annThreshold` vectors (exact, and fast enough there: ~2 ms per query at
 * 10k × 384, ~16 ms at 50k), HNSW at or above it (~1 ms queries, but a build
 * of minutes at 100k+, so cache the index rather than rebuilding per query).
 *
 * @example
 * ```ts
 * const index = createVectorIndex(384, matrix.ids.length);
 * index.add(ids, vectors);
 * const hits = index.search(query, 20);
 * ```
 */
export function createVectorIndex(dim: number, expectedSize: number, options: CreateVectorIndexOptions = {}): VectorIndex {
  const threshold = options.annThreshold ?? 100_000;
  if (expectedSize >= threshold) {
    return new HnswIndex(dim, { initialCapacity: Math.max(1, Math.ceil(expectedSize)), ...options.hnsw });
  }
  return new ExactIndex(dim, Math.max(16, Math.ceil(expectedSize)));
}
