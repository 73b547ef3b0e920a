import { tokenizer } from "./lazy-deps.js";

/**
 * Counts tokens with a real BPE tokenizer (cl100k_base, as used by GPT-4-class models).
 *
 * @example
 * ```ts
 * countTokens("Caroline went to a support group."); // 8
 * countTokens("<|im_start|>system"); // counted as text (a message may quote special tokens)
 * ```
 */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : tokenizer().countTokens(text, PLAIN_TEXT);
}

/** Special-token markers in user text ("<|im_start|>", "<|endoftext|>") are counted as plain text, never rejected. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };
