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
 * Evidence recall: the fraction of gold evidence turns covered by what recall returned
 * (a memory covers the episodes in its provenance; an episode covers itself).
 * Returns null when the question has no evidence (it is then left out of averages).
 *
 * @example
 * ```ts
 * evidenceRecall(["D1:3", "D2:8"], [["D1:3"], ["D5:1"]]); // 0.5
 * ```
 */
export function evidenceRecall(gold: string[], returnedSources: string[][]): number | null {
  if (gold.length === 0) return null;
  const covered = new Set(returnedSources.flat());
  return gold.filter((g) => covered.has(g)).length / gold.length;
}
