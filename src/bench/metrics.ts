/**
 * Scoring functions of the benchmarks (pure): answer normalisation, token F1 and BLEU-1
 * for QA mode; recall@k and NDCG@k for ranked retrieval (LongMemEval).
 */

/**
 * Normalises an answer the SQuAD/LoCoMo way: lower-case, punctuation removed, the
 * articles "a", "an", "the" removed, whitespace collapsed.
 *
 * @example
 * ```ts
 * normalizeAnswer("The Eiffel Tower, Paris!"); // "eiffel tower paris"
 * ```
 */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, " ")
    .replace(/\b(a|an|the)\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The tokens of a normalised answer.
 *
 * @example
 * ```ts
 * answerTokens("On 7 May, 2023."); // ["on", "7", "may", "2023"]
 * ```
 */
export function answerTokens(text: string): string[] {
  const n = normalizeAnswer(text);
  return n === "" ? [] : n.split(" ");
}

function overlap(pred: readonly string[], gold: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const g of gold) counts.set(g, (counts.get(g) ?? 0) + 1);
  let common = 0;
  for (const p of pred) {
    const c = counts.get(p) ?? 0;
    if (c > 0) {
      common++;
      counts.set(p, c - 1);
    }
  }
  return common;
}

/**
 * Token-level F1 between a predicted and a gold answer (SQuAD style, on normalised
 * tokens, multiset overlap). Both empty → 1; one empty → 0.
 *
 * @example
 * ```ts
 * tokenF1("on 7 May", "7 May 2023"); // 2/3
 * ```
 */
export function tokenF1(prediction: string, gold: string): number {
  const p = answerTokens(prediction);
  const g = answerTokens(gold);
  if (p.length === 0 || g.length === 0) return p.length === g.length ? 1 : 0;
  const common = overlap(p, g);
  if (common === 0) return 0;
  const precision = common / p.length;
  const recall = common / g.length;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * BLEU-1 of a predicted answer against one gold answer, on normalised tokens: clipped
 * unigram precision times the brevity penalty `BP = 1` if `c > r`, else `exp(1 − r/c)`
 * (c, r = candidate and reference lengths). An empty prediction scores 0.
 *
 * @example
 * ```ts
 * bleu1("7 May 2023", "7 May 2023"); // 1
 * bleu1("May", "7 May 2023"); // exp(1 - 3) ≈ 0.1353
 * ```
 */
export function bleu1(prediction: string, gold: string): number {
  const p = answerTokens(prediction);
  const g = answerTokens(gold);
  if (p.length === 0 || g.length === 0) return 0;
  const precision = overlap(p, g) / p.length;
  const bp = p.length > g.length ? 1 : Math.exp(1 - g.length / p.length);
  return bp * precision;
}

/**
 * Recall_any@k: 1 when any relevant id is among the first `k` ranked ids, else 0.
 *
 * @example
 * ```ts
 * recallAny(["s3", "s1", "s2"], new Set(["s2"]), 2); // 0
 * recallAny(["s3", "s1", "s2"], new Set(["s2"]), 3); // 1
 * ```
 */
export function recallAny(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  return ranked.slice(0, k).some((id) => relevant.has(id)) ? 1 : 0;
}

/**
 * Recall_all@k: the fraction of relevant ids among the first `k` ranked ids (0 when
 * nothing is relevant).
 *
 * @example
 * ```ts
 * recallAll(["s3", "s1", "s2"], new Set(["s1", "s2"]), 2); // 0.5
 * ```
 */
export function recallAll(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0) return 0;
  const top = new Set(ranked.slice(0, k));
  let hit = 0;
  for (const r of relevant) if (top.has(r)) hit++;
  return hit / relevant.size;
}

/**
 * DCG as in LongMemEval's evaluation code: `rel_1 + Σ_{i=2..n} rel_i / log2(i)` (1-based ranks).
 *
 * @example
 * ```ts
 * dcg([0, 1, 1]); // 1/log2(2) + 1/log2(3) ≈ 1.631
 * ```
 */
export function dcg(relevances: readonly number[]): number {
  let s = 0;
  relevances.forEach((r, i) => {
    s += i === 0 ? r : r / Math.log2(i + 1);
  });
  return s;
}

/**
 * NDCG@k with binary relevance, normalised by the ideal ranking of all relevant ids,
 * using {@link dcg} (LongMemEval's formula). 0 when nothing is relevant.
 *
 * @example
 * ```ts
 * ndcgAtK(["x", "a"], new Set(["a"]), 5); // dcg([0,1]) / dcg([1]) = 1
 * ndcgAtK(["x", "y", "a"], new Set(["a"]), 5); // 1/log2(3) ≈ 0.631
 * ```
 */
export function ndcgAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0) return 0;
  const actual = dcg(ranked.slice(0, k).map((id) => (relevant.has(id) ? 1 : 0)));
  const ideal = dcg(new Array<number>(Math.min(k, relevant.size)).fill(1));
  return ideal === 0 ? 0 : actual / ideal;
}

/**
 * Ids in the order they first appear (duplicates dropped).
 *
 * @example
 * ```ts
 * firstAppearance(["b", "a", "b", "c"]); // ["b", "a", "c"]
 * ```
 */
export function firstAppearance(ids: Iterable<string>): string[] {
  return [...new Set(ids)];
}
