/**
 * Splits LoCoMo evidence entries ("D8:6; D9:17", "D1:3") into turn ids.
 *
 * @example
 * ```ts
 * splitEvidence(["D8:6; D9:17", "D1:3"]); // ["D8:6", "D9:17", "D1:3"]
 * ```
 */
export function splitEvidence(evidence: string[]): string[] {
  return [...new Set(evidence.flatMap((e) => e.split(/[;,]/)).map((e) => e.trim()).filter((e) => /^D\d+:\d+$/.test(e)))];
}

/**
 * Cited evidence recall: the fraction of gold evidence turns *cited* by what recall
 * returned (a memory cites the episodes in its provenance; an episode cites itself).
 * It trusts the citation: a memory whose text dropped the part that answers still counts
 * for the turn it came from — use `answerCoverage` (src/bench/coverage.ts) for what the
 * context actually says. Returns null when the question has no evidence (it is then left
 * out of averages).
 *
 * @example
 * ```ts
 * citedEvidenceRecall(["D1:3", "D2:8"], [["D1:3"], ["D5:1"]]); // 0.5
 * ```
 */
export function citedEvidenceRecall(gold: string[], returnedSources: string[][]): number | null {
  if (gold.length === 0) return null;
  const covered = new Set(returnedSources.flat());
  return gold.filter((g) => covered.has(g)).length / gold.length;
}

/**
 * The former name of {@link citedEvidenceRecall} (kept for compatibility).
 *
 * @example
 * ```ts
 * evidenceRecall(["D1:3"], [["D1:3"]]); // 1
 * ```
 */
export const evidenceRecall = citedEvidenceRecall;
