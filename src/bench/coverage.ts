/**
 * Answer coverage: how much of a reference answer's content is present in a context
 * string. It is text-grounded — it looks at what a model would read, not at which turns a
 * memory claims to come from (compare {@link ../bench/evidence.ts} `citedEvidenceRecall`).
 *
 * Terms of a text: lower-cased word tokens (`core/text.ts` `wordTokens`: apostrophes
 * normalised, a trailing possessive "'s" dropped), split at hyphens and slashes, stop words
 * (`STOP_WORDS`) and one-letter words removed, numbers of any length kept, number words
 * two…twenty mapped to digits, "may" kept (the month), then the light stemmer `stem` —
 * identically for the answer and for the context.
 */
import { STOP_WORDS, stem, wordTokens } from "../core/text.js";

const NUMBER_WORDS: ReadonlyMap<string, string> = new Map(
  "two:2 three:3 four:4 five:5 six:6 seven:7 eight:8 nine:9 ten:10 eleven:11 twelve:12 thirteen:13 fourteen:14 fifteen:15 sixteen:16 seventeen:17 eighteen:18 nineteen:19 twenty:20"
    .split(" ")
    .map((p) => p.split(":") as [string, string]),
);

const DIGITS = /^\p{N}+$/u;

/**
 * The coverage terms of a text (see the module comment), in order, duplicates kept.
 *
 * @example
 * ```ts
 * coverageTerms("The Eiffel Tower's lights, 7 May 2023!"); // ["eiffel", "tower", "light", "7", "may", "2023"]
 * coverageTerms("three well-known painters"); // ["3", "know", "painter"]
 * ```
 */
export function coverageTerms(text: string): string[] {
  const out: string[] = [];
  for (const token of wordTokens(text)) {
    for (const raw of token.split(/[-/]+/)) {
      const w = raw.replace(/'s$/, "").replace(/'+$/, "");
      if (w === "") continue;
      const n = NUMBER_WORDS.get(w);
      if (n !== undefined) {
        out.push(n);
        continue;
      }
      if (DIGITS.test(w)) {
        out.push(w);
        continue;
      }
      if (w === "may") {
        out.push(w); // the month (dates are answers); the modal verb is rare in answers
        continue;
      }
      if (w.length < 2 || STOP_WORDS.has(w)) continue;
      const s = stem(w);
      if (!STOP_WORDS.has(s)) out.push(s);
    }
  }
  return out;
}

/**
 * The set of coverage terms of a context (build once, test many answers against it).
 *
 * @example
 * ```ts
 * const terms = contextTermSet('[8 May 2023] Caroline: "I painted a sunrise"');
 * terms.has("paint"); // true
 * ```
 */
export function contextTermSet(context: string): Set<string> {
  return new Set(coverageTerms(context));
}

/**
 * Answer coverage: the share of the distinct content terms of `answer` that occur in
 * `context` (a string, or a term set from {@link contextTermSet}). Null when the answer has
 * no content term (e.g. "No", "yes"): such a question is left out of averages.
 *
 * @example
 * ```ts
 * answerCoverage("A lake sunrise", '[8 May 2023] Melanie: "I painted a lake sunrise last week."'); // 1
 * answerCoverage("clarinet and violin", "Melanie plays the violin"); // 0.5
 * answerCoverage("No", "anything"); // null
 * ```
 */
export function answerCoverage(answer: string, context: string | ReadonlySet<string>): number | null {
  const gold = new Set(coverageTerms(answer));
  if (gold.size === 0) return null;
  const have = typeof context === "string" ? contextTermSet(context) : context;
  let hit = 0;
  for (const t of gold) if (have.has(t)) hit++;
  return hit / gold.size;
}

/**
 * The distinct answer terms missing from a context (for reports and debugging).
 *
 * @example
 * ```ts
 * missingAnswerTerms("clarinet and violin", "Melanie plays the violin"); // ["clarinet"]
 * ```
 */
export function missingAnswerTerms(answer: string, context: string | ReadonlySet<string>): string[] {
  const have = typeof context === "string" ? contextTermSet(context) : context;
  return [...new Set(coverageTerms(answer))].filter((t) => !have.has(t));
}
