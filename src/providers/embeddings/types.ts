/**
 * Turns texts into L2-normalised vectors. The `id` and `dim` are stored with the
 * vectors; opening a store with a different embedder is an EMBEDDER_MISMATCH error.
 *
 * @example
 * ```ts
 * const e: Embedder = new HashingEmbedder();
 * const [v] = await e.embed(["hello world"]);
 * ```
 */
export interface Embedder {
  /** Stable identifier, e.g. "hashing-v1-384" or "openai/text-embedding-3-small". */
  readonly id: string;
  /** Vector dimension. */
  readonly dim: number;
  embed(texts: string[]): Promise<Float32Array[]>;
}

/**
 * Scales a vector to unit length in place (zero vectors stay zero) and returns it.
 *
 * @example
 * ```ts
 * normalize(new Float32Array([3, 4])); // Float32Array [0.6, 0.8]
 * ```
 */
export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
  return v;
}
