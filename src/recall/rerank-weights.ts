/**
 * Learned weights of the recall reranker, in the order of RERANK_FEATURES (src/recall/rerank.ts).
 * Written by `npx tsx scripts/train-rerank.ts --label both --no-beam --write` (logistic regression on locomo-dev,
 * 112950 candidates of 753 questions, 1709 positive. Answer coverage, cross-validated by
 * conversation groups: without the reranker LoCoMo 500 / 1000 / 2000: 0.7650 / 0.8288 / 0.8745; with it LoCoMo 500 / 1000 / 2000: 0.7815 / 0.8404 / 0.8778).
 *
 * @example
 * ```ts
 * RERANK_WEIGHTS.length === RERANK_FEATURES.length; // true
 * ```
 */
export const RERANK_WEIGHTS: readonly number[] = [-3.6666, 1.0084, -0.5208, -0.4013, 0.7586, 1.5668, 2.6550, 2.9669, 0.4258, 0.0000, -2.4631, -0.6151, -0.2915, -0.1042, -0.0581, -0.1155, -0.4162, 1.5467, 0.6111, 1.5923, 0.6584, 2.2567, 0.3359, -0.2051, 0.1537, 0.1890, 0.0000, 0.1451, 0.0000];
