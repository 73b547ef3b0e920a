import { compromise } from "../../core/lazy-deps.js";
import { sentences } from "../../core/text.js";

type Splitter = (text: string, world: unknown) => string[];
// compromise loads on first use (import time).
let nlpParts: { methods: { one: { tokenize: { splitSentences: Splitter } } }; world: unknown } | undefined;
const parts = () => (nlpParts ??= { methods: (compromise() as unknown as { methods: () => { one: { tokenize: { splitSentences: Splitter } } } }).methods(), world: (compromise() as unknown as { world: () => unknown }).world() });
const cache = new Map<string, string[]>();
const ABBREVIATION = /\b(?:[A-Z][a-z]{0,3}|[a-z])\.\s|\b\w\.\w\./;

/**
 * Splits a turn into sentences with compromise's sentence splitter (it knows "St. Mary's",
 * "Dr. Smith", "3 p.m." are not sentence ends), then at an ellipsis before a capital. A
 * turn with no possible abbreviation takes the plain punctuation split.
 * Measured on this machine at ~0.04 ms for a 170-character turn (ours was ~0.01 ms but
 * split "St." from "Mary's").
 *
 * @example
 * ```ts
 * splitSentences("I had surgery at St. Mary's. It went well!"); // ["I had surgery at St. Mary's.", "It went well!"]
 * ```
 */
export function splitSentences(text: string): string[] {
  const hit = cache.get(text);
  if (hit) return hit;
  const flat = text.replace(/\s+/g, " ").trim();
  // Only a possible abbreviation ("St.", "Dr.", "p.m.", "U.S.") needs compromise; the plain split is 3x cheaper.
  const out = !flat
    ? []
    : !ABBREVIATION.test(flat)
      ? sentences(flat)
      : parts().methods.one.tokenize
          .splitSentences(flat, parts().world)
          .flatMap((s) => s.split(/(?<=(?:\.\.\.|…))\s+(?=["'“(]?\p{Lu})/u))
          .map((s) => s.trim())
          .filter((s) => s.length > 0);
  if (cache.size >= 2048) cache.clear();
  cache.set(text, out);
  return out;
}
