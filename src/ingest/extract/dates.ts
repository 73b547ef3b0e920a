import { formatDay, resolveTimes, timeLabel, type TimeMention } from "../../core/time.js";

/**
 * A date found in a sentence, ready to annotate: the words stay, the resolved date is
 * written after them in brackets.
 *
 * @example
 * ```ts
 * const d: DateNote = { index: 14, end: 24, note: "[= 12 October 2024]", from: "2024-10-12T00:00:00.000Z", recurring: false };
 * ```
 */
export interface DateNote {
  /** Where the date words start and end in the sentence. */
  index: number;
  end: number;
  /** The bracketed annotation, e.g. "[= 12 October 2024]", or "" when the words already say it. */
  note: string;
  /** Start of the resolved range (ISO), null for a recurring date. */
  from: string | null;
  /** A birthday or anniversary: true every year, never one past date. */
  recurring: boolean;
}

/**
 * Number words of relative dates ("in two weeks", "a couple of days ago").
 *
 * @example
 * ```ts
 * NUMBER["two"]; // 2
 * ```
 */
export const NUMBER: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, couple: 2, few: 3 };
/** "in two weeks", "in 3 days": a future date chrono leaves out (it reads them as durations). */
const IN_UNITS = /\bin\s+(?:a\s+)?(a|an|one|two|three|four|five|six|seven|eight|nine|ten|couple(?:\s+of)?|few|\d{1,2})\s+(days?|weeks?|months?|years?)\b/gi;
/** "for 30 seconds", "for 3 hours": how long, not when. */
const DURATION = /^(for\s+)?(about\s+|around\s+)?(\d+|a|an|one|two|three|few|several|couple)\b.*\b(seconds?|minutes?|mins?|hours?|hrs?)\b/i;
/** "my last day", "the next week of training": a noun phrase, not a date. */
const DETERMINED = /\b(my|our|your|his|her|their|the|a|its)\s+$/i;
const RECURRING = /\b(birthday|bday|anniversary|every year|each year|annual(?:ly)?|name day)\b/i;
const FUTURE = /\b(will|'ll|’ll|going to|gonna|is on|are on|fly(?:ing)? out|leav(?:e|ing)|plan(?:ning)?|upcoming|scheduled|due|starts?|is|are)\b/i;
const HAS_YEAR = /\b(19|20)\d{2}\b/;
const DAY = 86_400_000;
/** A bare day-and-month that passed at most this many days ago is that day, even said with a future verb. */
const RECENT_DAYS = 7;

/**
 * `ref` moved by `n` days, weeks, months or years (negative: back), with how precise the
 * result is: a day for days and weeks, else the month or the year.
 *
 * @example
 * ```ts
 * addUnits(new Date("2023-05-08T13:56:00Z"), -2, "weeks"); // { from: 2023-04-24, granularity: "day" }
 * ```
 */
export function addUnits(ref: Date, n: number, unit: string): { from: Date; granularity: TimeMention["granularity"] } {
  const u = unit.toLowerCase().replace(/s$/, "");
  if (u === "day") return { from: new Date(Date.UTC(ref.getUTCFullYear(), ref.getUTCMonth(), ref.getUTCDate()) + n * DAY), granularity: "day" };
  if (u === "week") return { from: new Date(Date.UTC(ref.getUTCFullYear(), ref.getUTCMonth(), ref.getUTCDate()) + n * 7 * DAY), granularity: "day" };
  if (u === "month") return { from: new Date(Date.UTC(ref.getUTCFullYear(), ref.getUTCMonth() + n, 1)), granularity: "month" };
  return { from: new Date(Date.UTC(ref.getUTCFullYear() + n, 0, 1)), granularity: "year" };
}


/**
 * The dates of a sentence said at `reference`, each resolved and annotated, never spliced
 * in: "We fly out on October 12" → note "[= 12 October 2024]" after "October 12".
 * Durations ("for 30 seconds"), noun phrases ("my last day") are no dates; "in two weeks"
 * is resolved; a birthday or anniversary stays recurring ("[every year on 10 May]");
 * a day-and-month said with a future verb that passed this year more than a week ago is
 * next year's.
 *
 * @example
 * ```ts
 * dateNotes("We fly out on October 12.", "2024-07-23T10:00:00Z")[0]?.note; // "[= 12 October 2024]"
 * dateNotes("Each plank is held for 30 seconds.", "2024-07-23T10:00:00Z"); // []
 * dateNotes("Feels like just yesterday I put this dress on!", "2024-07-23T10:00:00Z"); // []
 * dateNotes("Rome wasn't built in a day.", "2024-07-23T10:00:00Z"); // []
 * ```
 */
export function dateNotes(sentence: string, reference: string): DateNote[] {
  const ref = new Date(reference);
  const out: DateNote[] = [];
  const recurring = RECURRING.test(sentence);
  for (const m of resolveTimes(sentence, reference)) {
    if (DURATION.test(m.text)) continue;
    // "Feels like just yesterday I put this dress on": an idiom, not a date.
    if (/^yesterday$/i.test(m.text) && /\blike\s+(just\s+|only\s+)?$/i.test(sentence.slice(Math.max(0, m.index - 14), m.index))) continue;
    if (/^(last|next|this)\s/i.test(m.text) && DETERMINED.test(sentence.slice(Math.max(0, m.index - 8), m.index))) continue;
    const explicitYear = HAS_YEAR.test(m.text);
    if (recurring && !explicitYear && m.granularity === "day" && !/\b(ago|yesterday|today|tomorrow|tonight|last|next|this)\b/i.test(m.text)) {
      const d = new Date(m.range.from);
      out.push({ index: m.index, end: m.index + m.text.length, note: `[every year on ${formatDay(d).replace(/ \d{4}$/, "")}]`, from: null, recurring: true });
      continue;
    }
    let from = new Date(m.range.from);
    let text = m.label;
    // "My last day is May 10" said in July: a future verb with a bare day-and-month means next year.
    // One that passed within the last week is the day that just happened ("the dinner on February 19", said on the 20th).
    if (!explicitYear && m.granularity === "day" && from.getTime() < ref.getTime() - RECENT_DAYS * DAY && /^[A-Z][a-z]+\.? \d|^\d{1,2}(st|nd|rd|th)? (of )?[A-Z]/.test(m.text) && FUTURE.test(sentence) && !/\b(was|were|did|went|had|ago)\b/i.test(sentence)) {
      from = new Date(Date.UTC(from.getUTCFullYear() + 1, from.getUTCMonth(), from.getUTCDate()));
      text = formatDay(from);
    }
    const said = m.text.replace(/^(on|in|at|during|since|from|by)\s+/i, "").trim();
    // "June 14, 2025" already says it all: no note when the words hold the full resolved date.
    const note = said.toLowerCase() === text.toLowerCase() || (explicitYear && text === m.label) ? "" : `[= ${text}]`;
    out.push({ index: m.index, end: m.index + m.text.length, note, from: from.toISOString(), recurring: false });
  }
  for (const m of sentence.matchAll(IN_UNITS)) {
    const start = m.index!;
    if (out.some((d) => start < d.end && start + m[0].length > d.index)) continue;
    // "Rome wasn't built in a day", "it was done in a day": how long, not when.
    if (/\b(built|done|made|finished|learned|learnt|written|read|cleaned|painted)\s+$/i.test(sentence.slice(Math.max(0, start - 12), start))) continue;
    const n = NUMBER[m[1]!.toLowerCase().replace(/\s+of$/, "")] ?? Number(m[1]);
    if (!Number.isFinite(n) || n <= 0) continue;
    const { from, granularity } = addUnits(ref, n, m[2]!);
    out.push({ index: start, end: start + m[0].length, note: `[= ${granularity === "day" ? "around " : ""}${timeLabel(from, granularity)}]`, from: from.toISOString(), recurring: false });
  }
  return out.sort((a, b) => a.index - b.index);
}

/**
 * The sentence with each note written after its date words.
 *
 * @example
 * ```ts
 * annotate("We fly out on October 12.", [{ index: 14, end: 24, note: "[= 12 October 2024]", from: null, recurring: false }]);
 * // "We fly out on October 12 [= 12 October 2024]."
 * ```
 */
export function annotate(sentence: string, notes: readonly DateNote[]): string {
  let out = "";
  let at = 0;
  for (const n of notes) {
    if (!n.note || n.end < at) continue;
    out += sentence.slice(at, n.end) + " " + n.note;
    at = n.end;
  }
  return out + sentence.slice(at);
}
