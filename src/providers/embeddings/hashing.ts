import { fnv1a, stem, words, STOP_WORDS } from "../../core/text.js";
import { normalize, type Embedder } from "./types.js";

/**
 * The offline default embedder: signed feature hashing of stemmed content words
 * (weight 1) and character trigrams of each word (weight 0.35) into `dim` buckets.
 * Needs nothing from the network; catches morphology and spelling variants that
 * exact-term BM25 misses.
 *
 * @example
 * ```ts
 * const [v] = await new HashingEmbedder().embed(["Melanie paints sunsets"]);
 * ```
 */
export class HashingEmbedder implements Embedder {
  readonly id: string;
  readonly dim: number;

  constructor(options: { dim?: number } = {}) {
    this.dim = options.dim ?? 384;
    this.id = `hashing-v1-${this.dim}`;
  }

  embedOne(text: string): Float32Array {
    const v = new Float32Array(this.dim);
    const add = (feature: string, weight: number) => {
      const h = fnv1a(feature);
      v[h % this.dim]! += h & 0x80000000 ? -weight : weight;
    };
    for (const w of words(text)) {
      if (STOP_WORDS.has(w)) continue;
      const s = stem(w);
      add("w:" + s, 1);
      const padded = `<${s}>`;
      for (let i = 0; i + 3 <= padded.length; i++) add("c:" + padded.slice(i, i + 3), 0.35);
    }
    return normalize(v);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }
}
