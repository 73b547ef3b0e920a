import { tokenizer } from "./lazy-deps.js";

/**
 * Counts tokens with a real BPE tokenizer (cl100k_base, as used by GPT-4-class models).
 *
 * @example
 * ```ts
 * countTokens("Caroline went to a support group."); // 8
 * ```
 */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : tokenizer().countTokens(text);
}
