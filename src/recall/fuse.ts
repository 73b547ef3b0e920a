/**
 * One ranked list from a recall channel.
 *
 * @example
 * ```ts
 * const l: ChannelList = { channel: "lexical", weight: 1, ids: ["m:mem_1", "e:ep_2", "m:mem_3"], ranks: [1, 1, 3] };
 * ```
 */
export interface ChannelList {
  channel: string;
  weight: number;
  /** Item keys, best first. Ties may share a rank via `ranks`. */
  ids: string[];
  /** Optional explicit 1-based ranks (same length as ids), for tied groups. */
  ranks?: number[];
}

/**
 * A fused item: total score and each channel's share.
 *
 * @example
 * ```ts
 * const f: Fused = { score: 0.061, channels: { lexical: 0.032, dense: 0.029 } };
 * ```
 */
export interface Fused {
  score: number;
  channels: Record<string, number>;
}

/**
 * Weighted reciprocal-rank fusion: score(d) = Σ_c w_c / (k + rank_c(d)), rank 1-based.
 * Pure and synchronous.
 *
 * @example
 * ```ts
 * rrf([{ channel: "lexical", weight: 1, ids: ["a", "b"] }], 60).get("a")?.score; // 1/61
 * ```
 */
export function rrf(lists: ChannelList[], k: number): Map<string, Fused> {
  const out = new Map<string, Fused>();
  for (const list of lists) {
    if (list.weight <= 0) continue;
    const seen = new Set<string>();
    list.ids.forEach((id, i) => {
      if (seen.has(id)) return;
      seen.add(id);
      const rank = list.ranks?.[i] ?? i + 1;
      const s = list.weight / (k + rank);
      let f = out.get(id);
      if (!f) out.set(id, (f = { score: 0, channels: {} }));
      f.score += s;
      f.channels[list.channel] = (f.channels[list.channel] ?? 0) + s;
    });
  }
  return out;
}

/**
 * Ebbinghaus-style retention R = 2^(−t / (h · s)): t days since last access, h the
 * half-life in days of a memory of strength 1, s its strength (repetition and recall
 * raise it, so reinforced memories fade more slowly).
 *
 * @example
 * ```ts
 * retention(60, 1, 60); // 0.5
 * ```
 */
export function retention(ageDays: number, strength: number, halfLifeDays: number): number {
  if (ageDays <= 0) return 1;
  return Math.pow(2, -ageDays / (halfLifeDays * Math.max(strength, 1e-6)));
}

/**
 * The factor decay applies to a fused score: 1 − w · (1 − R). With w = 0.15 a fully
 * faded memory keeps 85% of its score: decay reorders near-ties, it never hides a match.
 *
 * @example
 * ```ts
 * decayFactor(0.5, 0.2); // 0.9
 * ```
 */
export function decayFactor(r: number, weight: number): number {
  return 1 - weight * (1 - r);
}
