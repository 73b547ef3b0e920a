/**
 * Learned weights of the recall reranker, in the order of RERANK_FEATURES (src/recall/rerank.ts).
 * Written by `npx tsx scripts/train-rerank.ts --label both --no-beam --write` (logistic regression on locomo-dev,
 * 112950 candidates of 753 questions, 1709 positive. Answer coverage, cross-validated by
 * conversation groups: without the reranker LoCoMo 500 / 1000 / 2000: 0.7650 / 0.8288 / 0.8745; with it LoCoMo 500 / 1000 / 2000: 0.7806 / 0.8355 / 0.8783).
 *
 * @example
 * ```ts
 * RERANK_WEIGHTS.length === RERANK_FEATURES.length; // true
 * ```
 */
export const RERANK_WEIGHTS: readonly number[] = [-3.6662, 1.0081, -0.5210, -0.4016, 0.7584, 1.5666, 2.6549, 2.9665, 0.4259, 0.0000, -2.4628, -0.6155, -0.2915, -0.1041, -0.0582, -0.1155, -0.4162, 1.5466, 0.6111, 1.5926, 0.6584, 2.2567, 0.3358, -0.2050, 0.1537, 0.1891, 0.0000, 0.1451, 0.0000];
