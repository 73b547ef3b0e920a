import { contentWords, IRREGULAR, terms, words } from "../core/text.js";
import { resolveTimes, type TimeRange } from "../core/time.js";
import type { Entity } from "../core/types.js";

/**
 * What recall understood of a query.
 *
 * @example
 * ```ts
 * const q: QueryAnalysis = { text: "When did Caroline go hiking?", words: ["caroline", "hiking"], terms: ["carolin", "hik"],
 *   entities: [], people: ["Caroline"], timeRange: null };
 * ```
 */
export interface QueryAnalysis {
  text: string;
  /** Content words for full-text search. */
  words: string[];
  /** Stemmed content terms. */
  terms: string[];
  /** Entities named in the query (by name or alias). */
  entities: Entity[];
  /** Names of the people among them. */
  people: string[];
  /** The period the query is about, if it names one ("in May 2023", "last week"). */
  timeRange: TimeRange | null;
}

/**
 * Analyses a query: search words, named entities of the scope, and time expressions
 * resolved against `reference` (asOf, or now).
 *
 * @example
 * ```ts
 * analyzeQuery("What did Mel paint last year?", entities, new Date()).timeRange;
 * ```
 */
export function analyzeQuery(text: string, entities: Iterable<Entity>, reference: Date): QueryAnalysis {
  const lower = ` ${words(text).join(" ")} `;
  const found: Entity[] = [];
  for (const e of entities) {
    for (const n of [e.name, ...e.aliases]) {
      const w = words(n).join(" ");
      if (w && lower.includes(` ${w} `)) {
        found.push(e);
        break;
      }
    }
  }
  const times = resolveTimes(text, reference);
  // Names are matched by the graph channel and the subject boost; left in the full-text
  // query they make every short line that mentions the person look relevant.
  const names = new Set(found.filter((e) => e.type === "person").flatMap((e) => [e.name, ...e.aliases].flatMap((n) => words(n))));
  const all = contentWords(text);
  const content = all.filter((w) => !names.has(w));
  const kept0 = content.length > 0 ? content : all;
  // Irregular verbs also search their base form ("won" → "win"), as the index stores it.
  const kept = [...new Set([...kept0, ...kept0.map((w) => IRREGULAR.get(w)).filter((w): w is string => w !== undefined)])];
  return {
    text,
    words: kept,
    terms: terms(kept.join(" ")),
    people: found.filter((e) => e.type === "person").map((e) => e.name),
    entities: found,
    timeRange: times[0]?.range ?? null,
  };
}
