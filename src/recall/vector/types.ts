import { MnemoError } from "../../core/errors.js";

/**
 * A nearest-neighbour index over L2-normalised vectors. The score of a hit is
 * the dot product of the query and the stored vector, which for unit vectors is
 * their cosine similarity (higher is closer). Indexes are pure, in-memory and
 * synchronous; callers normalise vectors before adding or querying.
 *
 * Ids must be unique within an index; adding an id twice, or a vector whose
 * length is not `dim`, throws a {@link MnemoError} with code `INVALID_INPUT`.
 *
 * @example
 * ```ts
 * const index: VectorIndex = createVectorIndex(384, rows.length);
 * index.add(rows.map((r) => r.id), rows.map((r) => r.vector));
 * const hits = index.search(queryVector, 10); // [{ id, score }, ...] best first
 * ```
 */
export interface VectorIndex {
  /** Length of every vector in the index. */
  readonly dim: number;
  /** Number of vectors added so far. */
  readonly size: number;
  /** Adds vectors; `ids[i]` names `vectors[i]`. All-or-nothing: invalid input adds nothing. */
  add(ids: string[], vectors: Float32Array[]): void;
  /** The `k` best hits, best first (fewer when the index holds fewer than `k`). */
  search(query: Float32Array, k: number): Array<{ id: string; score: number }>;
}

/**
 * One search result of a {@link VectorIndex}.
 *
 * @example
 * ```ts
 * const best: VectorHit | undefined = index.search(q, 1)[0];
 * ```
 */
export interface VectorHit {
  id: string;
  score: number;
}

/**
 * Validates the arguments of {@link VectorIndex.add} against an index's state
 * and throws `INVALID_INPUT` on the first problem, before anything is added.
 *
 * @example
 * ```ts
 * checkAdd(this.dim, this.positions, ids, vectors);
 * ```
 */
export function checkAdd(dim: number, known: ReadonlyMap<string, number>, ids: string[], vectors: Float32Array[]): void {
  if (ids.length !== vectors.length) {
    throw new MnemoError("INVALID_INPUT", `add() got ${ids.length} ids but ${vectors.length} vectors.`);
  }
  const seen = new Set<string>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const v = vectors[i]!;
    if (v.length !== dim) {
      throw new MnemoError("INVALID_INPUT", `Vector ${i} (id ${JSON.stringify(id)}) has dimension ${v.length}; the index expects ${dim}.`, {
        hint: "Every vector in an index must come from the same embedder; rebuild the index after changing embedders.",
        details: { expected: dim, actual: v.length },
      });
    }
    if (known.has(id) || seen.has(id)) {
      throw new MnemoError("INVALID_INPUT", `Duplicate vector id ${JSON.stringify(id)}.`, {
        hint: "Ids must be unique within an index; build a fresh index to replace vectors.",
      });
    }
    seen.add(id);
  }
}

/**
 * Throws `INVALID_INPUT` when a query vector does not have the index's dimension.
 *
 * @example
 * ```ts
 * checkQuery(384, query);
 * ```
 */
export function checkQuery(dim: number, query: Float32Array): void {
  if (query.length !== dim) {
    throw new MnemoError("INVALID_INPUT", `The query vector has dimension ${query.length}; the index expects ${dim}.`, {
      hint: "Embed the query with the same embedder that built the index.",
      details: { expected: dim, actual: query.length },
    });
  }
}

/**
 * Throws `INVALID_INPUT` unless `dim` is a positive integer.
 *
 * @example
 * ```ts
 * checkDim(384);
 * ```
 */
export function checkDim(dim: number): void {
  if (!Number.isInteger(dim) || dim <= 0) {
    throw new MnemoError("INVALID_INPUT", `Vector dimension must be a positive integer, got ${dim}.`);
  }
}
